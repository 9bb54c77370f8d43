#include "experiments/search/ranking_monitor.h"

#include <cmath>
#include <limits>
#include <set>

#include "controllers/rank_correlation.h"
#include "experiments/harness/progress.h"
#include "experiments/search/spread_evaluation.h"

namespace experiments {

void run_ranking_monitor(SearchContext& context, Evaluator& evaluator) {
  const auto& search = context.config.section("search");
  const std::int64_t sample = search.get_int("ranking_sample");
  if (sample == 0) return;
  const double trial_epochs = search.get_double("ranking_trial_epochs");
  std::unique_ptr<Evaluator> standalone = trial_epochs > 0 ? make_trial_evaluator(context, trial_epochs) : nullptr;

  // Its own stream of draws, so the sample depends on the seed alone.
  spaces::Rng rng(static_cast<std::uint64_t>(context.config.section("run").get_int("seed")) ^ 0x52414e4b494e47ULL);
  std::vector<spaces::Arch> archs;
  std::set<std::uint64_t> seen;
  for (int tries = 0; static_cast<std::int64_t>(archs.size()) < sample && tries < 100 * sample; ++tries) {
    spaces::Arch arch = context.space->random(rng);
    if (seen.insert(context.canonical_key(arch)).second) archs.push_back(std::move(arch));
  }

  const std::string label = "ranking monitor   ";
  const auto start = Clock::now();
  // Each architecture's supernet metrics, with "standalone_accuracy" when a standalone trial is asked.
  const std::vector<controllers::Metrics> scores = evaluate_spread(
      context.world, archs.size(), [&](std::size_t i) { return context.canonical_key(archs[i]); },
      [&](std::size_t i) {
        controllers::Metrics metrics = evaluator.evaluate_final(archs[i], nullptr);
        if (standalone) metrics["standalone_accuracy"] = standalone->evaluate(archs[i]).at("accuracy");
        draw_progress(context.progress, label, static_cast<std::int64_t>(i + 1),
                      static_cast<std::int64_t>(archs.size()),
                      "supernet " + fixed(metrics.at("accuracy"), 3) +
                          (standalone ? " alone " + fixed(metrics.at("standalone_accuracy"), 3) : ""),
                      start);
        return metrics;
      },
      [&](std::size_t) {
        evaluator.pass_over(evaluator.final_draws(nullptr));
        if (standalone) standalone->pass_over(standalone->search_draws());
      });
  std::vector<double> shared, alone;
  for (std::size_t i = 0; i < archs.size(); ++i) {
    const controllers::Metrics& metrics = scores[i];
    shared.push_back(metrics.at("accuracy"));
    alone.push_back(standalone ? metrics.at("standalone_accuracy") : std::numeric_limits<double>::quiet_NaN());
    context.record(spaces::Record("ranking")
                       .set("tokens", context.archive_tokens(archs[i]))
                       .set("canonical", context.space->to_string(archs[i]))
                       .set("supernet_accuracy", shared.back())
                       .set("standalone_accuracy", alone.back())
                       .set("params", metrics.at("params"))
                       .set("macs", metrics.at("macs")));
  }
  context.progress << "\n";
  if (!standalone) {
    context.log->info("ranking monitor: {} architectures scored by the supernet (no standalone training asked)",
                      archs.size());
    return;
  }
  const double tau = controllers::kendall_tau(shared, alone), rho = controllers::spearman(shared, alone);
  context.record(spaces::Record("ranking_correlation")
                     .set("sample", static_cast<std::int64_t>(archs.size()))
                     .set("trial_epochs", trial_epochs)
                     .set("kendall_tau", tau)
                     .set("spearman", rho));
  context.log->info(
      "ranking monitor: {} architectures, supernet score against {} epochs standalone: Kendall tau {:.3f}, Spearman "
      "rho {:.3f}",
      archs.size(), fixed(trial_epochs, 2), tau, rho);
}

}  // namespace experiments
