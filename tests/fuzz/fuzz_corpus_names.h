#pragma once
// Constants the seed corpus writer and the fuzz targets agree on.

namespace fuzz {

// The space and architecture of the final-training archive in the seed
// corpus; fuzz_archive_reader opens archives as belonging to them.
inline constexpr const char* kTrainArchiveSpace = "enas_micro";
inline constexpr const char* kTrainArchiveArch = "0 1 0 1 1 2 0 3 0 1 0 1 1 2 0 3";

}  // namespace fuzz
