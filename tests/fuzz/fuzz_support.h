#pragma once
// What the libFuzzer targets share: the input as a file, for the readers
// that take a path, and the check that turns a broken invariant into a
// crash libFuzzer reports with the input that caused it.
//
// A target's contract: every input either parses or is refused with the
// error type its parser documents; anything else (another exception, a
// sanitizer report, a broken round trip, a hang) is a finding.

#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

namespace fuzz {

// Writes data[0, size) to `name` in a directory of this process (under
// TMPDIR, else /tmp), replacing what an earlier input left there, and
// returns the path. Aborts when the file cannot be written (a full disk
// is not a finding, but must not pass silently).
inline std::string input_file(const std::string& name, const std::uint8_t* data, std::size_t size) {
  static const std::filesystem::path dir = [] {
    const char* tmp = std::getenv("TMPDIR");
    auto path = std::filesystem::path(tmp && *tmp ? tmp : "/tmp") / ("nas_fuzz_" + std::to_string(::getpid()));
    std::filesystem::create_directories(path);
    return path;
  }();
  const std::string path = (dir / name).string();
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
  out.close();
  if (!out) {
    std::fprintf(stderr, "fuzz: cannot write %s\n", path.c_str());
    std::abort();
  }
  return path;
}

// Aborts, naming the invariant, when `holds` is false.
inline void require(bool holds, const char* invariant) {
  if (holds) return;
  std::fprintf(stderr, "fuzz: invariant broken: %s\n", invariant);
  std::abort();
}

inline std::string as_text(const std::uint8_t* data, std::size_t size) {
  return std::string(reinterpret_cast<const char*>(data), size);
}

}  // namespace fuzz
