#include "experiments/distributed/launcher.h"

#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>
#include <CLI/CLI.hpp>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <map>
#include <ostream>
#include <thread>

#include "experiments/harness/command_line.h"

extern char** environ;

namespace experiments {
namespace {}  // namespace

int free_tcp_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return 29500;
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = 0;
  socklen_t length = sizeof address;
  int port = 29500;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0 &&
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) == 0) {
    port = ntohs(address.sin_port);
  }
  ::close(fd);
  return port;
}

namespace {

// This process's environment with `overrides` set (replacing any same-named variables).
std::vector<std::string> environment_with(const std::map<std::string, std::string>& overrides) {
  std::vector<std::string> env;
  for (char** e = environ; *e != nullptr; ++e) {
    const std::string entry = *e;
    const std::string name = entry.substr(0, entry.find('='));
    if (!overrides.count(name)) env.push_back(entry);
  }
  for (const auto& [name, value] : overrides) env.push_back(name + "=" + value);
  return env;
}

int exit_code_of(int status) { return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status); }

}  // namespace

int run_launcher(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  CLI::App app{
      "Starts N ranks of a run on this machine with torchrun's variables (RANK, WORLD_SIZE, MASTER_ADDR, "
      "MASTER_PORT, LOCAL_RANK); several machines: the same command on each with --nodes and --node-rank.",
      "nas_launch"};
  int processes = 1, nodes = 1, node_rank = 0, port = 0;
  double grace = 30.0;
  std::string address = "127.0.0.1", log_dir;
  std::vector<std::string> command;
  app.add_option("-n,--nproc-per-node", processes, "ranks on this machine")->check(CLI::Range(1, 1024));
  app.add_option("--nodes", nodes, "machines taking part")->check(CLI::Range(1, 65536));
  app.add_option("--node-rank", node_rank, "this machine's place among them (0: it serves the TCP store)")
      ->check(CLI::NonNegativeNumber);
  app.add_option("--master-addr", address, "the address of the machine of rank 0");
  app.add_option("--master-port", port, "its TCP store's port (default: a free port; required with --nodes > 1)")
      ->check(CLI::Range(1, 65535));
  app.add_option("--log-dir", log_dir, "write each other rank's standard output to LOG_DIR/rank-R.out");
  app.add_option("--grace", grace, "seconds the other ranks get to stop after one fails")
      ->check(CLI::Range(0.0, 3600.0));
  app.add_option("command", command, "the program and its arguments (after --)")->required();
  const auto has = [&](const char* word) { return std::find(args.begin() + 1, args.end(), word) != args.end(); };
  if (args.size() > 1 && !has("--") && !has("-h") && !has("--help")) {
    err << "nas_launch: no program: put -- before the program and its arguments (nas_launch -n 2 -- PROGRAM ARGS...)\n";
    return 2;
  }
  if (auto code = parse_command_line(app, args, "nas_launch", out, err)) return *code;
  if (node_rank >= nodes) {
    err << "nas_launch: --node-rank " << node_rank << " is not below --nodes " << nodes << "\n";
    return 2;
  }
  if (nodes > 1 && port == 0) {
    err << "nas_launch: --master-port is required with --nodes > 1 (every machine must name the same port)\n";
    return 2;
  }
  if (port == 0) port = free_tcp_port();
  if (!log_dir.empty()) std::filesystem::create_directories(log_dir);
  const unsigned cores = std::max(1u, std::thread::hardware_concurrency());
  std::vector<pid_t> children;
  for (int local = 0; local < processes; ++local) {
    const int rank = node_rank * processes + local;
    std::map<std::string, std::string> vars = {{"RANK", std::to_string(rank)},
                                               {"WORLD_SIZE", std::to_string(nodes * processes)},
                                               {"LOCAL_RANK", std::to_string(local)},
                                               {"LOCAL_WORLD_SIZE", std::to_string(processes)},
                                               {"GROUP_RANK", std::to_string(node_rank)},
                                               {"MASTER_ADDR", address},
                                               {"MASTER_PORT", std::to_string(port)}};
    if (std::getenv("OMP_NUM_THREADS") == nullptr) {
      vars["OMP_NUM_THREADS"] = std::to_string(std::max(1u, cores / static_cast<unsigned>(processes)));
    }
    const std::vector<std::string> env = environment_with(vars);
    std::vector<char*> envp, argv;
    for (const std::string& e : env) envp.push_back(const_cast<char*>(e.c_str()));
    envp.push_back(nullptr);
    for (const std::string& a : command) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    if (rank != 0) {
      const std::string sink = log_dir.empty() ? "/dev/null" : log_dir + "/rank-" + std::to_string(rank) + ".out";
      posix_spawn_file_actions_addopen(&actions, 1, sink.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    }
    pid_t pid = 0;
    const int spawned = posix_spawnp(&pid, argv[0], &actions, nullptr, argv.data(), envp.data());
    posix_spawn_file_actions_destroy(&actions);
    if (spawned != 0) {
      err << "nas_launch: cannot start " << command.front() << ": " << std::strerror(spawned) << "\n";
      for (pid_t child : children) ::kill(child, SIGTERM);
      for (pid_t child : children) ::waitpid(child, nullptr, 0);
      return 2;
    }
    children.push_back(pid);
  }
  // Wait for every rank; after the first failure, the rest get `grace` seconds.
  int code = 0;
  std::size_t running = children.size();
  std::chrono::steady_clock::time_point deadline = std::chrono::steady_clock::time_point::max();
  std::vector<bool> done(children.size(), false);
  while (running > 0) {
    for (std::size_t i = 0; i < children.size(); ++i) {
      if (done[i]) continue;
      int status = 0;
      const pid_t finished = ::waitpid(children[i], &status, WNOHANG);
      if (finished != children[i]) continue;
      done[i] = true;
      --running;
      const int rank_code = exit_code_of(status);
      if (rank_code != 0 && code == 0) {
        code = rank_code;
        err << "nas_launch: rank " << node_rank * processes + static_cast<int>(i) << " exited with " << rank_code
            << "; the other ranks get " << grace << " s to stop\n";
        deadline = std::chrono::steady_clock::now() + std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                                                          std::chrono::duration<double>(grace));
      }
    }
    if (running > 0 && std::chrono::steady_clock::now() > deadline) {
      for (std::size_t i = 0; i < children.size(); ++i) {
        if (!done[i]) ::kill(children[i], SIGTERM);
      }
      deadline = std::chrono::steady_clock::time_point::max();
    }
    if (running > 0) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return code;
}

}  // namespace experiments
