#include "experiments/harness/external_command.h"

#include <signal.h>

#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fcntl.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "spaces/infra/number_text.h"

extern char** environ;

namespace experiments {
namespace {

namespace fs = std::filesystem;

}  // namespace

ScratchFolder::ScratchFolder() {
  std::error_code error;
  std::string pattern = (fs::temp_directory_path(error) / "nas_tool_XXXXXX").string();
  if (error || mkdtemp(pattern.data()) == nullptr) {
    throw ToolError("cannot create a temporary folder " + pattern + ": " + std::strerror(errno));
  }
  path_ = pattern;
}

ScratchFolder::~ScratchFolder() {
  std::error_code ignored;
  fs::remove_all(path_, ignored);
}

std::string read_whole_file(const fs::path& path) {
  std::ifstream file(path, std::ios::binary);
  std::ostringstream text;
  text << file.rdbuf();
  return text.str();
}

std::string run_tool(const std::vector<std::string>& argv, const std::string& input, const std::string& install_hint,
                     double timeout_seconds) {
  if (argv.empty()) throw std::invalid_argument("run_tool: no program given");
  const std::string& program = argv.front();
  ScratchFolder scratch;
  const fs::path in = scratch / "stdin", out = scratch / "stdout", err = scratch / "stderr";
  {
    std::ofstream file(in, std::ios::binary);
    file << input;
    if (!file.flush()) throw ToolError("cannot write the input of " + program + " to " + in.string());
  }
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, in.c_str(), O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 1, out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  posix_spawn_file_actions_addopen(&actions, 2, err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  std::vector<char*> args;
  for (const std::string& arg : argv) args.push_back(const_cast<char*>(arg.c_str()));
  args.push_back(nullptr);
  pid_t pid = 0;
  const int spawned = posix_spawnp(&pid, program.c_str(), &actions, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (spawned == ENOENT) throw ToolMissingError(program + " is not installed (" + install_hint + ")");
  if (spawned != 0) throw ToolError("cannot start " + program + ": " + std::strerror(spawned));
  // Wait, polling, so that a program past its time is killed rather than waited for.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::duration<double>(timeout_seconds);
  int status = 0;
  for (auto pause = std::chrono::milliseconds(1);; pause = std::min(pause * 2, std::chrono::milliseconds(50))) {
    const pid_t done = waitpid(pid, &status, WNOHANG);
    if (done == pid) break;
    if (done < 0 && errno != EINTR) throw ToolError("lost " + program + ": " + std::strerror(errno));
    if (std::chrono::steady_clock::now() > deadline) {
      ::kill(pid, SIGKILL);
      waitpid(pid, &status, 0);
      throw ToolError(program + " ran past " + spaces::compact(timeout_seconds, 4) + " s");
    }
    std::this_thread::sleep_for(pause);
  }
  // posix_spawnp reports a missing program either at the call or, where the
  // C library spawns through a forked child, as exit status 127.
  if (WIFEXITED(status) && WEXITSTATUS(status) == 127 && read_whole_file(err).empty()) {
    throw ToolMissingError(program + " is not installed (" + install_hint + ")");
  }
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    std::string message = read_whole_file(err);
    while (!message.empty() && (message.back() == '\n' || message.back() == ' ')) message.pop_back();
    const std::string how = WIFEXITED(status) ? "exit " + std::to_string(WEXITSTATUS(status))
                                              : "signal " + std::to_string(WTERMSIG(status));
    throw ToolError(program + " failed (" + how + ")" + (message.empty() ? "" : ": " + message));
  }
  return read_whole_file(out);
}

std::string render_dot(const std::string& dot, const std::string& format) {
  return run_tool({"dot", "-T" + format}, dot, "Graphviz: third_party/install-deps.sh installs it");
}

}  // namespace experiments
