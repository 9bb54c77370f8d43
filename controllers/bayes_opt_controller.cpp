// bayes_opt: Bayesian optimisation over architectures, trial by trial, as
// Intel Neural Compressor's Basic NAS (its default search algorithm,
// neural_compressor/experimental/nas/nas.py:296-297 at tag v2.6) and NNI's
// GPTuner (nni/algorithms/hpo/gp_tuner) run it: a Gaussian process
// (controllers/gaussian_process.h: Matérn-5/2, ARD, hyper-parameters by
// maximum marginal likelihood, targets standardised as sklearn's
// normalize_y) models the reward of an architecture from the ones
// measured, and the next proposals maximise an acquisition over candidates.
//
//  - Warm-up: the first proposals are uniformly random (distinct by
//    canonical hash) until `warmup` rewards are observed and at least two
//    of them differ. NNI's cold_start_num=10 is the default; INC's searcher
//    goes model-based as soon as it has 2 distinct targets
//    (neural_compressor/strategy/bayesian.py:436-440), which leaves a
//    per-decision (ARD) fit of a few dozen length-scales with 2 points;
//    ten random trials give the marginal likelihood something to weigh.
//    The two-distinct-targets rule is kept as well (a constant target has
//    nothing to model). Warm-up counts observations, not proposals: a
//    first propose(20) is all random.
//  - Encoding (one row per architecture, in [0, 1]): a decision whose
//    tokens are ordered (spaces::is_ordered: kOrdinal, kWidth) is one
//    column, token / (choices - 1); any other decision is one-hot over
//    its choices (controllers/one_hot_encoding.h), all zero when only one
//    value is legal after the tokens before it (an inactive decision, as a
//    hyper-parameter space marks the parameters of a block a Repeat did not
//    reach) so that inactive blocks do not differ; decisions of one choice
//    are dropped. Each decision has its own length-scale (its one-hot
//    columns share it).
//  - Acquisition: expected improvement over the best value of the data
//    (default, xi = 0.0 as NNI's GPTuner) or the upper confidence bound
//    mean + kappa * sd (kappa = 2.576, INC's, bayesian.py:430-434; NNI's
//    is 5). It is maximised over a pool of `pool_size` architectures drawn
//    by the space's random() from the controller's generator (INC scores
//    10,000 uniform points before its L-BFGS polish, bayesian.py:149-191;
//    a pool stands in for the polish, which a discrete space has no use
//    for); the best-scoring one whose canonical hash was never proposed by
//    this controller is taken. One proposal at 100 observations with the
//    default pool takes 0.24-0.31 s on the cell spaces and 0.44 s on
//    hyper_dnn and hyper_cnn (one intra-op thread, 2 shared cores), about
//    half of it the refit, half drawing, encoding and scoring the pool:
//    small beside a trial. When the pool holds nothing new, random new
//    architectures fill in; when the space runs out, fewer are returned.
//  - propose(n > 1) and proposals still awaiting feedback: the kriging
//    believer (Ginsbourger, Le Riche, Carraro 2010, "Kriging is
//    well-suited to parallelize optimization"): each outstanding or newly
//    chosen architecture joins the data at the model's predicted mean, the
//    hyper-parameters and the standardisation held, and the acquisition is
//    recomputed for the next (the incumbent of expected improvement is the
//    best of observed and believed values). So a batch spreads out instead
//    of taking the pool's top n, which crowd in one basin.
//  - Every proposal and observation is state (tokens and rewards as
//    tensors) with the generator, so after load_state the same proposals
//    follow: the model is refitted from the data at each propose, its
//    restarts and the pool drawn from the saved generator.
//
// Why one-hot for categories, not INC's rounded ordinals: INC maps each
// search-space key with choice list L to the box [0, len(L) - 1] and rounds
// the optimiser's real suggestion to an index (search_algorithms.py:141,
// :167-174; NNI's GPTuner likewise boxes numeric choices and snaps,
// target_space.py). For an op or an input index that invents an order and a
// distance: sep_conv_3x3 is "closer" to sep_conv_5x5 than to max_pool only
// because of where it sits in a list, and a length-scale fitted along that
// axis mixes unrelated ops; and the acquisition is maximised over the reals
// where the model is flat between integers, so the optimiser's effort lands
// on points that round to the same architecture. One-hot puts every pair of
// distinct values at the same distance (sqrt 2) and lets the kernel learn
// only whether the decision matters; candidates are scored as the discrete
// architectures they are.
//
// Options (defaults and where they come from):
//   warmup 10        random observations before the model (NNI cold_start_num=10)
//   pool_size 10000  candidates scored per proposal (INC's acq_max 10,000 random points)
//   acquisition ei   ei (NNI's default utility) or ucb (INC's)
//   xi 0.0           expected improvement's margin (NNI)
//   kappa 2.576      upper confidence bound's weight (INC)
//   restarts 2       hyper-parameter fit starts beyond the first (sklearn
//                    n_restarts_optimizer; INC 5, NNI 25; see gaussian_process.h)

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <numbers>
#include <set>
#include <stdexcept>
#include <unordered_set>

