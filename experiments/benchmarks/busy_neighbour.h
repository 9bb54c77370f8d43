#pragma once
// BusyNeighbour: other work on the machine during a benchmark, as a search
// meets it when it runs beside a compile or a second rank: `processes`
// shells spinning on the CPU (`sh -c 'while :; do :; done'`) at nice level
// `nice` (19: a job at the lowest priority) until the object is destroyed.
// They are spawned (posix_spawn, a vfork and exec), not forked: a forked
// copy would share the benchmark's pages copy-on-write, and every page the
// benchmark then writes would be copied, a cost no real neighbour imposes.

#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <string>
#include <vector>

extern char** environ;

namespace experiments::benchmarks {

class BusyNeighbour {
 public:
  BusyNeighbour(int processes, int nice) {
    const std::string level = std::to_string(nice);
    for (int i = 0; i < processes; ++i) {
      const char* argv[] = {"nice", "-n", level.c_str(), "sh", "-c", "while :; do :; done", nullptr};
      pid_t pid = 0;
      if (posix_spawnp(&pid, "nice", nullptr, nullptr, const_cast<char* const*>(argv), environ) == 0) {
        children_.push_back(pid);
      }
    }
  }
  ~BusyNeighbour() {
    for (const pid_t pid : children_) kill(pid, SIGKILL);
    for (const pid_t pid : children_) waitpid(pid, nullptr, 0);
  }

  // The neighbour of a benchmark's argument: 0 none (a quiet machine), 1 two
  // processes at nice 19 (a compile at low priority), 2 two at our priority
  // (another rank on the machine).
  static BusyNeighbour for_arg(long arg) { return BusyNeighbour(arg == 0 ? 0 : 2, arg == 1 ? 19 : 0); }

  BusyNeighbour(const BusyNeighbour&) = delete;
  BusyNeighbour& operator=(const BusyNeighbour&) = delete;

 private:
  std::vector<pid_t> children_;
};

}  // namespace experiments::benchmarks
