#pragma once
// The sections of a report, each added to a PageBuilder from what the runs'
// archives hold (never from a strategy's name): a section whose tables no
// run has is left out. In a comparison of several runs, curves of the same
// quantity share one figure, a series per run; records of one strategy get
// a section per run.

#include <string>
#include <vector>

#include "experiments/report/page_builder.h"
#include "experiments/report/run_view.h"

namespace experiments {

// "overview": a row per run (kind, strategy, space, wall time, epochs,
// candidates evaluated, best accuracy, finished).
void add_overview(PageBuilder& page, const std::vector<RunView>& runs);
// "best-architectures": per run, its best architectures with their metrics
// and the cells of each drawn by Graphviz.
void add_best_architectures(PageBuilder& page, const std::vector<RunView>& runs);
// "search-curves" (/archs, /controller, /training per epoch) and
// "training-curves" (a final training's /epochs).
void add_curves(PageBuilder& page, const std::vector<RunView>& runs);
// "cost": accuracy of every evaluated candidate against parameters, MACs
// and latency, with the Pareto front (/front) of multi-objective runs.
void add_cost(PageBuilder& page, const std::vector<RunView>& runs);
// Strategy records, per run: "alpha" (DARTS), "theta" (FBNet), "stages"
// (PNAS, NAO), "generated" (NAO), "generations" (evolution), "population"
// (Genetic CNN), "pareto", "ranking", "dynas-loops".
void add_strategy_records(PageBuilder& page, const std::vector<RunView>& runs);
// "config" (each run's resolved TOML) and "other-tables" (tables no
// section showed, by name and size).
void add_config_and_rest(PageBuilder& page, const std::vector<RunView>& runs);

// A series title: `what`, prefixed by the run's name when several runs share a figure.
std::string series_title(const std::vector<RunView>& runs, std::size_t run, const std::string& what);

}  // namespace experiments