#include "controllers/controller.h"
#include "controllers/gaussian_process.h"
#include "controllers/one_hot_encoding.h"
#include "controllers/uniform_samples.h"
#include "spaces/completions.h"
#include "spaces/infra/number_text.h"
#include "spaces/registry.h"

namespace controllers {
namespace {

struct BayesOptOptions {
  std::int64_t warmup = 10, pool_size = 10000;
  std::string acquisition = "ei";
  double xi = 0.0, kappa = 2.576;
  std::int64_t restarts = 2;
};

// Architectures as rows in [0, 1] (see the file's comment), with the
// length-scale group (decision) of every column.
class MixedEncoding {
 public:
  explicit MixedEncoding(const spaces::SearchSpace& space) : space_(space), one_hot_(space) {
    const auto& decisions = space.decisions();
    std::vector<std::int64_t> kept;
    std::int64_t offset = 0, group = 0;
    for (std::size_t i = 0; i < decisions.size(); ++i) {
      const spaces::Decision& d = decisions[i];
      kind_.push_back(d.num_choices <= 1           ? Kind::kDropped
                      : spaces::is_ordered(d.kind) ? Kind::kOrdered
                                                   : Kind::kCategorical);
      if (kind_.back() == Kind::kCategorical) {
        for (std::int64_t c = 0; c < d.num_choices; ++c) {
          kept.push_back(offset + c);
          groups_.push_back(group);
        }
        ++group;
      }
      offset += d.num_choices;  // one_hot_encoding.h: a block per decision, as wide as its choices
    }
    for (std::size_t i = 0; i < decisions.size(); ++i) {
      if (kind_[i] != Kind::kOrdered) continue;
      ordered_.push_back(i);
      groups_.push_back(group++);
    }
    categorical_columns_ = torch::tensor(kept, torch::kLong);
  }

  std::int64_t width() const { return static_cast<std::int64_t>(groups_.size()); }
  const std::vector<std::int64_t>& groups() const { return groups_; }

  torch::Tensor encode(const std::vector<spaces::Arch>& archs) const {
    const auto& decisions = space_.decisions();
    std::vector<std::vector<std::int64_t>> rows;
    rows.reserve(archs.size());
    torch::Tensor numbers = torch::zeros(
        {static_cast<std::int64_t>(archs.size()), static_cast<std::int64_t>(ordered_.size())}, torch::kDouble);
    auto number = numbers.accessor<double, 2>();
    for (std::size_t r = 0; r < archs.size(); ++r) {
      const std::vector<std::int64_t>& tokens = archs[r].tokens;
      std::vector<std::int64_t> row(tokens.size(), -1);  // -1: an all-zero block
      for (std::size_t i = 0; i < tokens.size(); ++i) {
        if (kind_[i] != Kind::kCategorical) continue;
        const std::vector<bool> legal = space_.legal_choices(std::span<const std::int64_t>(tokens).first(i));
        if (std::count(legal.begin(), legal.end(), true) > 1) row[i] = tokens[i];
      }
      for (std::size_t k = 0; k < ordered_.size(); ++k) {
        const std::size_t i = ordered_[k];
        number[static_cast<std::int64_t>(r)][static_cast<std::int64_t>(k)] =
            double(tokens[i]) / double(decisions[i].num_choices - 1);
      }
      rows.push_back(std::move(row));
    }
    const torch::Tensor one_hot =
        one_hot_.encode(rows, torch::kDouble, "bayes_opt").index_select(1, categorical_columns_);
    return torch::cat({one_hot, numbers}, 1);
  }

