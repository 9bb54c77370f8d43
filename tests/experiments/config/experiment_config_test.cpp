#include "experiments/config/experiment_config.h"

#include <gtest/gtest.h>

#include <fstream>

#include "experiments/config/search_schema.h"
#include "tests/experiments/data/data_files.h"

namespace experiments {
namespace {

std::string write_config(const testing::TempDir& dir, const std::string& text) {
  const std::string path = dir.file("config.toml");
  std::ofstream(path) << text;
  return path;
}

std::string error_of(const std::string& path, const std::vector<std::string>& overrides = {}) {
  try {
    ExperimentConfig::load(search_schema(), path, overrides);
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "no error";
}

TEST(ExperimentConfig, DefaultsNeedNoFile) {
  const ExperimentConfig config = ExperimentConfig::load(search_schema(), "", {});
  EXPECT_EQ(config.section("child").get_int("channels"), 20);
  EXPECT_EQ(config.space_spec(), "enas_micro(nodes=5)");
  EXPECT_EQ(config.controller_spec().rfind("enas(", 0), 0u);
}

TEST(ExperimentConfig, ReadsTypedKeysAndRegistryOptions) {
  testing::TempDir dir;
  const std::string path = write_config(dir,
                                        "[space]\nname = \"enas_macro\"\nlayers = 6\n"
                                        "[child]\nlr_max = 0.1\nnesterov = false\n"
                                        "[controller]\nname = \"enas\"\nlstm_size = 32\n");
  const ExperimentConfig config =
      ExperimentConfig::load(search_schema(), path, {"child.channels=16", "search.epochs=3"});
  EXPECT_EQ(config.space_spec(), "enas_macro(layers=6)");
  EXPECT_NE(config.controller_spec().find("lstm_size=32"), std::string::npos);
  EXPECT_DOUBLE_EQ(config.section("child").get_double("lr_max"), 0.1);
  EXPECT_FALSE(config.section("child").get_bool("nesterov"));
  EXPECT_EQ(config.section("child").get_int("channels"), 16);
  EXPECT_EQ(config.section("search").get_int("epochs"), 3);
}

TEST(ExperimentConfig, ErrorsNameTheFileLineAndKey) {
  testing::TempDir dir;
  EXPECT_NE(error_of(write_config(dir, "[child]\nchannels = 20\nchanels = 3\n"))
                .find("config.toml:3: [child]: unknown option 'chanels'"),
            std::string::npos);
  EXPECT_NE(error_of(write_config(dir, "[child]\n\nlr_max = \"fast\"\n"))
                .find("config.toml:3: [child]: option 'lr_max' must be a number"),
            std::string::npos);
  EXPECT_NE(error_of(write_config(dir, "[search]\nepochs = 0\n"))
                .find("config.toml:2: [search]: option 'epochs' is 0, must be in [1,"),
            std::string::npos);
  EXPECT_NE(error_of(write_config(dir, "[serach]\nepochs = 3\n")).find("unknown section [serach]"), std::string::npos);
  EXPECT_NE(error_of(write_config(dir, "[space]\nname = \"enas_mikro\"\n"))
                .find("config.toml:2: [space] name: unknown space 'enas_mikro'"),
            std::string::npos);
  EXPECT_NE(error_of(write_config(dir, "[space]\nname = \"pnas\"\nnodes = 3\n"))
                .find("config.toml:3: [space] pnas: unknown option 'nodes'"),
            std::string::npos);
  EXPECT_NE(error_of(write_config(dir, "[child\nchannels = 3\n")).find("config.toml:1:"), std::string::npos);
  EXPECT_NE(error_of(dir.file("missing.toml")).find("no such config file"), std::string::npos);
  EXPECT_NE(error_of("", {"child.channels=many"})
                .find("--set child.channels=many: [child]: option 'channels' must be an integer"),
            std::string::npos);
  EXPECT_NE(error_of("", {"channels=3"}).find("expected section.key=value"), std::string::npos);
}

TEST(ExperimentConfig, ResolvedTomlReadsBackToTheSameConfig) {
  testing::TempDir dir;
  const ExperimentConfig first = ExperimentConfig::load(
      search_schema(), write_config(dir, "[space]\nname = \"genet\"\nstages = [3, 4]\n[data]\npath = \"/tmp/x y\"\n"),
      {});
  const std::string text = first.to_toml();
  std::ofstream(dir.file("resolved.toml")) << text;
  const ExperimentConfig second = ExperimentConfig::load(search_schema(), dir.file("resolved.toml"), {});
  EXPECT_EQ(second.to_toml().substr(second.to_toml().find('\n')), text.substr(text.find('\n')));
  EXPECT_EQ(second.space_spec(), "genet(stages=[3,4])");
}

}  // namespace
}  // namespace experiments

namespace experiments {
namespace {

// Every config in experiments/configs/ loads against its binary's schema.
TEST(ShippedConfigs, PnasConfigsLoadAndTheFashionOneListsPnasSearchsDefaults) {
  const std::string configs = std::string(NAS_SOURCE_DIR) + "/experiments/configs/";
  const auto body = [](const std::string& text) { return text.substr(text.find('\n')); };
  EXPECT_EQ(body(ExperimentConfig::load(search_schema(), configs + "fashion_mnist_pnas.toml", {}).to_toml()),
            body(ExperimentConfig::load(search_schema(), "", pnas_search_defaults()).to_toml()));
  const ExperimentConfig paper = ExperimentConfig::load(search_schema(), configs + "pnas_cifar10.toml", {});
  EXPECT_EQ(paper.controller_spec().find("pnas("), 0u);
  EXPECT_EQ(paper.section("search").get_string("evaluation"), "standalone");
}

TEST(ShippedConfigs, NaoConfigsLoadAndTheFashionOneListsNaoSearchsDefaults) {
  const std::string configs = std::string(NAS_SOURCE_DIR) + "/experiments/configs/";
  const auto body = [](const std::string& text) { return text.substr(text.find('\n')); };
  EXPECT_EQ(body(ExperimentConfig::load(search_schema(), configs + "fashion_mnist_nao.toml", {}).to_toml()),
            body(ExperimentConfig::load(search_schema(), "", nao_search_defaults()).to_toml()));
  const ExperimentConfig paper = ExperimentConfig::load(search_schema(), configs + "nao_ws_cifar10.toml", {});
  EXPECT_EQ(paper.controller_spec().find("nao("), 0u);
  EXPECT_NE(paper.controller_spec().find("seed_archs=1000"), std::string::npos) << paper.controller_spec();
  // One epoch scores the whole pool.
  const auto& controller = paper.section("controller");
  EXPECT_GE(controller.get_int("updates_per_epoch") * controller.get_int("archs_per_update"), 1000);
}

}  // namespace
}  // namespace experiments
