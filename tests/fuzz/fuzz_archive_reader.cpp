// Fuzz target: the run archives' readers on any bytes where a run.h5
// should be: a search's (experiments/archive/run_archive.h: the outcome
// train_arch --from-run reads, any table, the recorded config) and a final
// training's (experiments/archive/train_archive.h, opened as a resume
// opens it), and what nas_report reads of either (every table, and the
// facts it derives: experiments/report/run_view.h).
//
// Input: the file. Refusal allowed: experiments::ArchiveError, from each
// reader independently. On every accepted search outcome: each final
// architecture has tokens and a canonical text, best accuracy first.

#include <cstdint>
#include <filesystem>
#include <string>

#include "experiments/archive/run_archive.h"
#include "experiments/archive/train_archive.h"
#include "experiments/report/run_view.h"
#include "tests/fuzz/fuzz_corpus_names.h"
#include "tests/fuzz/fuzz_support.h"
#include "tests/fuzz/hdf5_handles.h"

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  H5::Exception::dontPrint();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string path = fuzz::input_file("run.h5", data, size);
  try {
    const experiments::SearchOutcome outcome = experiments::read_search_outcome(path);
    for (std::size_t i = 0; i < outcome.final_archs.size(); ++i) {
      fuzz::require(i == 0 || !(outcome.final_archs[i].accuracy > outcome.final_archs[i - 1].accuracy),
                    "final architectures are best first");
    }
  } catch (const experiments::ArchiveError&) {
  }
  try {
    experiments::read_archive_table(path, "archs");
  } catch (const experiments::ArchiveError&) {
  }
  try {
    experiments::read_archive_config(path);
  } catch (const experiments::ArchiveError&) {
  }
  try {
    const auto archive = experiments::TrainArchive::open(path, fuzz::kTrainArchiveSpace, fuzz::kTrainArchiveArch);
    archive->read();
    archive->config();
  } catch (const experiments::ArchiveError&) {
  }
  try {
    const experiments::RunView run = experiments::read_run_view(std::filesystem::path(path).parent_path());
    fuzz::require(run.best.size() <= 5, "at most 5 best architectures");
    for (const auto& [name, table] : run.archive.tables) {
      for (const auto& [column, values] : table.numbers) fuzz::require(values.size() == table.rows, "full columns");
    }
  } catch (const experiments::ArchiveError&) {
  }
  fuzz::require_hdf5_closed();
  return 0;
}
