#pragma once
// Runs a program the project relies on but does not link (Graphviz's dot,
// gnuplot, Chromium for the report check) as a child process: input through
// a file on its standard input, its standard output read back. No shell is
// involved, so no argument is ever interpreted.

#include <filesystem>
#include <stdexcept>
#include <string>
#include <vector>

namespace experiments {

// An external program that cannot be started, failed, or ran past its time;
// the message names the program and, when it failed, its error output.
class ToolError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};
// The program is not installed: "<program> is not installed (<hint>)".
class ToolMissingError : public ToolError {
 public:
  using ToolError::ToolError;
};

// A private folder under the system's temporary directory, removed with
// everything in it when the object goes. Throws ToolError when it cannot be
// created.
class ScratchFolder {
 public:
  ScratchFolder();
  ~ScratchFolder();
  ScratchFolder(const ScratchFolder&) = delete;
  ScratchFolder& operator=(const ScratchFolder&) = delete;
  std::filesystem::path operator/(const std::string& name) const { return path_ / name; }

 private:
  std::filesystem::path path_;
};

// The whole content of `path` ("" when it cannot be read).
std::string read_whole_file(const std::filesystem::path& path);

// Runs `argv` (argv[0] looked up in PATH) with `input` as its standard
// input and returns its standard output once it exits. Throws
// ToolMissingError when argv[0] is not found (or, where the C library
// reports that from the child, when it exits 127 without a word on its error
// output); ToolError "<program> failed (exit N|signal N): <its error
// output>" when it exits non-zero or dies of a signal, and "<program> ran
// past <timeout> s" after killing it when it runs longer than
// `timeout_seconds`; std::invalid_argument for an empty argv.
std::string run_tool(const std::vector<std::string>& argv, const std::string& input, const std::string& install_hint,
                     double timeout_seconds = 300.0);

// Graphviz: `dot -T<format>` of the DOT text `dot` ("svg", "png", "pdf").
// ToolMissingError / ToolError as run_tool, naming third_party/install-deps.sh.
std::string render_dot(const std::string& dot, const std::string& format);

}  // namespace experiments
