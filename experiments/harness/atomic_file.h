#pragma once
// Writing a file so that it is either the old one or the whole new one:
// the text goes to PATH.tmp, which is renamed over PATH once written.

#include <filesystem>
#include <string>

namespace experiments {

// Writes `text` to `path` through `path`.tmp and a rename; a failed write
// leaves `path` as it was. Throws std::runtime_error "cannot write
// <path>.tmp" when the temporary cannot be created or written,
// std::filesystem::filesystem_error when the rename fails.
void write_file_atomically(const std::filesystem::path& path, const std::string& text);

}  // namespace experiments
