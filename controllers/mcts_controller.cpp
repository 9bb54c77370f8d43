// mcts: Monte-Carlo tree search over token prefixes with the UCT policy, as
// Hypernets' MCTSSearcher (DataCanvasIO/Hypernets hypernets/searchers/
// mcts_searcher.py and mcts_core.py, commit 75ecb9c; Wang et al. 2019,
// "AlphaX: exploring neural architectures with deep neural networks and
// Monte Carlo tree search"). The tree's levels are the space's decisions
// in token order; a node is a prefix, its children the values of the next
// decision. One proposal:
//  - selection (MCTree.selection_and_expansion, mcts_core.py:107-121):
//    from the root, while the node is expanded, go to the child of highest
//        mean reward + exploration_bonus * sqrt(log10(N_parent) / n_child)
//    (UCT.selection, mcts_core.py:189-203: log10, not the textbook ln; an
//    untried child scores +inf and the first of them wins, as np.argmax);
//    stop at an untried child;
//  - expansion (MCTree.expansion, mcts_core.py:141-156, MCNode.expansion
//    :72-77): a visited node without children gets all of them at once,
//    and one, uniformly at random (MCNode.random_sample), is the node
//    proposed from. The children are the legal values after the prefix
//    (legal_choices); an ordered decision (spaces::is_ordered) with more
//    than `max_node_space` of them gets that many distinct values drawn
//    at random, sorted (Int.expansion and Real.expansion,
//    core/search_space.py:696-711, :779-793); any other decision gets all
//    its values whatever max_node_space, as Choice.expansion returns every
//    option (core/search_space.py:833-839);
//  - roll-out (MCTree.roll_out, mcts_core.py:166-174): the tokens after
//    the node's prefix drawn uniformly among the legal values (not limited
//    to the tree's sampled values). Hypernets can score several roll-outs
//    with a LightGBM meta-learner (candidates_size); without one, as here,
//    it rolls out once;
//  - back-up (MCTree.back_propagation and UCT.back_propagation,
//    mcts_core.py:161-164, :205-220): the reward is appended to the node
//    proposed from and to each ancestor up to the root; a node's reward is
//    the MEAN of its rewards and its visits their count (not the max).
// Reward is higher-is-better (Feedback::reward).
//
// What this adds to Hypernets:
//  - duplicates: a roll-out whose canonical hash was proposed before is
//    drawn again, up to 10 times (Hypernets' dispatcher re-asks the
//    searcher up to trial_retry_limit=1000 times for a sample not in its
//    history, dispatchers/in_process_dispatcher.py:43-54, without telling
//    the tree); then the search continues below that node in the tree, one
//    level deeper each time. A node at full depth is one architecture: once
//    proposed (or found a duplicate) it is exhausted, and a node whose
//    children are all exhausted is too; selection skips exhausted children,
//    and the controller is finished() when the root is exhausted (the
//    tree's values, sampled ones included, all proposed);
//  - proposals awaiting feedback (propose(n > 1), or several updates in
//    flight) count as visits in selection (a virtual visit, no virtual
//    loss): n_child and N_parent include them, and a child with only
//    pending visits takes its parent's mean. Without pending proposals the
//    score is exactly Hypernets'. So a batch spreads over untried children
//    instead of rolling out from the same node n times.
// The tree (per node: parent, value, depth, children, visits, reward sum,
// exhausted), the outstanding proposals and every proposed architecture are
// state (tensors), with the generator, so a resumed search is exact.
// sample() draws uniformly random architectures (for shared-weight
// training).
//
// Options (defaults from Hypernets):
//   exploration_bonus 0.6  UCT(exploration_bonus=0.6), mcts_core.py:186
//   max_node_space 10      MCTSSearcher(max_node_space=10), mcts_searcher.py:38,
//                          and make_searcher's default, searchers/__init__.py:65-66

#include <algorithm>
#include <cmath>
#include <limits>
#include <optional>
#include <set>
#include <unordered_set>

#include "controllers/controller.h"
#include "controllers/uniform_samples.h"
#include "spaces/infra/number_text.h"
#include "spaces/registry.h"

namespace controllers {
namespace {

std::string number(double value) { return spaces::compact(value, 4); }

struct MctsOptions {
  double exploration_bonus = 0.6;
  std::int64_t max_node_space = 10;
};

class MctsController : public Controller {
 public:
  MctsController(spaces::SpacePtr space, std::uint64_t seed, MctsOptions options)
      : space_(std::move(space)), rng_(seed), options_(options) {
    nodes_.push_back(Node{});  // the root: the empty prefix
  }

