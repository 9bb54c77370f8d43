#pragma once
// Candidate evaluation spread over the ranks of a run: a phase's
// candidates (an ENAS update, a PNAS stage, NAO's pool, a population, a
// batch of trials, the final phase's top k, the ranking monitor's sample)
// are measured each on one rank and their metrics gathered, so the phase's
// wall time falls with ranks while every rank ends with every metric, as
// one process would have them.
//
// Item i of `count` belongs to rank i mod world.size() (round robin, so
// ranks that start together finish near together). Each rank walks the
// items in order, calling `measure(i)` for its own and `pass_over(i)` for
// the others'; `pass_over` must leave shared state (batch iterators) where
// `measure` would (Evaluator::pass_over with its draws). Nothing the
// measurement reads may depend on earlier items' metrics, since those are
// measured elsewhere at the same time.
//
// Metrics travel as text that reads back exactly (metrics_text), each line
// with its item's index and `key` (the candidate's canonical key), which
// the receivers check; in one all-gather per call (lengths, then texts).
// The gather is patient (World::all_gather): it waits for the slowest rank, not
// the world's timeout: evaluations are uneven by design (3 and 2 candidates,
// trials that stop early), and a rank that dies still fails the others at
// once. World size 1 measures every item in order and gathers nothing.

#include <cstddef>
#include <cstdint>
#include <functional>
#include <vector>

#include "controllers/controller.h"
#include "experiments/distributed/world.h"

namespace experiments {

// The metrics of items 0 .. count-1, in order, on every rank. Throws what
// `measure` throws on this rank, and DistributedError when another rank
// failed (it died or threw) or sent other items than this rank expected
// (another count, or another key for an item).
std::vector<controllers::Metrics> evaluate_spread(const World& world, std::size_t count,
                                                  const std::function<std::uint64_t(std::size_t)>& key,
                                                  const std::function<controllers::Metrics(std::size_t)>& measure,
                                                  const std::function<void(std::size_t)>& pass_over);

}  // namespace experiments
