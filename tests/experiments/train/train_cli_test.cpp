#include "experiments/train/train_cli.h"

#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <regex>
#include <sstream>

#include "childnets/child_network.h"
#include "experiments/archive/checkpoint.h"
#include "experiments/archive/run_archive.h"
#include "experiments/archive/train_archive.h"
#include "experiments/config/train_schema.h"
#include "experiments/harness/external_command.h"
#include "experiments/train/train_loop.h"
#include "spaces/infra/number_text.h"
#include "spaces/presets.h"
#include "spaces/registry.h"
#include "tests/experiments/data/data_files.h"

namespace experiments {
namespace {

const std::string kConfigs = std::string(NAS_SOURCE_DIR) + "/experiments/configs/";

struct Outcome {
  int code = 0;
  std::string out, err;
};

Outcome train_arch(std::vector<std::string> args) {
  args.insert(args.begin(), "train_arch");
  std::ostringstream out, err;
  const int code = run_train_cli(args, out, err);
  return {code, out.str(), err.str()};
}

std::int64_t printed(const std::string& text, const std::string& label) {
  std::smatch match;
  if (!std::regex_search(text, match, std::regex(label + ": (\\d+)"))) return -1;
  return std::stoll(match[1]);
}

// The paper config of each preset: dry runs print the parameter count of the
// network the config builds, equal to the sum over the built module's
// parameters (without the auxiliary head, and with it where the paper
// trains one: all but ENAS's macro network).
TEST(TrainArch, EveryPresetDryRunsAtItsPaperConfigWithTheBuiltModulesParameterCount) {
  const std::map<std::string, std::string> config_of = {{"enas_micro_final", "enas_micro_final_cifar10.toml"},
                                                        {"enas_macro_final", "enas_macro_final_cifar10.toml"},
                                                        {"nao_ws_final", "nao_ws_final_cifar10.toml"},
                                                        {"naonet", "naonet_final_cifar10.toml"},
                                                        {"darts_v1", "darts_v1_cifar10.toml"},
                                                        {"darts_v2", "darts_v2_cifar10.toml"}};
  for (const spaces::ArchPreset& preset : spaces::arch_presets()) {
    SCOPED_TRACE(preset.name);
    const std::string config_path = kConfigs + config_of.at(preset.name);
    const Outcome dry = train_arch({"--config", config_path, "--arch", preset.name, "--dry-run"});
    ASSERT_EQ(dry.code, 0) << dry.err;
    const ExperimentConfig config = ExperimentConfig::load(train_schema(), config_path, {});
    const spaces::SpacePtr space = spaces::make_space(preset.space);
    auto network = childnets::ChildNetworkImpl::standalone(
        space, train_network_options(config, choose_arch(preset.space, preset.name)), space->parse(preset.text));
    std::int64_t total = 0, aux = 0;
    for (const auto& item : network->named_parameters()) {
      total += item.value().numel();
      if (item.key().find("aux") != std::string::npos) aux += item.value().numel();
    }
    EXPECT_EQ(printed(dry.out, "parameters"), total - aux);
    if (config.section("network").get_bool("auxiliary")) {
      EXPECT_GT(aux, 0);
      EXPECT_EQ(printed(dry.out, "parameters with the auxiliary head"), total);
    } else {  // ENAS's macro network has none (its model drops the script's flag)
      EXPECT_EQ(preset.name, "enas_macro_final");
      EXPECT_EQ(dry.out.find("with the auxiliary head"), std::string::npos);
    }
    EXPECT_GT(printed(dry.out, "multiply-accumulates per image"), 0);
    EXPECT_NE(dry.out.find(space->to_string(space->parse(preset.text))), std::string::npos);
  }
}

// [network] form "auto": a preset its authors trained in ENAS's fixed-arc
// form builds that form; the same cell given as text, or form = "search",
// builds the search-time form, which is smaller.
TEST(TrainArch, ThePublishedPresetsBuildTheirAuthorsFormUnlessToldOtherwise) {
  const auto parameters = [](std::vector<std::string> args) {
    args.push_back("--dry-run");
    const Outcome dry = train_arch(args);
    EXPECT_EQ(dry.code, 0) << dry.err;
    return printed(dry.out, "parameters");
  };
  const std::string text = spaces::find_arch_preset("enas_micro_final")->text;
  const std::int64_t preset = parameters({"--arch", "enas_micro_final"});
  const std::int64_t as_text = parameters({"--space", "enas_micro(nodes=5)", "--arch", text});
  EXPECT_GT(preset, as_text);
  EXPECT_EQ(parameters({"--arch", "enas_micro_final", "--set", "network.form=search"}), as_text);
  EXPECT_EQ(parameters({"--space", "enas_micro(nodes=5)", "--arch", text, "--set", "network.form=fixed_arc"}), preset);
  EXPECT_EQ(parameters({"--arch", "darts_v2", "--set", "network.form=auto"}),
            parameters({"--arch", "darts_v2", "--set", "network.form=search"}));
}

TEST(TrainArch, TheFashionMnistFinalConfigListsTheDefaults) {
  // to_toml's first line names the source; the rest must agree.
  const auto body = [](const std::string& text) { return text.substr(text.find('\n')); };
  EXPECT_EQ(body(ExperimentConfig::load(train_schema(), kConfigs + "fashion_mnist_final.toml", {}).to_toml()),
            body(ExperimentConfig::load(train_schema(), "", {}).to_toml()));
}

TEST(TrainArch, TheConfigAloneNamesThePresetAndArchWithSpaceParsesAnyFormat) {
  const Outcome from_config = train_arch({"--config", kConfigs + "darts_v2_cifar10.toml", "--dry-run"});
  ASSERT_EQ(from_config.code, 0) << from_config.err;
  EXPECT_NE(from_config.out.find("preset darts_v2"), std::string::npos);
  const spaces::SpacePtr darts = spaces::make_space("darts");
  const std::string arc = darts->to_string(darts->parse(spaces::find_arch_preset("darts_v2")->text), "arc");
  const Outcome from_text = train_arch({"--space", "darts", "--arch", arc, "--dry-run"});
  ASSERT_EQ(from_text.code, 0) << from_text.err;
  EXPECT_NE(from_text.out.find(spaces::find_arch_preset("darts_v2")->text), std::string::npos);
}

// A search archive with three final rows, not in accuracy order.
void write_search_archive(const std::string& dir, const spaces::SearchSpace& space,
                          const std::vector<std::pair<spaces::Arch, double>>& finals) {
  std::filesystem::create_directories(dir);
  auto archive = RunArchive::create(dir + "/run.h5", space.spec(), "");
  std::vector<spaces::Record> rows;
  const auto row = [&](const std::string& phase, const spaces::Arch& arch, double accuracy) {
    return spaces::Record("archs")
        .set("phase", phase)
        .set("tokens", arch.tokens)
        .set("canonical", space.to_string(arch))
        .set("accuracy", accuracy);
  };
  rows.push_back(row("child", finals[0].first, 0.99));  // not final: ignored
  for (const auto& [arch, accuracy] : finals) rows.push_back(row("final", arch, accuracy));
  archive->append(rows);
}

TEST(TrainArch, FromRunPicksTheKthBestFinalArchitecture) {
  testing::TempDir runs;
  const spaces::SpacePtr space = spaces::make_space("enas_micro(nodes=2)");
  spaces::Rng rng(3);
  const spaces::Arch a = space->random(rng), b = space->random(rng), c = space->random(rng);
  write_search_archive(runs.file("search"), *space, {{a, 0.50}, {b, 0.70}, {c, 0.60}});
  for (const auto& [rank, expected] : std::vector<std::pair<std::string, spaces::Arch>>{{"1", b}, {"2", c}, {"3", a}}) {
    const Outcome dry = train_arch({"--from-run", runs.file("search"), "--rank", rank, "--dry-run"});
    ASSERT_EQ(dry.code, 0) << dry.err;
    EXPECT_NE(dry.out.find("): " + space->to_string(expected) + "\n"), std::string::npos) << "rank " << rank;
  }
  const Outcome too_far = train_arch({"--from-run", runs.file("search"), "--rank", "4", "--dry-run"});
  EXPECT_EQ(too_far.code, 2);
  EXPECT_NE(too_far.err.find("ranks 3 architectures"), std::string::npos) << too_far.err;
  const Outcome missing = train_arch({"--from-run", runs.file("nothing"), "--dry-run"});
  EXPECT_EQ(missing.code, 2);
  EXPECT_NE(missing.err.find("run.h5: no such run archive"), std::string::npos) << missing.err;
}

std::vector<std::string> tiny_training(const testing::TempDir& data, const std::string& run_dir) {
  return {"--space",   "enas_micro(nodes=2)",
          "--arch",    "0 0 1 1 2 2 0 3 0 1 1 4 2 0 1 3",
          "--run-dir", run_dir,
          "--set",     "data.dataset=mnist",
          "--set",     "data.path=" + data.path().string(),
          "--set",     "network.channels=4",
          "--set",     "network.cells_per_stage=0",
          "--set",     "network.auxiliary=true",
          "--set",     "train.epochs=2",
          "--set",     "train.batch_size=16",
          "--set",     "train.steps_per_epoch=3",
          "--set",     "train.drop_path=0.3",
          "--set",     "network.dropout=0.2",
          "--set",     "run.threads=1"};
}

TEST(TrainArch, TwoEpochsOnATinySetWriteTheArchiveAndResumeExactly) {
  testing::TempDir data, runs;
  testing::write_mnist_like(data, "train", 96, true);
  testing::write_mnist_like(data, "t10k", 40, true);
  const Outcome whole = train_arch(tiny_training(data, runs.file("whole")));
  ASSERT_EQ(whole.code, 0) << whole.err;
  EXPECT_NE(whole.out.find("trained 2 epochs"), std::string::npos) << whole.out;
  const std::string arch = "0 0 1 1 2 2 0 3 0 1 1 4 2 0 1 3";
  const std::vector<EpochRecord> records =
      TrainArchive::open(runs.file("whole") + "/run.h5", "enas_micro(nodes=2)", arch)->read();
  ASSERT_EQ(records.size(), 2u);
  EXPECT_EQ(records[1].epoch, 2);
  EXPECT_GT(records[1].seconds, records[0].seconds);
  EXPECT_GT(records[0].lr, records[1].lr);  // cosine decays
  EXPECT_GT(records[1].drop_path, records[0].drop_path);

  // Interrupted after epoch 1: the epoch-2 checkpoint never landed.
  const Outcome parts = train_arch(tiny_training(data, runs.file("parts")));
  ASSERT_EQ(parts.code, 0) << parts.err;
  std::filesystem::remove(checkpoint_path(runs.file("parts") + "/checkpoints", 2));
  const Outcome resumed = train_arch({"--resume", runs.file("parts")});
  ASSERT_EQ(resumed.code, 0) << resumed.err;
  const std::vector<EpochRecord> again =
      TrainArchive::open(runs.file("parts") + "/run.h5", "enas_micro(nodes=2)", arch)->read();
  ASSERT_EQ(again.size(), 2u);
  for (std::size_t i = 0; i < 2; ++i) {
    EXPECT_EQ(again[i].train_loss, records[i].train_loss) << "epoch " << i + 1;
    EXPECT_EQ(again[i].test_loss, records[i].test_loss) << "epoch " << i + 1;
    EXPECT_EQ(again[i].test_accuracy, records[i].test_accuracy) << "epoch " << i + 1;
  }
  const Checkpoint a = read_checkpoint(checkpoint_path(runs.file("whole") + "/checkpoints", 2));
  const Checkpoint b = read_checkpoint(checkpoint_path(runs.file("parts") + "/checkpoints", 2));
  for (const auto& [name, tensor] : a.tensors) {
    if (name.rfind("network.", 0) == 0) {
      EXPECT_TRUE(torch::equal(tensor, b.tensors.at(name))) << name;
    }
  }
}

// test_every skips the test set between its epochs and always tests the
// last; the evaluation touches no training state, so the weights and the
// tested epochs' numbers equal those of a run that tests every epoch.
TEST(TrainArch, TestEverySkipsEpochsWithoutChangingTheTraining) {
  testing::TempDir data, runs;
  testing::write_mnist_like(data, "train", 96, true);
  testing::write_mnist_like(data, "t10k", 40, true);
  const std::string arch = "0 0 1 1 2 2 0 3 0 1 1 4 2 0 1 3";
  const auto train = [&](const std::string& name, const std::string& test_every) {
    std::vector<std::string> args = tiny_training(data, runs.file(name));
    args.insert(args.end(), {"--set", "train.epochs=3", "--set", "train.test_every=" + test_every, "--set",
                             "run.keep_checkpoints=0"});
    const Outcome outcome = train_arch(args);
    EXPECT_EQ(outcome.code, 0) << outcome.err;
    return std::make_pair(outcome,
                          TrainArchive::open(runs.file(name) + "/run.h5", "enas_micro(nodes=2)", arch)->read());
  };
  const auto [every_out, all] = train("every", "1");
  const auto [sparse_out, some] = train("sparse", "2");
  const auto [last_out, last_only] = train("last", "0");
  ASSERT_EQ(all.size(), 3u);
  ASSERT_EQ(some.size(), 3u);
  ASSERT_EQ(last_only.size(), 3u);
  EXPECT_FALSE(some[0].tested());
  EXPECT_TRUE(std::isnan(some[0].test_loss));
  EXPECT_TRUE(some[1].tested());  // epoch 2: a multiple of 2
  EXPECT_TRUE(some[2].tested());  // epoch 3: the last
  EXPECT_FALSE(last_only[0].tested());
  EXPECT_FALSE(last_only[1].tested());
  EXPECT_TRUE(last_only[2].tested());
  for (std::size_t i = 0; i < 3; ++i) {
    EXPECT_TRUE(all[i].tested());
    EXPECT_EQ(some[i].train_loss, all[i].train_loss) << "epoch " << i + 1;
    EXPECT_EQ(last_only[i].train_loss, all[i].train_loss) << "epoch " << i + 1;
    if (some[i].tested()) {
      EXPECT_EQ(some[i].test_accuracy, all[i].test_accuracy) << "epoch " << i + 1;
    }
  }
  EXPECT_EQ(last_only[2].test_loss, all[2].test_loss);
  // The same weights at the end, whichever epochs were tested.
  const Checkpoint a = read_checkpoint(checkpoint_path(runs.file("every") + "/checkpoints", 3));
  const Checkpoint b = read_checkpoint(checkpoint_path(runs.file("last") + "/checkpoints", 3));
  for (const auto& [name, tensor] : a.tensors) {
    if (name.rfind("network.", 0) == 0) {
      EXPECT_TRUE(torch::equal(tensor, b.tensors.at(name))) << name;
    }
  }
  const std::string log = read_whole_file(runs.file("sparse") + "/log.txt");
  EXPECT_NE(log.find("epoch 1/3: train loss "), std::string::npos) << log;
  EXPECT_NE(log.find(", not tested, lr "), std::string::npos) << log;
  const std::size_t second = log.find("epoch 2/3: train loss ");
  ASSERT_NE(second, std::string::npos) << log;
  EXPECT_NE(log.substr(second, log.find('\n', second) - second).find(", test loss "), std::string::npos) << log;
  // The best epoch is chosen among the tested ones.
  const std::int64_t best = some[1].test_accuracy >= some[2].test_accuracy ? 2 : 3;
  EXPECT_NE(sparse_out.out.find("(best, epoch " + std::to_string(best)), std::string::npos) << sparse_out.out;
  EXPECT_NE(last_out.out.find("(last), " + spaces::fixed(all[2].test_accuracy, 4) + " (best, epoch 3)"),
            std::string::npos)
      << last_out.out;
  // A resume that trains nothing more can end on an untested epoch: it says so.
  for (int epoch : {2, 3}) std::filesystem::remove(checkpoint_path(runs.file("last") + "/checkpoints", epoch));
  const Outcome shortened = train_arch({"--resume", runs.file("last"), "--set", "train.epochs=1"});
  ASSERT_EQ(shortened.code, 0) << shortened.err;
  EXPECT_NE(shortened.out.find("trained 1 epochs in "), std::string::npos) << shortened.out;
  EXPECT_NE(shortened.out.find(" min; no epoch was tested\n"), std::string::npos) << shortened.out;
}

// A finished training extended on resume records what ran; what it trains
// and on what cannot change, and a network setting is named when the
// checkpoint no longer fits.
TEST(TrainArch, ResumeRecordsChangedSettingsAndRefusesFixedOnesByName) {
  testing::TempDir data, runs;
  testing::write_mnist_like(data, "train", 96, true);
  testing::write_mnist_like(data, "t10k", 40, true);
  const std::string dir = runs.file("run"), arch = "0 0 1 1 2 2 0 3 0 1 1 4 2 0 1 3";
  std::vector<std::string> first = tiny_training(data, dir);
  first.insert(first.end(), {"--set", "train.epochs=1"});
  ASSERT_EQ(train_arch(first).code, 0);
  for (const auto& [setting, expected] : std::vector<std::pair<std::string, std::string>>{
           {"data.test_limit=10", "--set data.test_limit=10: [data] test_limit = 10: cannot change on resume"},
           {"network.channels=8", "the checkpoint does not load with the changed settings (network.channels 4 -> 8"}}) {
    const Outcome refused = train_arch({"--resume", dir, "--set", setting});
    EXPECT_EQ(refused.code, 2) << setting;
    EXPECT_NE(refused.err.find(expected), std::string::npos) << refused.err;
  }
  const Outcome extended = train_arch({"--resume", dir, "--set", "train.epochs=2"});
  ASSERT_EQ(extended.code, 0) << extended.err;
  const auto archive = TrainArchive::open(dir + "/run.h5", "enas_micro(nodes=2)", arch);
  EXPECT_EQ(archive->read().size(), 2u);
  const std::string config = archive->config();
  EXPECT_EQ(config.find("# resumed after epoch 1 ("), 0u) << config;
  EXPECT_NE(config.find("): train.epochs 1 -> 2\n"), std::string::npos) << config;
  EXPECT_NE(config.find("\nepochs = 2\n"), std::string::npos) << config;
}

// A preset trained in its authors' fixed-arc form by "auto" records the
// form it resolved to, so a resume (whose config holds the architecture's
// text, not the preset's name) builds the same network.
TEST(TrainArch, APresetsResolvedFormIsRecordedAndResumed) {
  testing::TempDir data, runs;
  testing::write_mnist_like(data, "train", 96, true);
  testing::write_mnist_like(data, "t10k", 40, true);
  const std::string dir = runs.file("run");
  std::vector<std::string> first = tiny_training(data, dir);
  first.erase(first.begin(), first.begin() + 4);  // --space and --arch
  first.insert(first.end(),
               {"--arch", "enas_micro_final", "--set", "network.auxiliary=false", "--set", "train.epochs=1"});
  const Outcome trained = train_arch(first);
  ASSERT_EQ(trained.code, 0) << trained.err;
  EXPECT_NE(trained.out.find("built as the authors' fixed-arc code builds it"), std::string::npos) << trained.out;
  EXPECT_NE(read_whole_file(dir + "/config.toml").find("form = 'fixed_arc'"), std::string::npos);
  const Outcome resumed = train_arch({"--resume", dir, "--set", "train.epochs=2"});
  EXPECT_EQ(resumed.code, 0) << resumed.err;
}

TEST(TrainArch, BadInputsExitWithTwoNameTheProblemAndCreateNothing) {
  testing::TempDir runs;
  const std::string dir = runs.file("run");
  const auto expect_refused = [&](std::vector<std::string> args, const std::string& message) {
    args.insert(args.end(), {"--run-dir", dir});
    const Outcome outcome = train_arch(args);
    EXPECT_EQ(outcome.code, 2) << message;
    EXPECT_NE(outcome.err.find(message), std::string::npos) << outcome.err;
    EXPECT_FALSE(std::filesystem::exists(dir));
  };
  expect_refused({"--space", "enas_micro", "--arch", "0 0 1 9"}, "enas_micro");
  expect_refused({"--space", "enas_micro(nodes=2)", "--arch", "0 0 1 9 2 2 0 3 0 1 1 4 2 0 1 3"}, "9");
  expect_refused({"--arch", "not_a_preset"}, "not a preset name");
  expect_refused({"--space", "darts", "--arch", "enas_micro_final"}, "preset enas_micro_final is an architecture of");
  expect_refused({"--arch", "darts_v2", "--set", "train.epoch=3"}, "epoch");
  expect_refused({"--arch", "darts_v2", "--set", "train.lr_schedule=step"}, "lr_schedule");
  expect_refused({"--arch", "darts_v2", "--config", runs.file("missing.toml")}, "missing.toml");
  expect_refused({"--arch", "darts_v2", "--set", "data.dataset=cifar10"}, "path");
  expect_refused({}, "no architecture");
  // Values checked against the data or each other, at their place.
  testing::TempDir data;
  testing::write_mnist_like(data, "train", 100, true);
  testing::write_mnist_like(data, "t10k", 20, true);
  const std::vector<std::string> tiny = {
      "--arch", "darts_v2", "--set", "data.dataset=mnist", "--set", "data.path=" + data.path().string()};
  auto with = [&](std::vector<std::string> extra) {
    std::vector<std::string> args = tiny;
    for (const std::string& setting : extra) args.insert(args.end(), {"--set", setting});
    return args;
  };
  expect_refused(with({"train.batch_size=101"}),
                 "--set train.batch_size=101: [train] batch_size = 101: larger than the 100 images of the training "
                 "split");
  expect_refused(with({"data.cutout=60"}), "--set data.cutout=60: [data] cutout = 60: a cutout square");
  expect_refused(with({"train.lr_min=1", "train.lr_max=0.5"}), "[train] lr_min = 1.0: above lr_max = 0.5");
  expect_refused(with({"train.momentum=0", "train.nesterov=true"}), "[train] nesterov = true: Nesterov momentum");
  expect_refused(with({"train.drop_path=1"}), "option 'drop_path' is 1, must be in [0, 1)");
  expect_refused(with({"network.dropout=1.0"}), "option 'dropout' is 1, must be in [0, 1)");
  expect_refused(with({"train.label_smoothing=1"}), "option 'label_smoothing' is 1, must be in [0, 1)");
}

}  // namespace
}  // namespace experiments
