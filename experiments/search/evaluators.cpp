#include "experiments/search/evaluators.h"

#include <cmath>
#include <filesystem>

#include "childnets/batch_norm.h"
#include "childnets/default_generator_guard.h"
#include "controllers/performance_predictor.h"
#include "experiments/archive/run_archive.h"
#include "experiments/config/common_schema.h"
#include "experiments/harness/progress.h"

namespace experiments {
namespace {

controllers::Metrics metrics_of(const childnets::EvalResult& result) {
  return {{"accuracy", result.accuracy()}, {"loss", result.loss}};
}

// The shared weights on one validation minibatch; final: the whole split.
class SharedEvaluator : public Evaluator {
 public:
  using Evaluator::Evaluator;
  BatchDraws search_draws() const override { return {0, 1}; }
  BatchDraws final_draws(const controllers::Metrics*) const override { return {}; }

 protected:
  controllers::Metrics measure(const spaces::Arch& arch) override {
    const Batch batch = context_.next_batch(*context_.valid_batches);
    return metrics_of(childnets::evaluate(*context_.network, batch.images, batch.labels,
                                          context_.space_of(arch)->decode(arch), /*batch_statistics=*/true));
  }
  controllers::Metrics measure_final(const spaces::Arch& arch, const controllers::Metrics*) override {
    return metrics_of(childnets::evaluate_in_batches(
        *context_.network, context_.space_of(arch)->decode(arch), context_.validation_images,
        context_.split.validation.labels, context_.config.section("controller").get_int("valid_batch_size"), true));
  }
};

// The shared weights after SPOS's batch-norm recalibration (tester.py): the
// running statistics reset and re-estimated on [search]
// recalibration_batches training minibatches of this architecture, then
// [search] evaluation_batches validation minibatches scored with them.
class RecalibratedEvaluator : public Evaluator {
 public:
  using Evaluator::Evaluator;
  std::string summary() const override {
    const auto& search = context_.config.section("search");
    const std::int64_t scored = search.get_int("evaluation_batches");
    return "recalibrated: batch-norm statistics re-estimated on " +
           std::to_string(search.get_int("recalibration_batches")) + " training minibatches per candidate, scored on " +
           (scored == 0 ? std::string("the whole validation split")
                        : std::to_string(scored) + " validation minibatches");
  }
  BatchDraws search_draws() const override {
    const auto& search = context_.config.section("search");
    return {search.get_int("recalibration_batches"), search.get_int("evaluation_batches")};
  }
  BatchDraws final_draws(const controllers::Metrics*) const override {
    return {context_.config.section("search").get_int("recalibration_batches"), 0};
  }

 protected:
  controllers::Metrics measure(const spaces::Arch& arch) override {
    const auto& search = context_.config.section("search");
    const spaces::ArchGraph graph = context_.space_of(arch)->decode(arch);
    recalibrate(arch, graph);
    const std::int64_t scored = search.get_int("evaluation_batches");
    if (scored == 0) return measure_final_with(graph);
    childnets::EvalResult total;
    for (std::int64_t i = 0; i < scored; ++i) {
      const Batch batch = context_.next_batch(*context_.valid_batches);
      total += childnets::evaluate(*context_.network, batch.images, batch.labels, graph);
    }
    return metrics_of(total);
  }
  controllers::Metrics measure_final(const spaces::Arch& arch, const controllers::Metrics*) override {
    const spaces::ArchGraph graph = context_.space_of(arch)->decode(arch);
    recalibrate(arch, graph);
    return measure_final_with(graph);
  }

 private:
  void recalibrate(const spaces::Arch& arch, const spaces::ArchGraph& graph) {
    // Training mode draws dropout masks: from the candidate's own seed, not from what this rank ran before.
    const childnets::DefaultGeneratorGuard keep;
    torch::manual_seed(candidate_seed(arch));
    childnets::recalibrate_batch_norm(
        *context_.network, graph, [&] { return context_.next_batch(*context_.train_batches).images; },
        context_.config.section("search").get_int("recalibration_batches"));
  }
  controllers::Metrics measure_final_with(const spaces::ArchGraph& graph) {
    return metrics_of(childnets::evaluate_in_batches(
        *context_.network, graph, context_.validation_images, context_.split.validation.labels,
        context_.config.section("controller").get_int("valid_batch_size")));
  }
};

// A network trained from scratch for the candidate; scored on the whole validation split.
class TrialEvaluator : public Evaluator {
 public:
  TrialEvaluator(SearchContext& context, double epochs) : Evaluator(context), epochs_(epochs) {}
  BatchDraws search_draws() const override { return {steps(), 0}; }
  BatchDraws final_draws(const controllers::Metrics* measured) const override {
    return measured != nullptr ? BatchDraws{} : search_draws();
  }

