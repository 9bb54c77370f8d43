// grid: exhaustive search over a grid of the space, as Hypernets'
// GridSearcher (DataCanvasIO/Hypernets hypernets/searchers/
// grid_searcher.py:11-41, commit 75ecb9c): every parameter is expanded to
// at most n_expansion values (ParameterSpace.expansion), and the searcher
// walks the product of the expansions one trial at a time until it is
// exhausted. Here:
//  - a decision whose tokens are ordered (spaces::is_ordered: kOrdinal,
//    kWidth) with more than `expansion` legal values keeps `expansion` of
//    them evenly spaced over the legal ones, the first and the last
//    included (position round(k (m - 1) / (e - 1)) of the m legal values,
//    k = 0 .. e - 1). Hypernets' Int.expansion and Real.expansion draw
//    that many distinct random values and sort them
//    (core/search_space.py:696-711, :779-793); even spacing is the
//    deterministic grid the name promises and covers both ends;
//  - any other decision keeps every legal value, as Hypernets'
//    Choice.expansion does: it returns all options whatever sample_num
//    (core/search_space.py:833-839), so n_expansion never cuts an op or a
//    category;
//  - the product is walked lazily, as an odometer over the token sequence
//    in lexicographic order (the last token turning fastest), each
//    position's values taken from legal_choices after the tokens before it:
//    a decision a prefix makes inactive (one legal value, 0) contributes
//    only that value, so nothing is enumerated twice, and rules between
//    tokens (DARTS's distinct inputs) are honoured. sklearn's ParameterGrid,
//    which Hypernets materialises whole (grid_searcher.py:21), is never
//    built;
//  - an architecture whose canonical hash was enumerated before (the same
//    cell with its inputs swapped) is skipped.
// The controller's state is its place in the walk (the next architecture
// to propose) and the architectures it proposed (for the hashes), so a
// resumed grid continues exactly where it stopped; finished() once the
// walk is exhausted. It learns nothing from rewards. sample() draws
// uniformly random architectures (for shared-weight training).
//
// Options: expansion 5 (GridSearcher(n_expansion=5), grid_searcher.py:12-13;
// make_searcher passes no other, searchers/__init__.py:67-68).

#include <algorithm>
#include <cmath>
#include <optional>
#include <unordered_set>

#include "controllers/controller.h"
#include "controllers/outstanding_proposals.h"
#include "controllers/uniform_samples.h"
#include "spaces/registry.h"

namespace controllers {
namespace {

class GridController : public Controller {
 public:
  GridController(spaces::SpacePtr space, std::uint64_t seed, std::int64_t expansion)
      : space_(std::move(space)), rng_(seed), expansion_(expansion) {
    std::vector<std::int64_t> tokens;
    if (fill_first(tokens, 0)) {
      next_ = std::move(tokens);
      skip_seen();
    }
  }

  std::string name() const override { return "grid"; }

  std::vector<Phase> phases(std::int64_t /*epoch*/) const override {
    return {TrainWeightsPhase{PathSource::kUniform}, EvaluatePhase{}};
  }

  std::vector<Proposal> propose(int n) override {
    std::vector<Proposal> proposals;
    for (int i = 0; i < n && next_; ++i) {
      spaces::Arch arch = space_->make_arch(*next_);
      seen_.insert(space_->canonical_hash(arch));
      proposed_.push_back(*next_);
      proposals.push_back({ids_.issue(), std::move(arch)});
      if (!advance(*next_)) {
        next_.reset();
      } else {
        skip_seen();
      }
    }
    return proposals;
  }

  std::vector<spaces::Arch> sample(int n) override { return uniform_samples(*space_, n, rng_); }

  UpdateStats observe(const std::vector<Feedback>& feedback) override {
    ids_.settle(feedback, "grid");
    UpdateStats stats;
    stats.count = static_cast<std::int64_t>(feedback.size());
    stats.mean_reward = mean_reward(feedback);
    return stats;
  }

  bool finished() const override { return !next_.has_value(); }

