#include "controllers/evolution.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <set>
#include <sstream>
#include <stdexcept>

#include "spaces/infra/errors.h"

namespace controllers {
namespace {

std::string number_text(double value) {
  char buffer[64];
  const auto end = std::to_chars(buffer, buffer + sizeof buffer, value).ptr;  // shortest text that reads back exactly
  return std::string(buffer, end);
}

// One candidate per line: id generation origin fitness parents(comma list or -) tokens...
std::string candidates_text(const std::vector<Candidate>& candidates) {
  std::string text;
  for (const Candidate& c : candidates) {
    text += std::to_string(c.id) + ' ' + std::to_string(c.generation) + ' ' +
            std::to_string(static_cast<int>(c.origin)) + ' ' + number_text(c.fitness) + ' ';
    std::string parents;
    for (std::int64_t p : c.parents) parents += (parents.empty() ? "" : ",") + std::to_string(p);
    text += (parents.empty() ? "-" : parents);
    for (std::int64_t t : c.arch.tokens) text += ' ' + std::to_string(t);
    text += '\n';
  }
  return text;
}

bool read_candidates(const std::string& text, const spaces::SearchSpace& space, std::vector<Candidate>& out) {
  out.clear();
  std::istringstream lines(text);
  std::string line;
  while (std::getline(lines, line)) {
    std::istringstream words(line);
    Candidate c;
    int origin = 0;
    std::string fitness, parents;
    if (!(words >> c.id >> c.generation >> origin >> fitness >> parents) || origin < 0 || origin > 3) return false;
    c.origin = static_cast<Origin>(origin);
    if (std::from_chars(fitness.data(), fitness.data() + fitness.size(), c.fitness).ec != std::errc()) return false;
    if (parents != "-") {
      std::istringstream list(parents);
      std::string id;
      while (std::getline(list, id, ',')) {
        std::int64_t parent = 0;
        if (std::from_chars(id.data(), id.data() + id.size(), parent).ec != std::errc()) return false;
        c.parents.push_back(parent);
      }
    }
    std::vector<std::int64_t> tokens;
    for (std::int64_t t = 0; words >> t;) tokens.push_back(t);
    if (!words.eof()) return false;
    c.arch = space.make_arch(std::move(tokens));
    if (!space.is_valid(c.arch)) return false;
    out.push_back(std::move(c));
  }
  return true;
}

}  // namespace

std::string to_string(Origin origin) {
  switch (origin) {
    case Origin::kRandom:
      return "random";
    case Origin::kMutation:
      return "mutation";
    case Origin::kCrossover:
      return "crossover";
    case Origin::kPredicted:
      return "predicted";
  }
  return "unknown";
}

Evolution::Evolution(std::string name, spaces::SpacePtr space, std::uint64_t seed, std::int64_t train_epochs)
    : space_(std::move(space)), rng_(seed), name_(std::move(name)), train_epochs_(train_epochs) {}

std::vector<Phase> Evolution::phases(std::int64_t epoch) const {
  if (epoch < train_epochs_) return {TrainWeightsPhase{PathSource::kUniform}};
  return {EvaluatePhase{.proposals = batch_size()}};
}

bool Evolution::admit(Candidate candidate, std::vector<Candidate>& out) {
  const std::uint64_t key = space_->canonical_hash(candidate.arch);
  if (seen_.count(key) > 0) return false;
  if (cost_model_ != nullptr && !cost_model_->violation(candidate.arch).empty()) return false;
  seen_.insert(key);
  out.push_back(std::move(candidate));
  return true;
}

void Evolution::admit_children(std::vector<Candidate>& out, std::size_t count, std::int64_t tries,
                               const std::function<Candidate()>& make_child) {
  const std::size_t target = out.size() + count;
  for (std::int64_t made = 0; made < tries && out.size() < target; ++made) admit(make_child(), out);
}

void Evolution::fill_randomly(std::vector<Candidate>& out, std::size_t size) {
  int tries = 0;
  std::string cheapest;
  double cheapest_macs = std::numeric_limits<double>::infinity();
  while (out.size() < size) {
    Candidate candidate;
    candidate.arch = space_->random(rng_);
    if (admit(candidate, out)) {
      tries = 0;
      continue;
    }
    if (cost_model_ != nullptr && cost_model_->constrained()) {
      const double macs = cost_model_->costs(candidate.arch).at("macs");
      if (macs < cheapest_macs) {
        cheapest_macs = macs;
        cheapest = cost_model_->violation(candidate.arch);
      }
    }
    if (++tries >= kMaxTries) {
      throw std::runtime_error(
          name_ + ": " + std::to_string(kMaxTries) +
          " random architectures in a row were duplicates or broke the constraints" +
          (cheapest.empty() ? std::string(" (the space may be exhausted)") : "; the cheapest drawn: " + cheapest) +
          "; loosen [search] max_params / max_macs or use a larger space");
    }
  }
}

std::vector<Proposal> Evolution::propose(int n) {
  std::vector<Proposal> proposals;
  while (static_cast<int>(proposals.size()) < n) {
    for (int rounds = 0; pending_.empty(); ++rounds) {
      // The next batch is bred from this one's feedback; a finished strategy breeds no more.
      if (!outstanding_.empty() || finished()) return proposals;
      if (rounds == kMaxTries) {
        throw std::runtime_error(
            name_ + ": " + std::to_string(kMaxTries) +
            " breeding rounds in a row gave no new architecture (the space may be exhausted, or the "
            "population converged)");
      }
      const auto size = static_cast<std::size_t>(breed_size(n - static_cast<int>(proposals.size())));
      std::vector<Candidate> batch;
      breed(batch, size);
      if (batch.size() > size) throw std::logic_error(name_ + ": bred more candidates than asked");
      if (tops_up_randomly()) fill_randomly(batch, size);
      for (Candidate& c : batch) {
        c.generation = generation_;
        pending_.push_back(std::move(c));
      }
      ++generation_;
    }
    Candidate c = std::move(pending_.front());
    pending_.pop_front();
    c.id = next_id_++;
    proposals.push_back({c.id, c.arch});
    outstanding_.push_back(std::move(c));
  }
  return proposals;
}

std::vector<spaces::Arch> Evolution::sample(int n) {
  std::vector<spaces::Arch> archs;
  for (int i = 0; i < n; ++i) archs.push_back(space_->random(rng_));
  return archs;
}

UpdateStats Evolution::observe(const std::vector<Feedback>& feedback) {
  const auto outstanding = [&](std::int64_t id) {
    return std::find_if(outstanding_.begin(), outstanding_.end(), [&](const Candidate& c) { return c.id == id; });
  };
  std::set<std::int64_t> ids;  // all are checked before any is settled
  for (const Feedback& f : feedback) {
    if (!ids.insert(f.id).second || outstanding(f.id) == outstanding_.end()) {
      throw std::invalid_argument(name_ + ": feedback for id " + std::to_string(f.id) + ", which is not outstanding");
    }
    check_feedback(f);
  }
  for (const Feedback& f : feedback) {
    const auto it = outstanding(f.id);
    Candidate c = std::move(*it);
    outstanding_.erase(it);
    c.fitness = f.reward;
    spaces::Record record("generations");
    record.set("generation", c.generation)
        .set("id", c.id)
        .set("origin", to_string(c.origin))
        .set("fitness", c.fitness)
        .set("tokens", c.arch.tokens);
    std::string parents;
    for (std::int64_t p : c.parents) parents += (parents.empty() ? "" : " ") + std::to_string(p);
    record.set("parents", parents);
    for (const auto& [metric, value] : f.metrics) record.set(metric, value);
    records_.push_back(std::move(record));
    evaluated_.emplace(space_->canonical_hash(c.arch), history_.size());
    history_.push_back(std::move(c));
    on_feedback(history_.back(), f);
  }
  UpdateStats stats;
  stats.count = static_cast<std::int64_t>(feedback.size());
  stats.mean_reward = mean_reward(feedback);
  return stats;
}

std::vector<const Candidate*> Evolution::fittest(std::size_t k) const {
  std::vector<const Candidate*> ranked;
  for (const Candidate& c : history_) {
    if (!std::isnan(c.fitness)) ranked.push_back(&c);
  }
  // Ties keep the earlier candidate first, so the ranking depends on the history alone.
  std::stable_sort(ranked.begin(), ranked.end(),
                   [](const Candidate* a, const Candidate* b) { return a->fitness > b->fitness; });
  if (ranked.size() > k) ranked.resize(k);
  return ranked;
}

const Candidate* Evolution::evaluated(const spaces::Arch& arch) const {
  const auto it = evaluated_.find(space_->canonical_hash(arch));
  return it == evaluated_.end() ? nullptr : &history_[it->second];
}

std::vector<spaces::Arch> Evolution::result() const {
  std::vector<spaces::Arch> best;
  for (const Candidate* c : fittest(history_.size())) best.push_back(c->arch);
  return best;
}

Report Evolution::take_report() {
  Report report;
  report.records = std::move(records_);
  records_.clear();
  return report;
}

void Evolution::state_fields(StateFields& fields) {
  spaces::bind_rng(fields, "rng", rng_);
  fields.integer("next_id", next_id_);
  fields.integer("generation", generation_);
  auto bind_candidates = [&](const std::string& key, auto& container) {
    std::vector<Candidate> list(container.begin(), container.end());
    std::string text = fields.saving() ? candidates_text(list) : std::string();
    fields.text(key, text);
    if (fields.saving()) return;
    if (!read_candidates(text, *space_, list))
      fields.fail("text '" + fields.key(key) + "' is not a list of candidates");
    container.assign(list.begin(), list.end());
  };
  bind_candidates("pending", pending_);
  bind_candidates("outstanding", outstanding_);
  bind_candidates("history", history_);
  if (fields.loading()) {  // every admitted candidate is pending, outstanding or in the history
    seen_.clear();
    evaluated_.clear();
    for (std::size_t i = 0; i < history_.size(); ++i) evaluated_.emplace(space_->canonical_hash(history_[i].arch), i);
    for (const auto* list : {&history_, &outstanding_}) {
      for (const Candidate& c : *list) seen_.insert(space_->canonical_hash(c.arch));
    }
    for (const Candidate& c : pending_) seen_.insert(space_->canonical_hash(c.arch));
    records_.clear();
  }
  evolution_state_fields(fields);
}

}  // namespace controllers
