#pragma once
// BusyNeighbour: other work on the machine during a benchmark, as a search
// meets it when it runs beside a compile or a second rank: `processes`
// child processes that spin on the CPU at nice level `nice` (19: a job at
// the lowest priority) until the object is destroyed. The children only
// spin (no library call after fork), so forking a process with libtorch's
// threads is safe.

#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <vector>

namespace experiments::benchmarks {

class BusyNeighbour {
 public:
  BusyNeighbour(int processes, int nice) {
    for (int i = 0; i < processes; ++i) {
      const pid_t pid = fork();
      if (pid == 0) {
        setpriority(PRIO_PROCESS, 0, nice);
        volatile unsigned long spin = 0;
        for (;;) spin = spin + 1;
      }
      if (pid > 0) children_.push_back(pid);
    }
  }
  ~BusyNeighbour() {
    for (const pid_t pid : children_) kill(pid, SIGKILL);
    for (const pid_t pid : children_) waitpid(pid, nullptr, 0);
  }
  BusyNeighbour(const BusyNeighbour&) = delete;
  BusyNeighbour& operator=(const BusyNeighbour&) = delete;

 private:
  std::vector<pid_t> children_;
};

}  // namespace experiments::benchmarks
