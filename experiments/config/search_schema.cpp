#include "experiments/config/search_schema.h"

#include "experiments/config/common_schema.h"

#include "controllers/performance_predictor.h"

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
  keys.push_back(ParamSpec{"dropout", 0.0, "dropout before the classifier", 0, 1}.open_above());
  keys.push_back(
      ParamSpec{"steps_per_epoch", I{0}, "child steps per epoch (0: one pass over the train split)", 0, 1e9});
  return keys;
}

}  // namespace

const ConfigSchema& search_schema() {
  using spaces::ParamSpec;
  using I = std::int64_t;
  static const ConfigSchema schema = {
      run_section("runs/search-{time}",
                  {ParamSpec{"memory_gb", 0.0,
                             "memory the search may use, GB (0: what the machine has available); a search whose "
                             "weight step needs more is refused before it starts",
                             0, 1e6},
                   ParamSpec{"checkpoint_evaluations", I{0},
                             "also checkpoint within an evaluate phase after every N candidate evaluations (0: at "
                             "phase boundaries and epoch ends only); for slow evaluations such as trials",
                             0, 1e9}}),
      {"data", search_data_keys()},
      {"space",
       {ParamSpec{"name", std::string("enas_micro"), "registered search space"}},
       ConfigSection::Options::kSpace},
      {"child", child_keys()},
      {"controller",
       {ParamSpec{"name", std::string("enas"), "registered controller (nas_search --list)"},
        ParamSpec{"updates_per_epoch", I{30},
                  "updates of an evaluate phase (unless the strategy declares its own: staged strategies evaluate "
                  "their whole stage, DARTS its one genotype)",
                  0, 1e6},
        ParamSpec{"archs_per_update", I{10}, "proposals per update (ENAS aggregates 10)", 1, 100000},
        ParamSpec{"valid_batch_size", I{128}, "validation minibatch per evaluation (and per architecture step)", 1,
                  100000}},
       ConfigSection::Options::kController},
      {"search",
       {ParamSpec{"epochs", I{10}, "search epochs", 1, 1e6},
        ParamSpec{"top_k", I{5}, "architectures measured again at the end (the strategy's result, or its best)", 0,
                  10000},
        ParamSpec{"evaluation",
                  std::string("shared"),
                  "how a candidate is scored: shared (the shared weights), recalibrated (the shared weights after "
                  "batch-norm recalibration, SPOS), trial (trained from scratch) or predictor (fitted on another "
                  "run's measurements)",
                  0,
                  0,
                  {"shared", "recalibrated", "trial", "predictor"}},
        ParamSpec{"recalibration_batches", I{200},
                  "recalibrated evaluation: training minibatches ([child] batch_size) run to re-estimate the batch "
                  "norms' statistics (SPOS's tester: 200 of 128)",
                  1, 1e6},
        ParamSpec{"evaluation_batches", I{40},
                  "recalibrated evaluation: validation minibatches ([controller] valid_batch_size) scored per "
                  "candidate, 0: the whole split (SPOS's tester: 40 of 200)",
                  0, 1e6},
        ParamSpec{"trial_epochs", 0.1, "trial evaluation: training epochs (fractions allowed) over the train split", 0,
                  1e4}
            .open_below(),
        ParamSpec{"trial_early_stop", 0.0,
                  "trial evaluation: a trial of more than one epoch is scored after its first, and stopped there when "
                  "its accuracy is below the best trial's so far by more than this; 0: every trial runs to the end",
                  0, 1},
        ParamSpec{"max_trials", I{0},
                  "stop the search after this many evaluated candidates (architectures already evaluated and "
                  "skipped by skip_seen do not count); 0: no limit",
                  0, 1e9},
        ParamSpec{"max_seconds", 0.0,
                  "stop the search once it has run this long (seconds, summed over resumes), checked before each "
                  "update; 0: no limit",
                  0, 1e9},
        ParamSpec{"skip_seen", false,
                  "a proposal whose network was already evaluated in this run (equal canonical hash) is not "
                  "evaluated again: the strategy gets the earlier metrics and no trial is spent"},
        ParamSpec{"max_params", 0.0,
                  "constraint for strategies that honour one (spos, regularized_evolution): at most this many "
                  "weights per candidate; 0: none",
                  0, 1e15},
        ParamSpec{"max_macs", 0.0,
                  "constraint for strategies that honour one: at most this many multiply-accumulates per image "
                  "(SPOS: flops-limit 330e6 at 224x224); 0: none",
                  0, 1e18},
        ParamSpec{"max_latency_ms", 0.0,
                  "constraint for strategies that honour one: at most this latency_ms (the latency table's "
                  "prediction); 0: none",
                  0, 1e9},
        ParamSpec{"latency_table", std::string(""),
                  "a latency lookup table file (FBNet's: every candidate of every searched layer timed alone on this "
                  "machine): read when it exists and matches this search, else measured and written there; every "
                  "candidate then has latency_ms; '': none (layer-wise spaces: spos)"},
        ParamSpec{"latency_batch", I{1}, "latency table: images per timed pass of latency_ms (FBNet: 1)", 1, 4096},
        ParamSpec{"latency_warmup", I{5}, "latency table: unmeasured passes before each timing", 0, 100000},
        ParamSpec{"latency_runs", I{50}, "latency table: timed passes, the median kept (FBNet: 50)", 1, 100000},
        ParamSpec{"objectives", std::string(""),
                  "the metrics the search optimises, comma-separated, first = the reward (e.g. \"accuracy,macs\"): "
                  "with 2 or 3 the run's Pareto front and hypervolume are archived after every evaluate phase, for any "
                  "strategy; '': the strategy's own"},
        ParamSpec{"hypervolume_reference", std::string(""),
                  "with 2 or 3 objectives: the hypervolume's reference point, one value per objective in its own units "
                  "(e.g. \"0,4e6\"); '': 0 for accuracy, 1.1 x the largest of 100 random architectures for params and "
                  "macs"},
        ParamSpec{"shared_weights_from", std::string(""),
                  "a run directory whose newest checkpoint's shared weights this search starts from (a trained "
                  "supernet searched again under other constraints); same space and [child] shape"},
        ParamSpec{"predictor_data", std::string(""),
                  "predictor evaluation: the run directory whose measured architectures the predictor learns from"},
        ParamSpec{"predictor_model", std::string("ridge"),
                  "predictor evaluation: ridge (linear on one-hot tokens), svr (RBF support vector regression), "
                  "dynas (DyNAS-T's: ridge or SVR, whichever cross-validates better) or mlp (3 x 400 ReLU, OFA's "
                  "accuracy predictor)",
                  0, 0, controllers::predictor_models()},
        ParamSpec{"path_macs_bins", I{0},
                  "weight training on uniform paths: this many equal multiply-accumulate bins of [path_macs_min, "
                  "path_macs_max); each step draws a bin uniformly, then up to 500 uniform paths until one falls in "
                  "it (SPOS: 7 bins of 10e6 from 290e6); 0: plain uniform paths",
                  0, 1000},
        ParamSpec{"path_macs_min", 0.0, "with path_macs_bins: the lowest bin's lower edge (multiply-accumulates)", 0,
                  1e18},
        ParamSpec{"path_macs_max", 0.0, "with path_macs_bins: the highest bin's upper edge (multiply-accumulates)", 0,
                  1e18},
        ParamSpec{"ranking_sample", I{0},
                  "after the search, this many random architectures scored by the evaluator's final measurement, "
                  "for the weight-sharing quality monitor (table 'ranking'); 0: none",
                  0, 100000},
        ParamSpec{"ranking_trial_epochs", 0.0,
                  "with ranking_sample: each also trained from scratch for this many epochs of the train split, and "
                  "Kendall's tau between the two scores logged and archived; 0: no standalone training",
                  0, 1e4}}},
  };
  return schema;
}

}  // namespace experiments