 protected:
  controllers::Metrics measure(const spaces::Arch& arch) override {
    const auto& child = context_.config.section("child");
    const spaces::SpacePtr& space = context_.space_of(arch);
    const spaces::ArchGraph graph = space->decode(arch);
    // Seeded by the candidate and where its batches start, not by what ran before on this rank.
    const childnets::DefaultGeneratorGuard keep;
    torch::manual_seed(candidate_seed(arch));
    auto network = childnets::ChildNetworkImpl::standalone(space, context_.network_options, arch);
    network->to(context_.placement.device);
    auto sgd = childnets::make_sgd(network->trainable_parameters(), sgd_options_of(child));
    // The trial trains on this rank alone: nothing to average with the others.
    const childnets::StepOptions step_options = childnets::StepOptions(context_.step_options).reduce_gradients(nullptr);
    const std::int64_t per_epoch = context_.train_batches->batches_per_epoch();
    const std::int64_t total_steps = steps();
    const double margin = context_.config.section("search").get_double("trial_early_stop");
    const std::int64_t valid_batch = context_.config.section("controller").get_int("valid_batch_size");
    const auto score = [&] {
      return metrics_of(childnets::evaluate_in_batches(*network, graph, context_.validation_images,
                                                       context_.split.validation.labels, valid_batch, false));
    };
    for (std::int64_t step = 0; step < total_steps; ++step) {
      childnets::set_learning_rate(*sgd, childnets::cosine_lr(double(step), double(total_steps),
                                                              child.get_double("lr_max"), child.get_double("lr_min")));
      const Batch batch = context_.next_batch(*context_.train_batches);
      childnets::train_step(*network, *sgd, batch.images, batch.labels, graph, step_options);
      // After the first of several epochs, a trial clearly worse than the best so far stops.
      if (margin > 0 && step + 1 == per_epoch && step + 1 < total_steps && !std::isnan(context_.best_accuracy)) {
        controllers::Metrics early = score();
        if (early.at("accuracy") < context_.best_accuracy - margin) {
          early["stopped_early"] = 1.0;
          context_.train_batches->skip(total_steps - step -
                                       1);  // an evaluation draws search_draws() whatever its outcome
          return early;
        }
      }
    }
    controllers::Metrics metrics = score();
    if (margin > 0) metrics["stopped_early"] = 0.0;
    return metrics;
  }
  controllers::Metrics measure_final(const spaces::Arch& arch, const controllers::Metrics* measured) override {
    return measured != nullptr ? *measured : measure(arch);
  }

 private:
  // Weight steps of one trial: epochs_ of the training split, at least one.
  std::int64_t steps() const {
    return std::max<std::int64_t>(1, std::llround(epochs_ * double(context_.train_batches->batches_per_epoch())));
  }
  double epochs_;
};

// Ridge regression fitted on what another run of the same space measured.
class PredictorEvaluator : public Evaluator {
 public:
  explicit PredictorEvaluator(SearchContext& context) : Evaluator(context) {
    const std::string dir = context.config.section("search").get_string("predictor_data");
    if (dir.empty()) {
      throw ConfigError(context.config.source() +
                        ": [search] evaluation = \"predictor\" needs predictor_data, the run directory whose "
                        "measurements it learns from");
    }
    const std::string path = (std::filesystem::path(dir) / "run.h5").string();
    const SearchOutcome outcome = read_search_outcome(path);
    if (outcome.space != context.space->spec()) {
      throw ConfigError("[search] predictor_data: " + path + " measured space " + outcome.space +
                        ", this search is of " + context.space->spec());
    }
    const TableColumns archs = read_archive_table(path, "archs");
    std::vector<std::vector<std::int64_t>> tokens;
    std::vector<double> accuracy, loss;
    const auto number = [&](const char* column, std::size_t row) {
      const auto it = archs.numbers.find(column);
      return it == archs.numbers.end() ? std::nan("") : it->second[row];
    };
    for (std::size_t i = 0; i < archs.rows; ++i) {
      if (archs.texts.at("phase")[i] == "child" || std::isnan(number("accuracy", i))) continue;
      tokens.push_back(archs.integer_rows.at("tokens")[i]);
      accuracy.push_back(number("accuracy", i));
      loss.push_back(number("loss", i));
    }
    if (tokens.size() < 10) {
      throw ConfigError("[search] predictor_data: " + path + " holds " + std::to_string(tokens.size()) +
                        " measured architectures; a predictor needs at least 10");
    }
    const std::string model = context.config.section("search").get_string("predictor_model");
    const auto seed = static_cast<std::uint64_t>(context.config.section("run").get_int("seed"));
    accuracy_ = controllers::make_predictor(model, context.space, seed);
    accuracy_->fit(tokens, accuracy);
    if (std::none_of(loss.begin(), loss.end(), [](double l) { return std::isnan(l); })) {
      loss_ = controllers::make_predictor(model, context.space, seed + 1);
      loss_->fit(tokens, loss);
    }
    summary_ = "predictor: " + std::to_string(tokens.size()) + " architectures of " + path +
               "; accuracy: " + accuracy_->summary();
  }
  std::string summary() const override { return summary_; }
  BatchDraws search_draws() const override { return {}; }
  BatchDraws final_draws(const controllers::Metrics*) const override { return {}; }

