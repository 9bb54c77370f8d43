#pragma once
// ScopedBlasThreads: OpenBLAS's own thread count for a scope. libtorch runs
// matrix multiplies through the system BLAS (OpenBLAS here), whose threads
// spin beside libtorch's OpenMP threads; for the small matrices of
// controller models (an LSTM of 96 or 100 units) the two pools fight for
// the 2 cores and a training step is 3-4x slower than on one BLAS thread
// (nao_benchmark, surrogate_benchmark). Large multiplies (scoring half a
// million cells) keep the default. Does nothing when the BLAS is not
// OpenBLAS (openblas_set_num_threads is looked up at run time).

namespace controllers {

class ScopedBlasThreads {
 public:
  explicit ScopedBlasThreads(int threads);
  ~ScopedBlasThreads();
  ScopedBlasThreads(const ScopedBlasThreads&) = delete;
  ScopedBlasThreads& operator=(const ScopedBlasThreads&) = delete;

 private:
  int previous_ = 0;  // 0: nothing to restore
};

// ScopedSingleThreaded: one BLAS thread and one libtorch intra-op thread
// for a scope, for work made of many small operations (sampling from a
// controller LSTM). Each of libtorch's parallel regions ends at a barrier
// where its OpenMP threads spin, and OpenBLAS's threads spin beside them;
// when other processes share the cores a descheduled thread stalls every
// region. ENAS's batched sampling of 64 architectures took 17 ms quiet and
// 103-330 ms beside two busy processes; in this scope 8.5 ms quiet, 13-16
// ms beside two at nice 19 and 21-30 ms beside two at its own priority
// (controller_benchmark BM_EnasSampleBatch64/0, /1, /2). Restores both counts.
class ScopedSingleThreaded {
 public:
  ScopedSingleThreaded();
  ~ScopedSingleThreaded();
  ScopedSingleThreaded(const ScopedSingleThreaded&) = delete;
  ScopedSingleThreaded& operator=(const ScopedSingleThreaded&) = delete;

 private:
  ScopedBlasThreads blas_{1};
  int previous_intra_op_ = 0;
};

}  // namespace controllers
