// make_fuzz_corpus OUT_DIR: writes the fuzz targets' seed corpus, one
// directory per target, from the same inputs the test suite feeds the
// parsers: every registered space's random architectures in every text
// form, the published presets, the shipped configs, IDX and CIFAR files
// (tests/experiments/data/data_files.h), a checkpoint and both kinds of
// run archive as the code writes them. Deterministic (fixed seeds).

#include <cstdio>
#include <exception>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <limits>
#include <string>
#include <vector>

#include "experiments/archive/checkpoint.h"
#include "experiments/archive/run_archive.h"
#include "experiments/archive/train_archive.h"
#include "experiments/config/embedded_configs.h"
#include "spaces/arch.h"
#include "spaces/presets.h"
#include "spaces/registry.h"
#include "tests/experiments/data/data_files.h"
#include "tests/fuzz/fuzz_corpus_names.h"

namespace {

namespace fs = std::filesystem;

class Corpus {
 public:
  explicit Corpus(fs::path root) : root_(std::move(root)) {}

  void add(const std::string& target, const std::string& bytes) {
    const fs::path dir = root_ / target;
    fs::create_directories(dir);
    std::ofstream(dir / ("seed-" + std::to_string(count_++)), std::ios::binary) << bytes;
  }
  void add_file(const std::string& target, const fs::path& file) { add(target, read(file)); }

  static std::string read(const fs::path& file) {
    std::ifstream in(file, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
  }

 private:
  fs::path root_;
  int count_ = 0;
};

void add_architectures(Corpus& corpus) {
  std::vector<std::string> specs = spaces::space_registry().names();
  for (const char* variant : {"darts(allow_none=true)", "nao(nodes=5)", "enas_micro(nodes=3)"})
    specs.push_back(variant);
  spaces::Rng rng(7);
  for (const std::string& spec : specs) {
    const spaces::SpacePtr space = spaces::make_space(spec);
    for (int i = 0; i < 3; ++i) {
      const spaces::Arch arch = space->random(rng);
      for (const std::string& format : space->formats()) {
        const std::string text = space->to_string(arch, format);
        corpus.add("fuzz_arch_text", space->spec() + "\n" + text);
        if (format == "genotype") corpus.add("fuzz_genotype", text);
        if (format == "dag_json") corpus.add("fuzz_nao_encodings", std::string(1, char(1 | (4 << 1))) + text);
        if (format == "epd") {
          std::string tokens(1, char(4 << 1));
          for (const std::int64_t token : spaces::split_tokens(text, "corpus")) tokens += static_cast<char>(token);
          corpus.add("fuzz_nao_encodings", tokens);
        }
      }
    }
  }
  for (const spaces::ArchPreset& preset : spaces::arch_presets()) {
    corpus.add("fuzz_arch_text", preset.space + "\n" + preset.text);
    corpus.add("fuzz_arch_text", preset.space + "\n" + preset.name);
    corpus.add("fuzz_arch_text", preset.space + "\n" + preset.name + " = " + preset.text + "\n");
    if (preset.text.starts_with("Genotype(")) corpus.add("fuzz_genotype", preset.text);
  }
}

void add_configs(Corpus& corpus) {
  for (const std::string& name : experiments::embedded_config_names()) {
    const std::string& text = experiments::embedded_config(name);
    corpus.add("fuzz_config_toml", text);
    corpus.add("fuzz_config_toml", "--set child.lr=0.1\n--set space.name=darts\n" + text);
  }
}

void add_data_files(Corpus& corpus, const experiments::testing::TempDir& tmp) {
  for (const bool gzip : {false, true}) {
    std::vector<unsigned char> pixels(2 * 28 * 28, 7), labels = {3, 9};
    experiments::testing::write_bytes(tmp.file("images"), experiments::testing::idx_bytes(0x803, {2, 28, 28}, pixels),
                                      gzip);
    experiments::testing::write_bytes(tmp.file("labels"), experiments::testing::idx_bytes(0x801, {2}, labels), gzip);
    const std::string images = Corpus::read(tmp.file("images"));
    std::string length(4, '\0');
    for (int i = 0; i < 4; ++i) length[i] = static_cast<char>(images.size() >> (24 - 8 * i));
    corpus.add("fuzz_idx_reader", length + images + Corpus::read(tmp.file("labels")));
  }
  std::string records;
  for (int label : {4, 0}) {
    records += static_cast<char>(label);
    records += std::string(3 * 32 * 32, static_cast<char>(label * 20));
  }
  corpus.add("fuzz_cifar10_reader", records);
}

void add_archives(Corpus& corpus, const experiments::testing::TempDir& tmp) {
  experiments::Checkpoint checkpoint;
  checkpoint.tensors["weights"] = torch::arange(6, torch::kFloat32).view({2, 3});
  checkpoint.tensors["alpha"] = torch::ones({2, 2}, torch::kFloat64);
  checkpoint.tensors["tokens"] = torch::arange(4, torch::kInt64);
  checkpoint.tensors["mask"] = torch::ones({3}, torch::kUInt8);
  checkpoint.scalars["epoch"] = 1;
  checkpoint.texts["rng"] = "12345";
  experiments::write_checkpoint(tmp.file("checkpoint.h5"), checkpoint);
  corpus.add_file("fuzz_checkpoint_reader", tmp.file("checkpoint.h5"));

  {
    auto archive = experiments::RunArchive::create(tmp.file("search.h5"), "enas_micro", "[run]\nseed = 1\n");
    std::vector<spaces::Record> rows;
    for (std::int64_t i = 0; i < 3; ++i) {
      rows.push_back(spaces::Record("archs")
                         .set("epoch", i)
                         .set("phase", std::string(i == 2 ? "final" : "child"))
                         .set("tokens", std::vector<std::int64_t>{i, 1, 0})
                         .set("canonical", "arc " + std::to_string(i))
                         .set("accuracy", 0.25 * static_cast<double>(i)));
    }
    rows.push_back(spaces::Record("alpha").set("normal", spaces::NumberArray{{2, 2}, {1, 2, 3, 4}}));
    archive->append(rows);
  }
  corpus.add_file("fuzz_archive_reader", tmp.file("search.h5"));
  {
    auto archive = experiments::TrainArchive::create(tmp.file("train.h5"), fuzz::kTrainArchiveSpace,
                                                     fuzz::kTrainArchiveArch, "[run]\nseed = 0\n");
    archive->append(experiments::EpochRecord{1, 0.9, 0.7, 0.8, 0.72, 0.025, 0.0, 12.5});
    const double untested = std::numeric_limits<double>::quiet_NaN();  // [train] test_every
    archive->append(experiments::EpochRecord{2, 0.8, 0.75, untested, untested, 0.02, 0.0, 25.0});
  }
  corpus.add_file("fuzz_archive_reader", tmp.file("train.h5"));
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: make_fuzz_corpus OUT_DIR\n");
    return 2;
  }
  try {
    Corpus corpus(argv[1]);
    const experiments::testing::TempDir tmp;
    add_architectures(corpus);
    add_configs(corpus);
    add_data_files(corpus, tmp);
    add_archives(corpus, tmp);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "make_fuzz_corpus: %s\n", e.what());
    return 1;
  }
  return 0;
}