 private:
  enum class Kind { kDropped, kOrdered, kCategorical };
  const spaces::SearchSpace& space_;
  OneHotEncoding one_hot_;
  std::vector<Kind> kind_;
  std::vector<std::size_t> ordered_;
  torch::Tensor categorical_columns_;
  std::vector<std::int64_t> groups_;
};

std::string number(double value) { return spaces::compact(value, 4); }

torch::Tensor tokens_tensor(const std::vector<spaces::Arch>& archs, std::int64_t length) {
  torch::Tensor t = torch::zeros({static_cast<std::int64_t>(archs.size()), length}, torch::kLong);
  auto rows = t.accessor<std::int64_t, 2>();
  for (std::size_t r = 0; r < archs.size(); ++r) {
    for (std::int64_t i = 0; i < length; ++i) rows[static_cast<std::int64_t>(r)][i] = archs[r].tokens[i];
  }
  return t;
}

class BayesOptController : public Controller {
 public:
  BayesOptController(spaces::SpacePtr space, std::uint64_t seed, BayesOptOptions options)
      : space_(std::move(space)), rng_(seed), options_(std::move(options)), encoding_(*space_) {}

  std::string name() const override { return "bayes_opt"; }

  std::vector<Phase> phases(std::int64_t /*epoch*/) const override {
    return {TrainWeightsPhase{PathSource::kUniform}, EvaluatePhase{}};
  }

  std::vector<Proposal> propose(int n) override {
    std::vector<Proposal> proposals;
    if (n <= 0) return proposals;
    std::vector<spaces::Arch> chosen = model_ready() ? choose_by_model(n) : std::vector<spaces::Arch>{};
    if (static_cast<int>(chosen.size()) < n) {
      for (spaces::Arch& arch : spaces::distinct_random(*space_, n - chosen.size(), seen_, rng_)) {
        chosen.push_back(std::move(arch));
      }
    }
    for (spaces::Arch& arch : chosen) {
      proposals.push_back({next_id_++, arch});
      outstanding_.push_back({proposals.back().id, std::move(arch)});
    }
    return proposals;
  }

  std::vector<spaces::Arch> sample(int n) override { return uniform_samples(*space_, n, rng_); }

  UpdateStats observe(const std::vector<Feedback>& feedback) override {
    std::set<std::int64_t> ids;
    for (const Feedback& f : feedback) {
      const bool known =
          std::any_of(outstanding_.begin(), outstanding_.end(), [&](const Pending& p) { return p.id == f.id; });
      if (!known || !ids.insert(f.id).second) {
        throw std::invalid_argument("bayes_opt controller: no outstanding proposal with id " + std::to_string(f.id));
      }
    }
    for (const Feedback& f : feedback) {
      const auto it =
          std::find_if(outstanding_.begin(), outstanding_.end(), [&](const Pending& p) { return p.id == f.id; });
      observed_.push_back(std::move(it->arch));
      rewards_.push_back(f.reward);
      outstanding_.erase(it);
    }
    UpdateStats stats;
    stats.count = static_cast<std::int64_t>(feedback.size());
    stats.mean_reward = mean_reward(feedback);
    return stats;
  }

  Report take_report() override {
    Report report;
    report.log.swap(log_);
    return report;
  }

 protected:
  void state_fields(StateFields& fields) override {
    spaces::bind_rng(fields, "rng", rng_);
    fields.integer("next_id", next_id_);
    const std::int64_t length = static_cast<std::int64_t>(space_->num_tokens());
    std::vector<spaces::Arch> pending;
    std::vector<std::int64_t> pending_ids;
    for (const Pending& p : outstanding_) {
      pending.push_back(p.arch);
      pending_ids.push_back(p.id);
    }
    torch::Tensor observed_tokens = tokens_tensor(observed_, length);
    torch::Tensor rewards = torch::tensor(rewards_, torch::kDouble);
    torch::Tensor outstanding_tokens = tokens_tensor(pending, length);
    torch::Tensor outstanding_ids = torch::tensor(pending_ids, torch::kLong);
    fields.tensor("observed.tokens", observed_tokens);
    fields.tensor("observed.rewards", rewards);
    fields.tensor("outstanding.tokens", outstanding_tokens);
    fields.tensor("outstanding.ids", outstanding_ids);
    if (fields.saving()) return;

    const auto read_archs = [&](const torch::Tensor& t, const std::string& key) {
      if (t.dim() != 2 || t.size(1) != length || t.scalar_type() != torch::kLong) {
        fields.fail("tensor '" + fields.key(key) + "' is not [rows, " + std::to_string(length) + "] int64 tokens");
      }
      std::vector<spaces::Arch> archs;
      const torch::Tensor c = t.contiguous();
      for (std::int64_t r = 0; r < c.size(0); ++r) {
        const std::int64_t* row = c[r].data_ptr<std::int64_t>();
        spaces::Arch arch = space_->make_arch(std::vector<std::int64_t>(row, row + length));
        if (!space_->is_valid(arch))
          fields.fail("tensor '" + fields.key(key) + "' row " + std::to_string(r) + " is not an architecture of " +
                      space_->spec());
        archs.push_back(std::move(arch));
      }
      return archs;
    };
    std::vector<spaces::Arch> observed = read_archs(observed_tokens, "observed.tokens");
    pending = read_archs(outstanding_tokens, "outstanding.tokens");
    if (rewards.dim() != 1 || rewards.size(0) != static_cast<std::int64_t>(observed.size()) ||
        outstanding_ids.dim() != 1 || outstanding_ids.size(0) != static_cast<std::int64_t>(pending.size())) {
      fields.fail("the observed rewards or outstanding ids do not match their tokens");
    }
    const torch::Tensor r64 = rewards.to(torch::kDouble).contiguous();
    const torch::Tensor i64 = outstanding_ids.to(torch::kLong).contiguous();
    observed_ = std::move(observed);
    rewards_.assign(r64.data_ptr<double>(), r64.data_ptr<double>() + r64.numel());
    outstanding_.clear();
    std::set<std::int64_t> ids;
    for (std::size_t k = 0; k < pending.size(); ++k) {
      const std::int64_t id = i64[static_cast<std::int64_t>(k)].item<std::int64_t>();
      if (id < 0 || id >= next_id_ || !ids.insert(id).second) {
        fields.fail("outstanding proposal id " + std::to_string(id) + " out of range or repeated");
      }
      outstanding_.push_back({id, std::move(pending[k])});
    }
    seen_.clear();
    for (const spaces::Arch& arch : observed_) seen_.insert(space_->canonical_hash(arch));
    for (const Pending& p : outstanding_) seen_.insert(space_->canonical_hash(p.arch));
    log_.clear();
  }

