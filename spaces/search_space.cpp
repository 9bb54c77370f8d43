#include "spaces/search_space.h"

#include <algorithm>
#include <sstream>

#include "spaces/infra/errors.h"
#include "spaces/pasted_text.h"

namespace spaces {
namespace {

std::int64_t pick_legal(const std::vector<bool>& legal, Rng& rng, std::int64_t excluded = -1) {
  std::vector<std::int64_t> values;
  for (std::size_t v = 0; v < legal.size(); ++v) {
    if (legal[v] && static_cast<std::int64_t>(v) != excluded) values.push_back(static_cast<std::int64_t>(v));
  }
  if (values.empty()) throw std::logic_error("a decision has no legal value");
  std::uniform_int_distribution<std::size_t> pick(0, values.size() - 1);
  return values[pick(rng)];
}

}  // namespace

std::string rng_to_text(const Rng& rng) {
  std::ostringstream text;
  text << rng;
  return text.str();
}

void rng_from_text(const std::string& text, Rng& rng) {
  std::istringstream in(text);
  Rng restored;
  in >> restored;
  if (in.fail()) throw std::invalid_argument("unreadable generator state");
  rng = restored;
}

SearchSpace::SearchSpace(std::string name, Params params) : name_(std::move(name)), params_(std::move(params)) {
  const std::string options = params_.to_string();
  spec_ = options.empty() ? name_ : name_ + "(" + options + ")";
}

std::string SearchSpace::describe_decision(std::size_t position) const {
  const Decision& decision = decisions_.at(position);
  return decision.describe(cell_name(decision.cell));
}

std::string SearchSpace::cell_name(int cell) const { return "cell " + std::to_string(cell); }

std::vector<bool> SearchSpace::legal_choices(std::span<const std::int64_t> prefix) const {
  return std::vector<bool>(static_cast<std::size_t>(decisions_.at(prefix.size()).num_choices), true);
}

void SearchSpace::validate(std::span<const std::int64_t> tokens) const {
  if (tokens.size() != decisions_.size()) throw InvalidArchError(spec_, tokens.size(), decisions_.size());
  for (std::size_t i = 0; i < tokens.size(); ++i) {
    const Decision& decision = decisions_[i];
    const std::int64_t value = tokens[i];
    const std::vector<bool> legal = legal_choices(tokens.first(i));
    if (value >= 0 && value < decision.num_choices && legal[static_cast<std::size_t>(value)]) continue;
    std::string detail;
    if (value >= 0 && value < decision.num_choices) {
      std::string excluded;
      for (std::size_t v = 0; v < legal.size(); ++v) {
        if (!legal[v]) excluded += (excluded.empty() ? "" : ", ") + std::to_string(v);
      }
      detail = "excluding " + excluded + " after the tokens before it";
    }
    throw InvalidArchError(spec_, i, value, 0, decision.num_choices - 1, describe_decision(i), detail);
  }
}

void SearchSpace::validate(const Arch& arch) const {
  check_space_name(arch);
  validate(std::span<const std::int64_t>(arch.tokens));
}

bool SearchSpace::is_valid(const Arch& arch) const {
  try {
    validate(arch);
    return true;
  } catch (const ArchError&) {
    return false;
  }
}

void SearchSpace::check_space_name(const Arch& arch) const {
  if (arch.space != spec_) {
    throw ArchError("architecture of space '" + arch.space + "' given to space '" + spec_ + "'");
  }
}

void SearchSpace::check_format(const std::string& format) const {
  const auto all = formats();
  if (std::find(all.begin(), all.end(), format) != all.end()) return;
  std::string known;
  for (const auto& f : all) known += (known.empty() ? "" : ", ") + f;
  throw OptionError(spec_ + ": no text format '" + format + "' (formats: " + known + ")");
}

int SearchSpace::op_index(const std::string& op) const {
  auto it = std::find(op_names_.begin(), op_names_.end(), op);
  if (it != op_names_.end()) return static_cast<int>(it - op_names_.begin());
  std::string legal;
  for (const auto& name : op_names_) legal += (legal.empty() ? "" : ", ") + name;
  throw ArchParseError(name_ + ": unknown op '" + op + "' (ops: " + legal + ")");
}

std::string SearchSpace::to_string(const Arch& arch, const std::string& format) const {
  validate(arch);
  check_format(format);
  return join_tokens(arch.tokens);
}

Arch SearchSpace::parse(const std::string& pasted) const { return parse_text(architecture_text(pasted, name_)); }

Arch SearchSpace::parse_text(const std::string& text) const {
  std::vector<std::int64_t> tokens;
  try {
    tokens = split_tokens(text, name_);
  } catch (const ArchParseError& e) {
    std::string forms;
    for (const std::string& format : formats()) forms += (forms.empty() ? "" : ", ") + format;
    throw ArchParseError(std::string(e.what()) + "; " + name_ + " reads its text forms (" + forms + "), " +
                         pasted_forms_hint() + ", or a preset name (nas_arch presets)");
  }
  Arch arch = make_arch(std::move(tokens));
  validate(arch);
  return arch;
}

Arch SearchSpace::random(Rng& rng) const {
  std::vector<std::int64_t> tokens;
  tokens.reserve(decisions_.size());
  for (std::size_t i = 0; i < decisions_.size(); ++i) tokens.push_back(pick_legal(legal_choices(tokens), rng));
  return make_arch(std::move(tokens));
}

void SearchSpace::repair(std::vector<std::int64_t>& tokens, std::size_t from, Rng& rng) const {
  for (std::size_t i = from; i < tokens.size(); ++i) {
    const std::vector<bool> legal = legal_choices(std::span<const std::int64_t>(tokens).first(i));
    const std::int64_t value = tokens[i];
    if (value < 0 || value >= static_cast<std::int64_t>(legal.size()) || !legal[static_cast<std::size_t>(value)]) {
      tokens[i] = pick_legal(legal, rng);
    }
  }
}

Arch SearchSpace::mutate(const Arch& parent, Rng& rng) const {
  validate(parent);
  std::vector<std::int64_t> tokens = parent.tokens;
  std::vector<std::size_t> mutable_positions;
  for (std::size_t i = 0; i < tokens.size(); ++i) {
    const auto legal = legal_choices(std::span<const std::int64_t>(tokens).first(i));
    if (std::count(legal.begin(), legal.end(), true) >= 2) mutable_positions.push_back(i);
  }
  if (mutable_positions.empty()) return parent;  // a space of one member
  std::uniform_int_distribution<std::size_t> pick(0, mutable_positions.size() - 1);
  const std::size_t position = mutable_positions[pick(rng)];
  tokens[position] =
      pick_legal(legal_choices(std::span<const std::int64_t>(tokens).first(position)), rng, tokens[position]);
  repair(tokens, position + 1, rng);
  return make_arch(std::move(tokens));
}

Arch SearchSpace::resample(const Arch& parent, double probability, Rng& rng) const {
  if (!(probability >= 0.0 && probability <= 1.0)) {
    throw std::invalid_argument("resample: probability " + std::to_string(probability) + " is not in [0, 1]");
  }
  validate(parent);
  std::vector<std::int64_t> tokens = parent.tokens;
  std::bernoulli_distribution redraw(probability);
  for (std::size_t i = 0; i < tokens.size(); ++i) {
    if (redraw(rng)) tokens[i] = pick_legal(legal_choices(std::span<const std::int64_t>(tokens).first(i)), rng);
  }
  repair(tokens, 0, rng);
  return make_arch(std::move(tokens));
}

Arch SearchSpace::crossover(const Arch& a, const Arch& b, Rng& rng) const {
  validate(a);
  validate(b);
  std::vector<std::int64_t> tokens(a.tokens.size());
  std::bernoulli_distribution coin(0.5);
  bool from_a = true;
  for (std::size_t i = 0; i < tokens.size(); ++i) {
    const bool new_node =
        i == 0 || decisions_[i].cell != decisions_[i - 1].cell || decisions_[i].node != decisions_[i - 1].node;
    if (new_node) from_a = coin(rng);
    tokens[i] = from_a ? a.tokens[i] : b.tokens[i];
  }
  repair(tokens, 0, rng);
  return make_arch(std::move(tokens));
}

std::uint64_t SearchSpace::canonical_hash(const Arch& arch) const { return spaces::canonical_hash(decode(arch)); }

}  // namespace spaces
