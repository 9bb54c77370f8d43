#pragma once
// How much memory this process may still take: the kernel's MemAvailable
// (/proc/meminfo), lowered to the cgroup's limit less its usage when the
// process runs in a cgroup (v2) with a limit. For refusing work that
// cannot fit before it starts.

#include <cstdint>

namespace experiments {

// Bytes, or -1 when neither source can be read.
std::int64_t available_memory_bytes();

}  // namespace experiments
