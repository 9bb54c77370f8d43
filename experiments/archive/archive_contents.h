#pragma once
// Everything a run archive holds, read-only: a search's (run_archive.h) or
// a final training's (train_archive.h), told apart by the file's "kind"
// attribute. For readers that show a run rather than continue it
// (nas_report): no table or column is expected by name.

#include <map>
#include <string>

#include "experiments/archive/run_archive.h"

namespace experiments {

struct ArchiveContents {
  std::string kind;                            // "search" or "train"
  std::string space;                           // the space's spec text
  std::string config;                          // the resolved TOML the run ran with (after a resume: what ran last)
  std::string arch;                            // train: the trained architecture's canonical text; search: empty
  std::map<std::string, TableColumns> tables;  // every table by name ("archs", "epochs", ...)
};

// Reads the archive at `path` without taking its file lock (a running
// search may be writing it; h5_util.h). Throws ArchiveError naming the
// file when it is missing, not HDF5, without checksums, of another kind or
// layout version than this build writes, or unreadable.
ArchiveContents read_archive_contents(const std::string& path);

}  // namespace experiments