 protected:
  controllers::Metrics measure(const spaces::Arch& arch) override {
    const std::vector<std::vector<std::int64_t>> row = {context_.archive_tokens(arch)};
    controllers::Metrics metrics = {{"accuracy", accuracy_->predict(row).front()}};
    metrics["loss"] = loss_ ? loss_->predict(row).front() : std::nan("");
    return metrics;
  }
  controllers::Metrics measure_final(const spaces::Arch& arch, const controllers::Metrics*) override {
    return measure(arch);
  }

 private:
  std::unique_ptr<controllers::PerformancePredictor> accuracy_, loss_;  // loss_: null when the data has no loss
  std::string summary_;
};

}  // namespace

controllers::Metrics Evaluator::evaluate(const spaces::Arch& arch) {
  const auto start = Clock::now();
  controllers::Metrics metrics = measure(arch);
  for (const auto& [name, value] : context_.costs->costs(arch)) metrics[name] = value;
  metrics["seconds"] = seconds_since(start);
  return metrics;
}

controllers::Metrics Evaluator::evaluate_final(const spaces::Arch& arch, const controllers::Metrics* measured) {
  const auto start = Clock::now();
  controllers::Metrics metrics = measure_final(arch, measured);
  for (const auto& [name, value] : context_.costs->costs(arch)) metrics[name] = value;
  metrics["seconds"] = seconds_since(start);
  return metrics;
}

std::uint64_t Evaluator::candidate_seed(const spaces::Arch& arch) const {
  const IteratorPosition at = context_.train_batches->position();
  std::uint64_t seed = spaces::hash_mix(static_cast<std::uint64_t>(context_.config.section("run").get_int("seed")),
                                        context_.canonical_key(arch));
  seed = spaces::hash_mix(seed, static_cast<std::uint64_t>(at.epoch));
  return spaces::hash_mix(seed, static_cast<std::uint64_t>(at.batch)) >> 1;  // manual_seed takes it as signed
}

void Evaluator::pass_over(const BatchDraws& draws) {
  if (draws.train > 0) context_.train_batches->skip(draws.train);
  if (draws.valid > 0) context_.valid_batches->skip(draws.valid);
}

std::unique_ptr<Evaluator> make_trial_evaluator(SearchContext& context, double epochs) {
  return std::make_unique<TrialEvaluator>(context, epochs);
}

const std::vector<EvaluatorInfo>& evaluator_catalog() {
  static const std::vector<EvaluatorInfo> catalog = {
      {"shared",
       "the shared weights on one validation minibatch, batch statistics (ENAS); final: whole split",
       true,
       {"accuracy", "loss"},
       [](SearchContext& c) { return std::make_unique<SharedEvaluator>(c); }},
      {"recalibrated",
       "the shared weights after batch-norm recalibration on training minibatches (SPOS's tester); final: whole "
       "split",
       true,
       {"accuracy", "loss"},
       [](SearchContext& c) { return std::make_unique<RecalibratedEvaluator>(c); }},
      {"trial",
       "a network trained from scratch for [search] trial_epochs, scored on the validation split",
       false,
       {"accuracy", "loss"},
       [](SearchContext& c) { return make_trial_evaluator(c, c.config.section("search").get_double("trial_epochs")); }},
      {"predictor",
       "a predictor ([search] predictor_model: ridge, svr, dynas or mlp) fitted on the run [search] predictor_data",
       false,
       {"accuracy", "loss"},
       [](SearchContext& c) { return std::make_unique<PredictorEvaluator>(c); }},
  };
  return catalog;
}

const EvaluatorInfo& find_evaluator(const std::string& name) {
  std::string known;
  for (const EvaluatorInfo& info : evaluator_catalog()) {
    if (info.name == name) return info;
    known += (known.empty() ? "" : ", ") + info.name;
  }
  throw ConfigError("unknown evaluator '" + name + "' (known: " + known + ")");
}

}  // namespace experiments
