#include "childnets/latency_table.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "childnets/child_network.h"
#include "childnets/network_family.h"
#include "spaces/registry.h"

namespace childnets {
namespace {

// A fresh directory, removed with everything in it.
struct ScratchDir {
  std::filesystem::path path = std::filesystem::temp_directory_path() /
                               ("nas_latency_" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()) +
                                "_" + std::to_string(reinterpret_cast<std::uintptr_t>(this)));
  ScratchDir() { std::filesystem::create_directories(path); }
  ~ScratchDir() { std::filesystem::remove_all(path); }
  std::string file(const std::string& name) const { return (path / name).string(); }
};

const char* kSpace = "spos(stage_repeats=[1,2],stage_channels=[16,32],stem_channels=8)";
const TimingOptions kQuick{.batch = 2, .warmup = 0, .runs = 1};

TEST(LatencyTable, TheLayerChainComputesWhatTheNetworkComputes) {
  const auto space = spaces::make_space(std::string(kSpace).replace(5, 0, "channel_search=true,"));
  const NetworkOptions options;
  const auto family = make_network_family(space, options);
  const LayerwiseFamily* layers = family->layerwise();
  ASSERT_NE(layers, nullptr);
  EXPECT_EQ(layers->layer_candidates(0).size(), 4u * 8u);  // blocks x widths
  ParameterStore store = make_shared_store(space, options);
  store->eval();
  torch::NoGradGuard no_grad;
  spaces::Rng rng(2);
  const spaces::ArchGraph graph = space->decode(space->random(rng));
  const torch::Tensor x = torch::randn({2, 1, 28, 28});
  torch::Tensor chained = layers->stem(*store, x);
  for (int l = 0; l < layers->num_searched_layers(); ++l) {
    const auto chosen = layers->chosen_candidate(graph, l);
    const auto candidates = layers->layer_candidates(l);
    EXPECT_NE(std::find(candidates.begin(), candidates.end(), chosen), candidates.end());
    chained = layers->layer(*store, l, chosen, chained);
  }
  EXPECT_TRUE(torch::equal(layers->head(*store, chained), family->forward(*store, x, graph, 0.0).logits));
  EXPECT_THROW(layers->layer(*store, 0, {9, 10}, chained), std::invalid_argument);
  EXPECT_THROW(layers->layer(*store, 0, {0, 11}, chained), std::invalid_argument);  // no 1.1 width
  EXPECT_EQ(make_network_family(spaces::make_space("enas_micro(nodes=2)"), options)->layerwise(), nullptr);
}

TEST(LatencyTable, PredictsTheSumOfItsEntriesAndRoundTripsThroughItsFile) {
  const auto space = spaces::make_space(kSpace);
  const NetworkOptions options;
  const LatencyTable table = LatencyTable::measure(space, options, kQuick);
  EXPECT_EQ(table.layers(), 3u);
  spaces::Rng rng(1);
  const spaces::Arch arch = space->random(rng);
  const double one = table.predict_ms(space, options, arch), batch = table.predict_ms(space, options, arch, true);
  EXPECT_GT(one, 0.0);
  EXPECT_GT(batch, 0.0);
  ScratchDir dir;
  table.write(dir.file("table.tsv"));
  // Written through a temporary that is gone once the table is in place.
  EXPECT_EQ(std::distance(std::filesystem::directory_iterator(dir.path), std::filesystem::directory_iterator()), 1);
  // The prediction is the fixed part plus each layer's chosen entry, as the file lists them.
  const auto family = make_network_family(space, options);
  const spaces::ArchGraph graph = space->decode(arch);
  double expected = 0;
  std::ifstream in(dir.file("table.tsv"));
  for (std::string line; std::getline(in, line);) {
    std::istringstream words(line);
    std::string kind, layer, key;
    double ms1 = 0, msn = 0;
    if (line.rfind("fixed\t", 0) == 0) {
      words >> kind >> ms1 >> msn;
      expected += ms1;
    } else if (line.rfind("layer\t", 0) == 0) {
      words >> kind >> layer >> key >> ms1 >> msn;
      std::vector<std::int64_t> chosen = family->layerwise()->chosen_candidate(graph, std::stoi(layer));
      if (key == std::to_string(chosen[0]) + "," + std::to_string(chosen[1])) expected += ms1;
    }
  }
  EXPECT_NEAR(one, expected, 1e-9 * expected);
  const LatencyTable read = LatencyTable::read(dir.file("table.tsv"));
  EXPECT_EQ(read.predict_ms(space, options, arch), one);
  EXPECT_EQ(read.predict_ms(space, options, arch, true), batch);
  EXPECT_EQ(read.key().mismatch(current_latency_key(space, options, kQuick)), "");
  // A table is refused for another setting, naming the field.
  EXPECT_EQ(read.key().mismatch(current_latency_key(space, options, {.batch = 4, .warmup = 0, .runs = 1})),
            "batch: 2 in the table, 4 here");
  LatencyTableKey other_threads = read.key();
  other_threads.threads += 1;
  EXPECT_NE(read.key().mismatch(other_threads).find("threads: "), std::string::npos);
  EXPECT_NE(read.key()
                .mismatch(current_latency_key(spaces::make_space("spos(stage_repeats=[2,2],stage_channels=[32,64])"),
                                              options, kQuick))
                .find("space: "),
            std::string::npos);
  EXPECT_THROW(read.predict_ms(spaces::make_space("genet(stages=[3,4])"), options,
                               spaces::make_space("genet(stages=[3,4])")->random(rng)),
               std::invalid_argument);
}

TEST(LatencyTable, RefusesFilesItDidNotWriteByLineAndSpacesWithoutLayers) {
  ScratchDir dir;
  std::ofstream(dir.file("bad.tsv")) << "nas-cpp latency table 1\nspace\tspos\nlayer\t0\t1,10\tfast\t2\n";
  try {
    LatencyTable::read(dir.file("bad.tsv"));
    FAIL() << "read a bad table";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("bad.tsv:3: unreadable number"), std::string::npos) << e.what();
  }
  std::ofstream(dir.file("other.tsv")) << "weights\n";
  EXPECT_THROW(LatencyTable::read(dir.file("other.tsv")), std::runtime_error);
  EXPECT_THROW(LatencyTable::read(dir.file("missing.tsv")), std::runtime_error);
  EXPECT_THROW(LatencyTable::measure(spaces::make_space("enas_micro(nodes=2)"), NetworkOptions(), kQuick),
               std::invalid_argument);
}

TEST(LatencyTable, TimesAWholeNetwork) {
  const auto space = spaces::make_space(kSpace);
  spaces::Rng rng(3);
  EXPECT_GT(time_network(space, NetworkOptions(), space->random(rng), 2, kQuick), 0.0);
}

}  // namespace
}  // namespace childnets