 private:
  struct Pending {
    std::int64_t id;
    spaces::Arch arch;
  };

  // The observations the model learns from: finite rewards only.
  std::vector<std::size_t> usable() const {
    std::vector<std::size_t> rows;
    for (std::size_t i = 0; i < rewards_.size(); ++i) {
      if (std::isfinite(rewards_[i])) rows.push_back(i);
    }
    return rows;
  }

  bool model_ready() const {
    if (encoding_.width() == 0) return false;
    const std::vector<std::size_t> rows = usable();
    if (static_cast<std::int64_t>(rows.size()) < options_.warmup) return false;
    for (const std::size_t r : rows) {
      if (rewards_[r] != rewards_[rows.front()]) return true;
    }
    return false;
  }

  torch::Tensor acquisition(const GpPrediction& p, double incumbent) const {
    const torch::Tensor sd = p.variance.sqrt();
    if (options_.acquisition == "ucb") return p.mean + options_.kappa * sd;
    // Expected improvement (NNI gp_tuner util.py: (mean - y_max - xi) cdf(z) + sd pdf(z)).
    const torch::Tensor gain = p.mean - incumbent - options_.xi;
    const torch::Tensor safe = sd.clamp_min(1e-300);
    const torch::Tensor z = gain / safe;
    const torch::Tensor cdf = 0.5 * torch::erfc(-z / std::sqrt(2.0));
    const torch::Tensor pdf = torch::exp(-0.5 * z * z) / std::sqrt(2.0 * std::numbers::pi);
    return torch::where(sd > 0, gain * cdf + sd * pdf, gain.clamp_min(0.0));
  }

