#pragma once
// SearchSpace: the grammar of one family of architectures. Immutable once
// built and shared as std::shared_ptr<const SearchSpace>; every method is
// const and thread-safe.
//
// A space is a fixed sequence of categorical decisions (decisions()); an
// Arch is one value per decision. legal_choices() gives the values allowed
// at a position after a prefix, which is how a space states rules that
// depend on earlier tokens (DARTS: two distinct inputs per node). Generic
// code — random sampling, validation, mutation, crossover, enumeration —
// is written once here in terms of those two functions; a concrete space
// adds decode/encode, its text formats and its exact size.

#include <cstdint>
#include <memory>
#include <random>
#include <span>
#include <string>
#include <vector>

#include "spaces/arch.h"
#include "spaces/big_count.h"
#include "spaces/cell_graph.h"
#include "spaces/decision.h"
#include "spaces/infra/params.h"
#include "spaces/infra/state_dict.h"

namespace spaces {

using Rng = std::mt19937_64;
// A generator's full state as text and back, for checkpoints. from_text
// throws std::invalid_argument for text that is not such a state.
std::string rng_to_text(const Rng& rng);
void rng_from_text(const std::string& text, Rng& rng);
// The generator as text field `name` of a saved state (see state_dict.h).
template <class Tensor>
void bind_rng(StateFields<Tensor>& fields, const std::string& name, Rng& rng) {
  std::string text = fields.saving() ? rng_to_text(rng) : std::string();
  fields.text(name, text);
  if (fields.saving()) return;
  try {
    rng_from_text(text, rng);
  } catch (const std::invalid_argument&) {
    fields.fail("text '" + fields.key(name) + "' is not a generator state");
  }
}

class SearchSpace {
 public:
  virtual ~SearchSpace() = default;

  // Registered short name ("enas_micro") and the resolved options it was built with.
  const std::string& name() const { return name_; }
  const Params& params() const { return params_; }
  // "enas_micro(nodes=5)": the spec that rebuilds this space through the
  // registry. Arch::space and ArchGraph::space hold it, so architectures of
  // the same space with other options (darts vs darts(allow_none=true)) are
  // never mistaken for each other.
  const std::string& spec() const { return spec_; }

  const std::vector<Decision>& decisions() const { return decisions_; }
  std::size_t num_tokens() const { return decisions_.size(); }
  // Names of the graph cells, by Decision::cell ("normal cell", "stage 2").
  virtual std::string cell_name(int cell) const;
  // The op vocabulary that Decision kind kOp indexes (empty if none).
  const std::vector<std::string>& op_names() const { return op_names_; }

  // Which values are legal at position prefix.size() after `prefix` (assumed
  // valid). Default: every value of the decision.
  virtual std::vector<bool> legal_choices(std::span<const std::int64_t> prefix) const;

  // Throws InvalidArchError naming the first bad position, its value and the
  // legal range, or the length mismatch.
  void validate(const Arch& arch) const;
  void validate(std::span<const std::int64_t> tokens) const;
  bool is_valid(const Arch& arch) const;

  // Arch <-> graphs. decode validates first; encode(decode(a)) == a.
  virtual ArchGraph decode(const Arch& arch) const = 0;
  virtual Arch encode(const ArchGraph& graph) const = 0;

  // Text formats. formats()[0] is the canonical one that to_string writes;
  // parse accepts any of them and returns a validated Arch. It reduces text
  // pasted with its context, or a preset's name, to the architecture
  // (pasted_text.h: architecture_text) once, for every space, then reads
  // it with parse_text.
  virtual std::vector<std::string> formats() const { return {"arc"}; }
  std::string to_string(const Arch& arch) const { return to_string(arch, formats().front()); }
  virtual std::string to_string(const Arch& arch, const std::string& format) const;
  Arch parse(const std::string& pasted) const;
  // Throws OptionError listing formats() unless `format` is one of them.
  void check_format(const std::string& format) const;

  // Exact number of valid token sequences, and its parts where a space has
  // them ("normal cell" -> n, "reduction cell" -> n). size() is their product.
  virtual BigCount size() const = 0;
  virtual std::vector<std::pair<std::string, BigCount>> size_parts() const { return {}; }

  // Uniform over each decision's legal values, in token order.
  Arch random(Rng& rng) const;
  // Changes one token (chosen uniformly among positions that have another
  // legal value) to a different legal value, then repairs any later token
  // that the change made illegal. Always valid, always different.
  Arch mutate(const Arch& parent, Rng& rng) const;
  // Redraws each token, independently with `probability`, uniformly among
  // its legal values (possibly the value it had: SPOS's mutation,
  // SinglePathOneShot search.py:147-171), then repairs as mutate does.
  // Always valid; may equal the parent. Throws std::invalid_argument for a
  // probability outside [0, 1].
  Arch resample(const Arch& parent, double probability, Rng& rng) const;
  // Takes each node's decisions (a node = same cell and node) from either
  // parent with probability 1/2, then repairs as mutate does. Always valid.
  Arch crossover(const Arch& a, const Arch& b, Rng& rng) const;

  // Equal for architectures that compute the same function (inputs of a node
  // in either order, nodes renumbered, concat order). Validates first.
  std::uint64_t canonical_hash(const Arch& arch) const;

  Arch make_arch(std::vector<std::int64_t> tokens) const { return Arch{spec_, std::move(tokens)}; }
  // "normal cell, node 3, input 1 op": what the token at `position` decides,
  // for error messages.
  virtual std::string describe_decision(std::size_t position) const;

 protected:
  SearchSpace(std::string name, Params params);
  // The space's own forms, on text parse has reduced. Default: the arc
  // (integers); its ArchParseError names every form the space reads.
  virtual Arch parse_text(const std::string& text) const;
  // Concrete constructors fill these.
  std::vector<Decision> decisions_;
  std::vector<std::string> op_names_;

  // Checks that `arch` names this space; throws ArchError otherwise.
  void check_space_name(const Arch& arch) const;
  // Index of `op` in op_names(); throws ArchParseError listing the legal names.
  int op_index(const std::string& op) const;

 private:
  std::string name_;
  Params params_;
  std::string spec_;
  // Re-samples, left to right from `from`, every token that is illegal after its prefix.
  void repair(std::vector<std::int64_t>& tokens, std::size_t from, Rng& rng) const;
};

using SpacePtr = std::shared_ptr<const SearchSpace>;

}  // namespace spaces