  std::string name() const override { return "mcts"; }

  std::vector<Phase> phases(std::int64_t /*epoch*/) const override {
    return {TrainWeightsPhase{PathSource::kUniform}, EvaluatePhase{}};
  }

  std::vector<Proposal> propose(int n) override {
    std::vector<Proposal> proposals;
    for (int i = 0; i < n; ++i) {
      std::optional<Proposal> p = propose_one();
      if (!p) break;
      proposals.push_back(std::move(*p));
    }
    return proposals;
  }

  std::vector<spaces::Arch> sample(int n) override { return uniform_samples(*space_, n, rng_); }

  UpdateStats observe(const std::vector<Feedback>& feedback) override {
    std::set<std::int64_t> ids;
    for (const Feedback& f : feedback) {
      if (find(f.id) == outstanding_.end() || !ids.insert(f.id).second) {
        throw std::invalid_argument("mcts controller: no outstanding proposal with id " + std::to_string(f.id));
      }
    }
    for (const Feedback& f : feedback) {
      const auto it = find(f.id);
      for (std::int64_t v = it->node; v >= 0; v = nodes_[v].parent) {
        --nodes_[v].pending;
        if (!std::isfinite(f.reward)) continue;  // a failed evaluation teaches the tree nothing
        ++nodes_[v].visits;
        nodes_[v].reward_sum += f.reward;
      }
      outstanding_.erase(it);
    }
    UpdateStats stats;
    stats.count = static_cast<std::int64_t>(feedback.size());
    stats.mean_reward = mean_reward(feedback);
    log_.push_back(summary());
    return stats;
  }

  bool finished() const override { return nodes_[0].exhausted; }

  Report take_report() override {
    Report report;
    report.log.swap(log_);
    return report;
  }

 protected:
  void state_fields(StateFields& fields) override;

 private:
  struct Node {
    std::int64_t parent = -1, value = -1, depth = 0;
    std::int64_t first_child = -1, children = 0;  // children 0: not expanded
    std::int64_t visits = 0;                      // rewards backed up through the node
    double reward_sum = 0.0;
    bool exhausted = false;
    std::int64_t pending = 0;  // proposals through it awaiting feedback (not saved: from outstanding_)
  };
  struct Pending {
    std::int64_t id, node;
    spaces::Arch arch;
  };
  static constexpr int kRollouts = 10;         // roll-outs from one node before going deeper
  static constexpr int kMaxAttempts = 100000;  // selections per proposal before giving up

  std::vector<Pending>::iterator find(std::int64_t id) {
    return std::find_if(outstanding_.begin(), outstanding_.end(), [&](const Pending& p) { return p.id == id; });
  }

  std::vector<std::int64_t> prefix(std::int64_t v) const {
    std::vector<std::int64_t> tokens(static_cast<std::size_t>(nodes_[v].depth));
    for (; v > 0; v = nodes_[v].parent) tokens[static_cast<std::size_t>(nodes_[v].depth - 1)] = nodes_[v].value;
    return tokens;
  }

  void expand(std::int64_t v) {
    const std::vector<std::int64_t> tokens = prefix(v);
    const std::vector<bool> legal = space_->legal_choices(tokens);
    std::vector<std::int64_t> values;
    for (std::size_t c = 0; c < legal.size(); ++c) {
      if (legal[c]) values.push_back(static_cast<std::int64_t>(c));
    }
    const auto m = static_cast<std::int64_t>(values.size());
    if (spaces::is_ordered(space_->decisions()[tokens.size()].kind) && m > options_.max_node_space) {
      for (std::int64_t k = 0; k < options_.max_node_space; ++k) {  // a partial Fisher-Yates shuffle
        std::swap(values[static_cast<std::size_t>(k)],
                  values[static_cast<std::size_t>(std::uniform_int_distribution<std::int64_t>(k, m - 1)(rng_))]);
      }
      values.resize(static_cast<std::size_t>(options_.max_node_space));
      std::sort(values.begin(), values.end());
    }
    nodes_[v].first_child = static_cast<std::int64_t>(nodes_.size());
    nodes_[v].children = static_cast<std::int64_t>(values.size());
    for (const std::int64_t value : values) {
      Node child;
      child.parent = v;
      child.value = value;
      child.depth = nodes_[v].depth + 1;
      nodes_.push_back(child);
    }
  }

