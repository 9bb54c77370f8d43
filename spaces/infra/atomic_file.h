#pragma once
// Writing a file so that a reader finds either the old one or the whole new
// one: the text goes to a temporary file of a unique name beside PATH,
// which is renamed over PATH once written. Two writers of one path never
// share a temporary; the last rename wins.

#include <filesystem>
#include <string>

namespace spaces {

// Writes `text` to `path` through a unique temporary in the same folder
// ("<path>.tmp.XXXXXX") and a rename; a failed write leaves `path` as it
// was and removes the temporary. Throws std::runtime_error "cannot write
// <temporary>: <reason>" when the temporary cannot be created or written
// (missing folder, no permission, disk full), or when the rename fails.
void write_file_atomically(const std::filesystem::path& path, const std::string& text);

}  // namespace spaces
