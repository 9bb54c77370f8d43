#include "experiments/config/search_schema.h"

#include "experiments/config/common_schema.h"

#include <cstdint>

namespace experiments {
namespace {

std::vector<spaces::ParamSpec> search_data_keys() {
  std::vector<spaces::ParamSpec> keys = data_set_keys();
  keys.insert(keys.begin() + 2,
              spaces::ParamSpec{"validation_size", std::int64_t{5000}, "training images held out for rewards", 1, 1e7});
  return keys;
}

// The child network and its training (ENAS's search: SGD with warm restarts).
std::vector<spaces::ParamSpec> child_keys() {
  using spaces::ParamSpec;
  using I = std::int64_t;
  std::vector<ParamSpec> keys = {
      ParamSpec{"channels", I{20}, "channels of the first stage", 1, 4096},
      ParamSpec{"cells_per_stage", I{2}, "normal cells per stage (ENAS num_layers / 3)", 0, 64},
      ParamSpec{"stem_multiplier", I{3}, "stem width in units of channels", 1, 16},
      ParamSpec{"factorized_reductions", true, "ENAS search-time reduction cells"},
      ParamSpec{"batch_size", I{64}, "child training batch", 1, 100000}};
  for (ParamSpec& key : sgd_keys(1e-4)) keys.push_back(std::move(key));
  keys.push_back(ParamSpec{"dropout", 0.0, "dropout before the classifier", 0, 1});
  keys.push_back(
      ParamSpec{"steps_per_epoch", I{0}, "child steps per epoch (0: one pass over the train split)", 0, 1e9});
  return keys;
}

}  // namespace

const ConfigSchema& search_schema() {
  using spaces::ParamSpec;
  using I = std::int64_t;
  static const ConfigSchema schema = {
      run_section("runs/enas-fashion-mnist-{time}",
                  {ParamSpec{"checkpoint_evaluations", I{0},
                             "also checkpoint within a controller phase after every N candidate evaluations (0: at "
                             "epoch ends only); for slow evaluations such as standalone training",
                             0, 1e9}}),
      {"data", search_data_keys()},
      {"space",
       {ParamSpec{"name", std::string("enas_micro"), "registered search space"}},
       ConfigSection::Options::kSpace},
      {"child", child_keys()},
      {"controller",
       {ParamSpec{"name", std::string("enas"), "registered controller"},
        ParamSpec{"updates_per_epoch", I{30}, "controller updates per epoch", 0, 1e6},
        ParamSpec{"archs_per_update", I{10}, "architectures per update (ENAS aggregates 10)", 1, 100000},
        ParamSpec{"valid_batch_size", I{128}, "validation minibatch per reward", 1, 100000}},
       ConfigSection::Options::kController},
      {"search",
       {ParamSpec{"epochs", I{10}, "search epochs", 1, 1e6},
        ParamSpec{"top_k", I{5}, "best architectures re-evaluated on the whole validation split at the end", 0, 10000},
        ParamSpec{"evaluation",
                  std::string("shared"),
                  "how a proposal is scored: shared (the shared weights) or standalone (trained from scratch)",
                  0,
                  0,
                  {"shared", "standalone"}},
        ParamSpec{"standalone_epochs", 0.1,
                  "standalone evaluation: training epochs (fractions allowed) over the train split", 1e-6, 1e4}}},
  };
  return schema;
}

const std::vector<std::string>& pnas_search_defaults() {
  // Each stage completes in one epoch (14 x 10 >= 136 proposals), after a
  // child phase of 650 steps that trains the shared weights on its beam.
  static const std::vector<std::string> defaults = {"run.dir=runs/pnas-fashion-mnist-{time}",
                                                    "space.name=pnas",
                                                    "space.blocks=5",
                                                    "controller.name=pnas",
                                                    "controller.beam=64",
                                                    "controller.updates_per_epoch=14",
                                                    "child.steps_per_epoch=650",
                                                    "search.epochs=10"};
  return defaults;
}

const std::vector<std::string>& nao_search_defaults() {
  // Each cycle completes in one epoch (30 x 10 proposals score the pool of
  // 300), after a child phase of 500 steps on the pool.
  static const std::vector<std::string> defaults = {"run.dir=runs/nao-fashion-mnist-{time}",
                                                    "space.name=nao",
                                                    "space.nodes=5",
                                                    "controller.name=nao",
                                                    "controller.seed_archs=300",
                                                    "controller.cycles=4",
                                                    "controller.top_k=50",
                                                    "controller.new_archs=150",
                                                    "controller.random_archs=15",
                                                    "controller.epochs=200",
                                                    "controller.updates_per_epoch=30",
                                                    "child.steps_per_epoch=500",
                                                    "search.epochs=10"};
  return defaults;
}

}  // namespace experiments