  // UCT's choice among v's children that are not exhausted.
  std::int64_t select_child(std::int64_t v) const {
    const Node& parent = nodes_[v];
    const double total = double(parent.visits + parent.pending);
    const double log_total = total > 0 ? std::log10(total) : 0.0;
    const double parent_mean = parent.visits > 0 ? parent.reward_sum / double(parent.visits) : 0.0;
    std::int64_t best = -1;
    double best_score = -std::numeric_limits<double>::infinity();
    for (std::int64_t c = parent.first_child; c < parent.first_child + parent.children; ++c) {
      const Node& child = nodes_[c];
      if (child.exhausted) continue;
      const double tries = double(child.visits + child.pending);
      double score = std::numeric_limits<double>::infinity();
      if (tries > 0) {
        const double mean = child.visits > 0 ? child.reward_sum / double(child.visits) : parent_mean;
        score = mean + options_.exploration_bonus * std::sqrt(log_total / tries);
      }
      if (best < 0 || score > best_score) {
        best = c;
        best_score = score;
      }
    }
    return best;
  }

  // The node to roll out from, searching the tree below `start` (not exhausted).
  std::int64_t descend(std::int64_t start) {
    const auto depth = static_cast<std::int64_t>(space_->num_tokens());
    std::int64_t v = start;
    while (true) {
      if (nodes_[v].depth == depth) return v;  // one architecture
      if (nodes_[v].children == 0) {
        expand(v);
        return nodes_[v].first_child + std::uniform_int_distribution<std::int64_t>(0, nodes_[v].children - 1)(rng_);
      }
      const std::int64_t c = select_child(v);
      if (nodes_[c].visits + nodes_[c].pending == 0) return c;
      v = c;
    }
  }

  void mark_exhausted(std::int64_t v) {
    nodes_[v].exhausted = true;
    for (std::int64_t p = nodes_[v].parent; p >= 0 && !nodes_[p].exhausted; p = nodes_[p].parent) {
      const Node& parent = nodes_[p];
      for (std::int64_t c = parent.first_child; c < parent.first_child + parent.children; ++c) {
        if (!nodes_[c].exhausted) return;
      }
      nodes_[p].exhausted = true;
    }
  }

  Proposal take(std::int64_t v, spaces::Arch arch) {
    proposed_.push_back(arch.tokens);
    const std::int64_t id = next_id_++;
    outstanding_.push_back({id, v, arch});
    for (std::int64_t u = v; u >= 0; u = nodes_[u].parent) ++nodes_[u].pending;
    return {id, std::move(arch)};
  }

  std::optional<Proposal> propose_one() {
    std::int64_t start = 0;
    for (int attempt = 0; attempt < kMaxAttempts; ++attempt) {
      if (nodes_[0].exhausted) return std::nullopt;
      if (nodes_[start].exhausted) start = 0;
      const std::int64_t v = descend(start);
      std::vector<std::int64_t> tokens = prefix(v);
      if (tokens.size() == space_->num_tokens()) {
        mark_exhausted(v);  // its one architecture is taken now, or was before
        spaces::Arch arch = space_->make_arch(std::move(tokens));
        if (seen_.insert(space_->canonical_hash(arch)).second) return take(v, std::move(arch));
        start = 0;
        continue;
      }
      for (int r = 0; r < kRollouts; ++r) {
        std::vector<std::int64_t> rolled = tokens;
        while (rolled.size() < space_->num_tokens()) {
          const std::vector<bool> legal = space_->legal_choices(rolled);
          std::vector<std::int64_t> values;
          for (std::size_t c = 0; c < legal.size(); ++c) {
            if (legal[c]) values.push_back(static_cast<std::int64_t>(c));
          }
          rolled.push_back(
              values[static_cast<std::size_t>(std::uniform_int_distribution<std::size_t>(0, values.size() - 1)(rng_))]);
        }
        spaces::Arch arch = space_->make_arch(std::move(rolled));
        if (seen_.insert(space_->canonical_hash(arch)).second) return take(v, std::move(arch));
      }
      start = v;  // nothing new by chance below v: search its subtree through the tree
    }
    return std::nullopt;
  }

  // "mcts: 57 nodes, root mean 0.52 over 24 rewards; first decision: value 1 mean 0.8 (15), ..."
  std::string summary() const {
    const Node& root = nodes_[0];
    std::string line = "mcts: " + std::to_string(nodes_.size()) + " nodes, root mean " +
                       number(root.visits > 0 ? root.reward_sum / double(root.visits) : 0.0) + " over " +
                       std::to_string(root.visits) + " rewards";
    if (root.children > 0) {
      line += "; first decision (value mean visits):";
      for (std::int64_t c = root.first_child; c < root.first_child + root.children; ++c) {
        const Node& child = nodes_[c];
        line += " " + std::to_string(child.value) + " " +
                number(child.visits > 0 ? child.reward_sum / double(child.visits) : 0.0) + " " +
                std::to_string(child.visits);
      }
    }
    return line;
  }

