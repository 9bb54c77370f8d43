#pragma once
// keep_freed_memory(): glibc malloc settings for libtorch's pattern of
// allocating and freeing the same large blocks over and over (activations,
// gates). By default glibc serves blocks above a moving threshold with
// mmap and returns freed heap tops to the kernel, so every step faults the
// same memory in again and the kernel zeroes it; the PNAS surrogate's
// scoring spent more than a third of its time there (86 s -> 60 s for
// 500,000 cells), and a DARTS supernet step, which frees gigabytes of
// activations twice per step, a fifth. Freed memory is therefore never
// returned to the kernel while the process runs. Call once at the start
// of a binary.

#include <malloc.h>

namespace experiments {

inline void keep_freed_memory() {
  mallopt(M_MMAP_THRESHOLD, 32 << 20);  // blocks up to 32 MB (glibc's maximum) come from the heap
  mallopt(M_TRIM_THRESHOLD, -1);        // and freed heap is kept for reuse, never trimmed
}

}  // namespace experiments
