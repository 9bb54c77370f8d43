// Fuzz target: the run archives' readers on any bytes where a run.h5
// should be: a search's (experiments/archive/run_archive.h: the outcome
// train_arch --from-run reads, any table, the recorded config) and a final
// training's (experiments/archive/train_archive.h, opened as a resume
// opens it).
//
// Input: the file. Refusal allowed: experiments::ArchiveError, from each
// reader independently. On every accepted search outcome: each final
// architecture has tokens and a canonical text, best accuracy first.

#include <cstdint>
#include <string>

#include "experiments/archive/run_archive.h"
#include "experiments/archive/train_archive.h"
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
  fuzz::require_hdf5_closed();
  return 0;
}
