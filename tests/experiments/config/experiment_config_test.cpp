#include "experiments/config/experiment_config.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "experiments/config/embedded_configs.h"
#include "experiments/config/search_schema.h"
#include "experiments/config/train_schema.h"
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

// A check made after loading (against the data, or another value) names
// where the value came from: the file's line, the --set, or the source for
// a default; registry options ([controller] lr) included.
TEST(ExperimentConfig, LaterChecksNameTheValuesPlace) {
  testing::TempDir dir;
  const std::string path = write_config(dir, "[data]\nvalidation_size = 70000\n\n[controller]\nname = \"enas\"\n");
  const ExperimentConfig config = ExperimentConfig::load(search_schema(), path, {"child.batch_size=99"});
  EXPECT_EQ(config.where("data", "validation_size"), path + ":2");
  EXPECT_EQ(config.where("child", "batch_size"), "--set child.batch_size=99");
  EXPECT_EQ(config.where("child", "channels"), path);
  EXPECT_EQ(std::string(config.error_at("data", "validation_size", "too many").what()),
            path + ":2: [data] validation_size = 70000: too many");
  EXPECT_EQ(std::string(config.error_at("controller", "lr", "x").what()).find(path + ": [controller] lr = "), 0u);
  EXPECT_EQ(config.settings().at("data.validation_size"), "70000");
  EXPECT_EQ(config.settings().at("controller.name"), "'enas'");
  EXPECT_EQ(config.settings().count("controller.lr"), 1u);
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

// Found by fuzz_config_toml: a whole number was written as "-0" or "5",
// which TOML reads as an integer, so "-0.0" came back as 0. Every number
// now reads back as itself, whole, signed zero, tiny or infinite.
TEST(ExperimentConfig, NumbersReadBackAsTheSameNumbers) {
  for (const char* value : {"-0.0", "5.0", "1e-05", "0.0035"}) {
    const ExperimentConfig first =
        ExperimentConfig::load_text(search_schema(), std::string("[child]\ngrad_clip = ") + value + "\n", "t", {});
    const ExperimentConfig second = ExperimentConfig::load_text(search_schema(), first.to_toml(), "resolved", {});
    EXPECT_EQ(second.settings(), first.settings()) << value;
    EXPECT_EQ(first.settings().at("child.grad_clip"), value);
  }
}

// Found by fuzz_config_toml: a text beginning with a line break was written
// as a multi-line string, whose first line break TOML drops on reading.
TEST(ExperimentConfig, TextsReadBackAsTheSameTexts) {
  for (const char* value : {"\\n", "\\nruns/x", "a'b\\tc", "line 1\\nline 2\\n", "\\u00e9t\\u00e9"}) {
    const ExperimentConfig first =
        ExperimentConfig::load_text(search_schema(), std::string("[run]\ndir = \"") + value + "\"\n", "t", {});
    const ExperimentConfig second = ExperimentConfig::load_text(search_schema(), first.to_toml(), "resolved", {});
    EXPECT_EQ(second.settings(), first.settings()) << value;
  }
}

}  // namespace
}  // namespace experiments

namespace experiments {
namespace {

// Every config in experiments/configs/ is compiled in as the file reads
// now, and loads against its binary's schema (search or final training).
TEST(ShippedConfigs, EveryConfigIsBuiltInAsTheFileReadsAndLoads) {
  const std::string configs = std::string(NAS_SOURCE_DIR) + "/experiments/configs/";
  std::size_t count = 0;
  for (const auto& entry : std::filesystem::directory_iterator(configs)) {
    if (entry.path().extension() != ".toml") continue;
    const std::string name = entry.path().filename().string();
    SCOPED_TRACE(name);
    std::ifstream in(entry.path());
    const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    EXPECT_EQ(embedded_config(name), text);
    const bool training = text.find("\n[train]") != std::string::npos;
    EXPECT_NO_THROW(ExperimentConfig::load(training ? train_schema() : search_schema(), entry.path().string(), {}));
    ++count;
  }
  EXPECT_EQ(count, embedded_config_names().size());
  EXPECT_THROW(embedded_config("no_such.toml"), std::logic_error);
}

TEST(ShippedConfigs, PaperSearchConfigsHoldThePapersSettings) {
  const std::string configs = std::string(NAS_SOURCE_DIR) + "/experiments/configs/";
  const ExperimentConfig pnas = ExperimentConfig::load(search_schema(), configs + "pnas_cifar10.toml", {});
  EXPECT_EQ(pnas.controller_spec().find("pnas("), 0u);
  EXPECT_EQ(pnas.section("search").get_string("evaluation"), "trial");
  const ExperimentConfig nao = ExperimentConfig::load(search_schema(), configs + "nao_ws_cifar10.toml", {});
  EXPECT_EQ(nao.controller_spec().find("nao("), 0u);
  EXPECT_NE(nao.controller_spec().find("seed_archs=1000"), std::string::npos) << nao.controller_spec();
  // DARTS's train_search.py: 8 cells of 16 channels, batch 64, 50 epochs, SGD 0.025 cosine to 0.001
  // (momentum 0.9, weight decay 3e-4, clip 5), half the training set for α, α's Adam 3e-4 (0.5, 0.999), 1e-3.
  const ExperimentConfig darts = ExperimentConfig::load(search_schema(), configs + "darts_search_cifar10.toml", {});
  const auto& child = darts.section("child");
  EXPECT_EQ(darts.space_spec(), "darts(allow_none=false,nodes=4)");
  EXPECT_EQ(child.get_int("channels"), 16);
  EXPECT_EQ(3 * child.get_int("cells_per_stage") + 2, 8);
  EXPECT_EQ(child.get_int("batch_size"), 64);
  EXPECT_EQ(darts.section("search").get_int("epochs"), 50);
  EXPECT_DOUBLE_EQ(child.get_double("lr_max"), 0.025);
  EXPECT_DOUBLE_EQ(child.get_double("lr_min"), 0.001);
  EXPECT_DOUBLE_EQ(child.get_double("lr_t0"), 50.0);  // one cosine period over the search
  EXPECT_DOUBLE_EQ(child.get_double("momentum"), 0.9);
  EXPECT_FALSE(child.get_bool("nesterov"));
  EXPECT_DOUBLE_EQ(child.get_double("weight_decay"), 3e-4);
  EXPECT_DOUBLE_EQ(child.get_double("grad_clip"), 5.0);
  EXPECT_EQ(darts.section("data").get_int("validation_size"), 25000);
  EXPECT_EQ(darts.controller_spec(),
            "darts(beta1=0.5,beta2=0.999,init_scale=0.001,lr=3e-04,order=1,warmup_epochs=0,weight_decay=0.001)");
}

}  // namespace
}  // namespace experiments