  spaces::SpacePtr space_;
  spaces::Rng rng_;
  MctsOptions options_;
  std::int64_t next_id_ = 0;
  std::vector<Node> nodes_;                          // nodes_[0] is the root; children contiguous
  std::vector<Pending> outstanding_;                 // proposed, awaiting feedback
  std::vector<std::vector<std::int64_t>> proposed_;  // every proposed architecture, in order
  std::unordered_set<std::uint64_t> seen_;           // their canonical hashes
  std::vector<std::string> log_;
};

void MctsController::state_fields(StateFields& fields) {
  spaces::bind_rng(fields, "rng", rng_);
  fields.integer("next_id", next_id_);
  const std::int64_t length = static_cast<std::int64_t>(space_->num_tokens());
  const auto count = static_cast<std::int64_t>(nodes_.size());

  const auto column = [&](auto member) {
    torch::Tensor t = torch::zeros({count}, torch::kLong);
    auto a = t.accessor<std::int64_t, 1>();
    for (std::int64_t v = 0; v < count; ++v) a[v] = static_cast<std::int64_t>(nodes_[v].*member);
    return t;
  };
  torch::Tensor parent = column(&Node::parent), value = column(&Node::value), depth = column(&Node::depth);
  torch::Tensor first_child = column(&Node::first_child), children = column(&Node::children);
  torch::Tensor visits = column(&Node::visits), exhausted = column(&Node::exhausted);
  torch::Tensor reward_sum = torch::zeros({count}, torch::kDouble);
  auto sum_of = reward_sum.accessor<double, 1>();
  for (std::int64_t v = 0; v < count; ++v) sum_of[v] = nodes_[v].reward_sum;
  const auto rows = [&](const std::vector<std::vector<std::int64_t>>& list) {
    torch::Tensor t = torch::zeros({static_cast<std::int64_t>(list.size()), length}, torch::kLong);
    auto a = t.accessor<std::int64_t, 2>();
    for (std::size_t r = 0; r < list.size(); ++r) {
      for (std::int64_t i = 0; i < length; ++i) a[static_cast<std::int64_t>(r)][i] = list[r][i];
    }
    return t;
  };
  std::vector<std::vector<std::int64_t>> pending_tokens;
  std::vector<std::int64_t> pending_ids, pending_nodes;
  for (const Pending& p : outstanding_) {
    pending_tokens.push_back(p.arch.tokens);
    pending_ids.push_back(p.id);
    pending_nodes.push_back(p.node);
  }
  torch::Tensor proposed = rows(proposed_), outstanding_tokens = rows(pending_tokens);
  torch::Tensor outstanding_ids = torch::tensor(pending_ids, torch::kLong);
  torch::Tensor outstanding_nodes = torch::tensor(pending_nodes, torch::kLong);

  fields.tensor("tree.parent", parent);
  fields.tensor("tree.value", value);
  fields.tensor("tree.depth", depth);
  fields.tensor("tree.first_child", first_child);
  fields.tensor("tree.children", children);
  fields.tensor("tree.visits", visits);
  fields.tensor("tree.reward_sum", reward_sum);
  fields.tensor("tree.exhausted", exhausted);
  fields.tensor("outstanding.ids", outstanding_ids);
  fields.tensor("outstanding.nodes", outstanding_nodes);
  fields.tensor("outstanding.tokens", outstanding_tokens);
  fields.tensor("proposed", proposed);
  if (fields.saving()) return;

  // Loading: check the shapes and links, then rebuild.
  const std::int64_t n = parent.dim() == 1 ? parent.size(0) : -1;
  for (const torch::Tensor* t : {&parent, &value, &depth, &first_child, &children, &visits, &reward_sum, &exhausted}) {
    if (t->dim() != 1 || t->size(0) != n || n < 1) fields.fail("the tree's tensors are not all [nodes], nodes >= 1");
  }
  const auto longs = [](const torch::Tensor& t) {
    const torch::Tensor c = t.to(torch::kLong).contiguous();
    return std::vector<std::int64_t>(c.data_ptr<std::int64_t>(), c.data_ptr<std::int64_t>() + c.numel());
  };
  const std::vector<std::int64_t> p = longs(parent), val = longs(value), d = longs(depth), fc = longs(first_child),
                                  ch = longs(children), vis = longs(visits), ex = longs(exhausted);
  const torch::Tensor sums = reward_sum.to(torch::kDouble).contiguous();
  std::vector<Node> nodes(static_cast<std::size_t>(n));
  for (std::int64_t v = 0; v < n; ++v) {
    const auto i = static_cast<std::size_t>(v);
    const bool root_ok = v == 0 ? p[i] == -1 && d[i] == 0 : p[i] >= 0 && p[i] < v && d[i] == d[p[i]] + 1;
    if (!root_ok || d[i] > length || ch[i] < 0 || (ch[i] > 0 && (fc[i] <= v || fc[i] + ch[i] > n))) {
      fields.fail("tree node " + std::to_string(v) + " has a bad parent, depth or children");
    }
    nodes[i] = Node{p[i], val[i], d[i], fc[i], ch[i], vis[i], sums.data_ptr<double>()[v], ex[i] != 0, 0};
  }
  // Each node's children name it as their parent, so walking the tree stays within it.
  for (std::int64_t v = 0; v < n; ++v) {
    const auto i = static_cast<std::size_t>(v);
    for (std::int64_t c = fc[i]; c < fc[i] + ch[i]; ++c) {
      if (p[static_cast<std::size_t>(c)] != v) {
        fields.fail("tree node " + std::to_string(c) + " is a child of node " + std::to_string(v) +
                    " but names another parent");
      }
    }
  }
  const auto archs = [&](const torch::Tensor& t, const std::string& key) {
    if (t.dim() != 2 || t.size(1) != length) {
      fields.fail("tensor '" + fields.key(key) + "' is not [rows, " + std::to_string(length) + "] tokens");
    }
    std::vector<std::vector<std::int64_t>> list;
    for (std::int64_t r = 0; r < t.size(0); ++r) {
      list.push_back(longs(t[r]));
      if (!space_->is_valid(space_->make_arch(list.back()))) {
        fields.fail("tensor '" + fields.key(key) + "' row " + std::to_string(r) + " is not an architecture of " +
                    space_->spec());
      }
    }
    return list;
  };
  std::vector<std::vector<std::int64_t>> loaded_proposed = archs(proposed, "proposed");
  std::vector<std::vector<std::int64_t>> loaded_tokens = archs(outstanding_tokens, "outstanding.tokens");
  const std::vector<std::int64_t> ids = longs(outstanding_ids), at = longs(outstanding_nodes);
  if (ids.size() != loaded_tokens.size() || at.size() != loaded_tokens.size()) {
    fields.fail("the outstanding ids, nodes and tokens differ in number");
  }
  std::vector<Pending> loaded_outstanding;
  std::set<std::int64_t> unique;
  for (std::size_t k = 0; k < ids.size(); ++k) {
    if (ids[k] < 0 || ids[k] >= next_id_ || !unique.insert(ids[k]).second || at[k] < 0 || at[k] >= n) {
      fields.fail("outstanding proposal " + std::to_string(ids[k]) + " has a bad id or node");
    }
    for (std::int64_t u = at[k]; u >= 0; u = nodes[static_cast<std::size_t>(u)].parent) {
      ++nodes[static_cast<std::size_t>(u)].pending;
    }
    loaded_outstanding.push_back({ids[k], at[k], space_->make_arch(std::move(loaded_tokens[k]))});
  }
  nodes_ = std::move(nodes);
  outstanding_ = std::move(loaded_outstanding);
  proposed_ = std::move(loaded_proposed);
  seen_.clear();
  for (const auto& tokens : proposed_) seen_.insert(space_->canonical_hash(space_->make_arch(tokens)));
  log_.clear();
}

}  // namespace

REGISTER_CONTROLLER(mcts,
                    "Monte-Carlo tree search over token prefixes, UCT with log10 visits, random roll-outs, mean "
                    "back-up (Hypernets' MCTSSearcher)",
                    Capabilities{.spaces = {"*"}},
                    {spaces::ParamSpec{"exploration_bonus", 0.6,
                                       "UCT: mean + bonus * sqrt(log10(N_parent) / n_child) (Hypernets: 0.6)", 0, 1e6},
                     spaces::ParamSpec{"max_node_space", std::int64_t{10},
                                       "children of an ordered decision with more values: that many sampled "
                                       "(Hypernets: 10); categorical decisions expand fully",
                                       1, 1e6}},
                    [](spaces::SpacePtr space, const spaces::Params& p,
                       std::uint64_t seed) -> std::unique_ptr<Controller> {
                      return std::make_unique<MctsController>(
                          std::move(space), seed,
                          MctsOptions{p.get_double("exploration_bonus"), p.get_int("max_node_space")});
                    });

}  // namespace controllers
