#include "controllers/blas_threads.h"

#include <ATen/Parallel.h>
#include <dlfcn.h>

namespace controllers {
namespace {

using SetThreads = void (*)(int);
using GetThreads = int (*)();

// The functions of the OpenBLAS that libtorch loaded (the first in the
// process's lookup order), or null.
SetThreads set_threads() {
  static const auto f = reinterpret_cast<SetThreads>(dlsym(RTLD_DEFAULT, "openblas_set_num_threads"));
  return f;
}
GetThreads get_threads() {
  static const auto f = reinterpret_cast<GetThreads>(dlsym(RTLD_DEFAULT, "openblas_get_num_threads"));
  return f;
}

}  // namespace

ScopedBlasThreads::ScopedBlasThreads(int threads) {
  if (set_threads() == nullptr || get_threads() == nullptr) return;
  previous_ = get_threads()();
  set_threads()(threads);
}

ScopedBlasThreads::~ScopedBlasThreads() {
  if (previous_ > 0) set_threads()(previous_);
}

ScopedSingleThreaded::ScopedSingleThreaded() : previous_intra_op_(at::get_num_threads()) { at::set_num_threads(1); }

ScopedSingleThreaded::~ScopedSingleThreaded() { at::set_num_threads(previous_intra_op_); }

}  // namespace controllers
