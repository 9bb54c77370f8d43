#pragma once
// NAS_VECTOR_CLONES: marks a hot loop kernel for GCC function
// multiversioning, one AVX2 (8-wide, FMA) clone chosen at load time on
// machines that have it and the baseline x86-64 (SSE2) one elsewhere. Put
// it on plain functions over raw pointers: a lambda or a callee inlined
// from elsewhere is compiled for the baseline whatever its caller's target.

#if defined(__GNUC__) && defined(__x86_64__) && !defined(__clang__)
#define NAS_VECTOR_CLONES __attribute__((target_clones("avx2", "default")))
#else
#define NAS_VECTOR_CLONES
#endif
