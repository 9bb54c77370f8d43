#pragma once
// nas_launch: starts the ranks of a run on this machine, as torchrun does
// for PyTorch programs:
//   nas_launch -n N [--nodes M --node-rank K --master-addr HOST] [--master-port P] -- PROGRAM ARGS...
// Each of the N local processes gets RANK (K*N + local rank), WORLD_SIZE
// (M*N), LOCAL_RANK, LOCAL_WORLD_SIZE, MASTER_ADDR (default 127.0.0.1) and
// MASTER_PORT (default: a free port on one machine; required with
// --nodes > 1), and OMP_NUM_THREADS = this machine's cores / N unless it is
// set (the project's binaries take their threads from [run] threads
// instead, and warn when the ranks of a machine ask for more threads than
// it has cores). Rank 0 of this machine keeps its standard output; the
// others' go to LOG_DIR/rank-R.out when --log-dir is given, otherwise nowhere (their
// errors still reach standard error). When a rank fails, the others are
// given --grace seconds (default 30) to stop on their own (their
// collectives fail once a peer is gone) and are then terminated.
//
// Exit code: 0 when every rank exited 0; otherwise the first failing rank's
// exit code (128 + signal for a rank killed by a signal); 2 for a malformed
// command line.

#include <iosfwd>
#include <string>
#include <vector>

namespace experiments {

int run_launcher(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);

// A TCP port on 127.0.0.1 that was free when asked (the kernel's pick for
// port 0); 29500, torchrun's default, when none can be had.
int free_tcp_port();

}  // namespace experiments