  std::vector<spaces::Arch> choose_by_model(int n) {
    const std::vector<std::size_t> rows = usable();
    std::vector<spaces::Arch> data;
    std::vector<double> targets;
    for (const std::size_t r : rows) {
      data.push_back(observed_[r]);
      targets.push_back(rewards_[r]);
    }
    GaussianProcessOptions gp_options;
    gp_options.restarts = options_.restarts;
    GaussianProcess gp(encoding_.groups(), gp_options);
    gp.fit(encoding_.encode(data), torch::tensor(targets, torch::kDouble), rng_);
    const double likelihood = gp.log_marginal_likelihood();
    double incumbent = *std::max_element(targets.begin(), targets.end());
    if (!outstanding_.empty()) {
      std::vector<spaces::Arch> pending;
      for (const Pending& p : outstanding_) pending.push_back(p.arch);
      const torch::Tensor x = encoding_.encode(pending);
      const torch::Tensor believed = gp.predict(x).mean;
      gp.believe(x, believed);
      incumbent = std::max(incumbent, believed.max().item<double>());
    }

    std::vector<spaces::Arch> pool;
    pool.reserve(static_cast<std::size_t>(options_.pool_size));
    for (std::int64_t i = 0; i < options_.pool_size; ++i) pool.push_back(space_->random(rng_));
    const torch::Tensor x_pool = encoding_.encode(pool);
    std::vector<bool> excluded(pool.size(), false);

    std::vector<spaces::Arch> chosen;
    std::vector<double> scores;
    while (static_cast<int>(chosen.size()) < n) {
      const GpPrediction prediction = gp.predict(x_pool);
      const torch::Tensor score = acquisition(prediction, incumbent);
      const torch::Tensor order = std::get<1>(score.sort(/*stable=*/true, /*dim=*/0, /*descending=*/true)).contiguous();
      const std::int64_t* index = order.data_ptr<std::int64_t>();
      std::int64_t pick = -1;
      for (std::int64_t k = 0; k < order.numel() && pick < 0; ++k) {
        const std::size_t i = static_cast<std::size_t>(index[k]);
        if (excluded[i]) continue;
        excluded[i] = true;  // taken now, or proposed before
        if (seen_.insert(space_->canonical_hash(pool[i])).second) pick = index[k];
      }
      if (pick < 0) break;  // nothing new in the pool: random new ones fill in
      chosen.push_back(pool[static_cast<std::size_t>(pick)]);
      scores.push_back(score[pick].item<double>());
      const double mean = prediction.mean[pick].item<double>();
      gp.believe(x_pool[pick].unsqueeze(0), torch::tensor({mean}, torch::kDouble));
      incumbent = std::max(incumbent, mean);
    }

    const torch::Tensor scales = gp.length_scales();
    std::string line = "bayes_opt: GP on " + std::to_string(rows.size()) + " observations (" +
                       std::to_string(outstanding_.size()) + " outstanding believed): log marginal likelihood " +
                       number(likelihood) + ", signal variance " + number(gp.signal_variance()) + ", noise variance " +
                       number(gp.noise_variance()) + ", length-scales " + number(scales.min().item<double>()) + " .. " +
                       number(scales.max().item<double>()) + "; " + std::to_string(chosen.size()) +
                       " chosen from a pool of " + std::to_string(pool.size()) + " by " + options_.acquisition;
    if (!scores.empty()) line += " " + number(scores.front()) + " .. " + number(scores.back());
    log_.push_back(line);
    return chosen;
  }

  spaces::SpacePtr space_;
  spaces::Rng rng_;
  BayesOptOptions options_;
  MixedEncoding encoding_;
  std::int64_t next_id_ = 0;
  std::vector<Pending> outstanding_;        // proposed, awaiting feedback, in proposal order
  std::vector<spaces::Arch> observed_;      // in the order their feedback arrived
  std::vector<double> rewards_;             // observed_'s
  std::unordered_set<std::uint64_t> seen_;  // canonical hashes of everything proposed
  std::vector<std::string> log_;
};

}  // namespace

REGISTER_CONTROLLER(
    bayes_opt,
    "Bayesian optimisation: a Matérn-5/2 Gaussian process of the reward, expected improvement or UCB over a random "
    "pool (Neural Compressor's Basic NAS, NNI's GPTuner)",
    Capabilities{.spaces = {"*"}},
    {spaces::ParamSpec{"warmup", std::int64_t{10},
                       "random architectures observed before the model proposes (NNI cold_start_num: 10)", 1, 1e6},
     spaces::ParamSpec{"pool_size", std::int64_t{10000},
                       "random candidates the acquisition is maximised over, per proposal (INC: 10000)", 1, 1e7},
     spaces::ParamSpec{"acquisition",
                       std::string("ei"),
                       "ei (expected improvement, NNI's default) or ucb (upper confidence bound, INC's)",
                       0,
                       0,
                       {"ei", "ucb"}},
     spaces::ParamSpec{"xi", 0.0, "expected improvement's margin over the best value (NNI: 0)", 0, 1e6},
     spaces::ParamSpec{"kappa", 2.576, "upper confidence bound: mean + kappa * sd (INC: 2.576)", 0, 1e6},
     spaces::ParamSpec{"restarts", std::int64_t{2},
                       "random starts of the marginal-likelihood fit beyond the first (sklearn n_restarts_optimizer; "
                       "INC: 5, NNI: 25)",
                       0, 1000}},
    [](spaces::SpacePtr space, const spaces::Params& p, std::uint64_t seed) -> std::unique_ptr<Controller> {
      return std::make_unique<BayesOptController>(
          std::move(space), seed,
          BayesOptOptions{p.get_int("warmup"), p.get_int("pool_size"), p.get_string("acquisition"), p.get_double("xi"),
                          p.get_double("kappa"), p.get_int("restarts")});
    });

}  // namespace controllers
