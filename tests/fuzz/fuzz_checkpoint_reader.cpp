// Fuzz target: the checkpoint reader (experiments/archive/checkpoint.h),
// on any bytes where a checkpoint file should be: torn, foreign, of another
// layout, with datasets of odd types, shapes or sizes.
//
// Input: the file. Refusal allowed: experiments::ArchiveError. On every
// accepted file: the checkpoint writes and reads back with the same names,
// tensor shapes and dtypes, scalars and texts.

#include <cstdint>
#include <string>

#include "experiments/archive/checkpoint.h"
#include "tests/fuzz/fuzz_support.h"
#include "tests/fuzz/hdf5_handles.h"

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  H5::Exception::dontPrint();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string path = fuzz::input_file("epoch-000001.h5", data, size);
  experiments::Checkpoint checkpoint;
  try {
    checkpoint = experiments::read_checkpoint(path);
  } catch (const experiments::ArchiveError&) {
    fuzz::require_hdf5_closed();
    return 0;
  }
  const std::string copy = path + ".again.h5";
  experiments::write_checkpoint(copy, checkpoint);
  const experiments::Checkpoint back = experiments::read_checkpoint(copy);
  bool same = back.tensors.size() == checkpoint.tensors.size() && back.texts == checkpoint.texts &&
              back.scalars.size() == checkpoint.scalars.size();
  for (const auto& [name, tensor] : checkpoint.tensors) {
    const auto it = back.tensors.find(name);
    same = same && it != back.tensors.end() && it->second.sizes() == tensor.sizes() &&
           it->second.dtype() == tensor.dtype();
  }
  fuzz::require(same, "an accepted checkpoint writes and reads back the same");
  fuzz::require_hdf5_closed();
  return 0;
}