 protected:
  void state_fields(StateFields& fields) override {
    spaces::bind_rng(fields, "rng", rng_);
    ids_.state_fields(fields);
    const std::int64_t length = static_cast<std::int64_t>(space_->num_tokens());
    // The next architecture of the walk ([length]; [0] once exhausted).
    torch::Tensor next = next_ ? torch::tensor(*next_, torch::kLong) : torch::zeros({0}, torch::kLong);
    torch::Tensor proposed = torch::zeros({static_cast<std::int64_t>(proposed_.size()), length}, torch::kLong);
    for (std::size_t r = 0; r < proposed_.size(); ++r) {
      for (std::int64_t i = 0; i < length; ++i) proposed[static_cast<std::int64_t>(r)][i] = proposed_[r][i];
    }
    fields.tensor("next", next);
    fields.tensor("proposed", proposed);
    if (fields.saving()) return;

    const auto row = [&](const torch::Tensor& t) {
      const torch::Tensor c = t.to(torch::kLong).contiguous();
      return std::vector<std::int64_t>(c.data_ptr<std::int64_t>(), c.data_ptr<std::int64_t>() + c.numel());
    };
    if (next.dim() != 1 || (next.size(0) != length && next.size(0) != 0)) {
      fields.fail("tensor '" + fields.key("next") + "' is not [" + std::to_string(length) + "] tokens or empty");
    }
    if (proposed.dim() != 2 || proposed.size(1) != length) {
      fields.fail("tensor '" + fields.key("proposed") + "' is not [rows, " + std::to_string(length) + "] tokens");
    }
    std::optional<std::vector<std::int64_t>> loaded_next;
    if (next.size(0) == length) {
      loaded_next = row(next);
      if (!space_->is_valid(space_->make_arch(*loaded_next))) fields.fail("the next grid architecture is invalid");
    }
    std::vector<std::vector<std::int64_t>> loaded;
    for (std::int64_t r = 0; r < proposed.size(0); ++r) {
      loaded.push_back(row(proposed[r]));
      if (!space_->is_valid(space_->make_arch(loaded.back()))) {
        fields.fail("proposed grid architecture " + std::to_string(r) + " is invalid");
      }
    }
    next_ = std::move(loaded_next);
    proposed_ = std::move(loaded);
    seen_.clear();
    for (const auto& tokens : proposed_) seen_.insert(space_->canonical_hash(space_->make_arch(tokens)));
  }

 private:
  // The grid's values at position tokens.size() after `tokens`, ascending.
  std::vector<std::int64_t> values(const std::vector<std::int64_t>& tokens) const {
    const std::vector<bool> legal = space_->legal_choices(tokens);
    std::vector<std::int64_t> all;
    for (std::size_t v = 0; v < legal.size(); ++v) {
      if (legal[v]) all.push_back(static_cast<std::int64_t>(v));
    }
    const std::int64_t m = static_cast<std::int64_t>(all.size());
    if (!spaces::is_ordered(space_->decisions()[tokens.size()].kind) || m <= expansion_) return all;
    std::vector<std::int64_t> kept;
    for (std::int64_t k = 0; k < expansion_; ++k) {
      const auto position = static_cast<std::size_t>(std::llround(double(k) * double(m - 1) / double(expansion_ - 1)));
      kept.push_back(all[position]);
    }
    return kept;
  }

  // Completes `tokens` (of size `from`) with the first grid value at every
  // later position; false if some position has none.
  bool fill_first(std::vector<std::int64_t>& tokens, std::size_t from) const {
    tokens.resize(from);
    while (tokens.size() < space_->num_tokens()) {
      const std::vector<std::int64_t> grid = values(tokens);
      if (grid.empty()) return false;
      tokens.push_back(grid.front());
    }
    return true;
  }

  // The odometer: `tokens` becomes the next architecture of the grid in
  // lexicographic order; false when it was the last.
  bool advance(std::vector<std::int64_t>& tokens) const {
    for (std::size_t i = tokens.size(); i-- > 0;) {
      std::vector<std::int64_t> prefix(tokens.begin(), tokens.begin() + static_cast<std::ptrdiff_t>(i));
      const std::vector<std::int64_t> grid = values(prefix);
      auto it = std::upper_bound(grid.begin(), grid.end(), tokens[i]);
      for (; it != grid.end(); ++it) {
        prefix.push_back(*it);
        if (fill_first(prefix, i + 1)) {
          tokens = std::move(prefix);
          return true;
        }
        prefix.resize(i);
      }
    }
    return false;
  }

  // Moves next_ past architectures whose canonical hash was proposed.
  void skip_seen() {
    while (next_ && seen_.count(space_->canonical_hash(space_->make_arch(*next_))) > 0) {
      if (!advance(*next_)) next_.reset();
    }
  }

  spaces::SpacePtr space_;
  spaces::Rng rng_;  // sample() only
  std::int64_t expansion_;
  OutstandingProposals ids_;
  std::optional<std::vector<std::int64_t>> next_;    // the next architecture to propose; none: exhausted
  std::vector<std::vector<std::int64_t>> proposed_;  // every proposed architecture, in order
  std::unordered_set<std::uint64_t> seen_;           // their canonical hashes
};

}  // namespace

REGISTER_CONTROLLER(grid,
                    "grid search: every decision's legal values (ordered ones thinned to an even grid), in "
                    "lexicographic order, duplicates skipped (Hypernets' GridSearcher)",
                    Capabilities{.spaces = {"*"}},
                    {spaces::ParamSpec{"expansion", std::int64_t{5},
                                       "values kept of an ordered decision, evenly spaced, first and last included "
                                       "(Hypernets n_expansion: 5); categorical decisions keep all",
                                       2, 1e6}},
                    [](spaces::SpacePtr space, const spaces::Params& p,
                       std::uint64_t seed) -> std::unique_ptr<Controller> {
                      return std::make_unique<GridController>(std::move(space), seed, p.get_int("expansion"));
                    });

}  // namespace controllers
