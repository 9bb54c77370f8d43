#pragma once
// Hyper-spaces: a space whose decisions are hyper-parameters of a plain
// sequential network rather than the edges of a cell (Hypernets'
// HyperSpace, hypernets/core/search_space.py and core/ops.py; Intel
// Neural Compressor's Basic NAS searches the same kind of space).
//
// A HyperSpaceDefinition is a list of parameters and a tree of modules:
// - parameters, each a finite list of values a token indexes:
//   Choice (categories, or numbers taken as categories), Bool (false,
//   true), Int(low, high, step) and Real(low, high, step) (ordered:
//   token order is value order; both bounds included, unlike Hypernets'
//   Int whose numpy draw never reaches `high`), and a log-uniform Real of
//   `points` values spaced evenly in log between low and high (Hypernets'
//   log_uniform takes exponents as its bounds; here the bounds are values);
// - modules: a layer (an op of the sequential vocabulary below, whose
//   attributes are constants, parameters, or values derived from
//   parameters: Hypernets' Dynamic), Sequential, Repeat (a body built per
//   step, repeated as many times as a parameter says), Optional (kept or
//   dropped, the link kept), Permutation (its modules in the order a
//   parameter chooses among all orders) and Choice (one of several
//   modules).
// A parameter may be shared by several modules (Hypernets' DNN space
// shares units, dropout and the order of every block).
//
// Tokens and activity. The decisions are the parameters in declaration
// order. A parameter that no active module reads (the blocks a Repeat did
// not reach) is inactive and has exactly one legal value, 0; so does a
// Permutation's order among orders that differ only in where modules known
// to be empty go (a dropped Optional, a dropout of rate 0), where only the
// first such order is legal. Every legal token sequence is therefore a
// distinct network (up to functions that coincide by accident, such as max
// and average pooling of a 1x1 map), the space's size counts networks, and
// no searcher spends a trial on a network it has seen under another name.
// A definition must declare every parameter after the parameters that
// decide whether it is read (its enclosing Repeat, Optional and Choice
// gates), unless a module outside every gate reads it; and a Permutation's
// order after whatever can empty the modules it arranges (their Optional
// switches, their dropout rates): so activity and empty modules are known
// from the prefix. The constructor refuses a definition that does not.
//
// The graph: one layer stack (role kLayers): vertex 0 the input, vertex
// i + 1 the network's i-th layer with its text as node_op
// ("conv2d(filters=64,kernel=3)"), chained by plain edges, then the
// output. Layers of the vocabulary (childnets/sequential_network.h builds
// them; the classifier after the last one is the network's, not the
// space's):
//   dense(units=N)             a fully connected layer with bias (the input flattened first)
//   conv2d(filters=F,kernel=K) K x K, stride 1, same padding, with bias (Keras's Conv2D defaults)
//   batch_norm                 over channels (or features)
//   activation(fn=relu|tanh|sigmoid|elu|selu)
//   dropout(rate=R)            R in [0, 1); rate 0 is the identity and is not a layer
//   max_pool(size=S), avg_pool(size=S)  S x S, stride S, same padding (Keras's pooling defaults with padding='same')
//   flatten

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "spaces/search_space.h"

namespace spaces {

struct HyperValue {
  double number = 0.0;  // numeric parameters; a category's index otherwise
  std::string text;     // canonical text ("0.3", "relu", "true")
};

enum class HyperParameterKind { kChoice, kBool, kInt, kReal, kLogReal };

struct HyperParameter {
  std::string name;
  HyperParameterKind kind = HyperParameterKind::kChoice;
  std::vector<HyperValue> values;  // what token t selects: values[t]
  int permutation_size = 0;        // an order of this many modules (permutation_parameter); 0 otherwise
};

// Parameter factories; each throws OptionError naming `name` for an empty
// list, a duplicate value, low > high, a step <= 0, or (log) low <= 0.
HyperParameter choice_parameter(std::string name, const std::vector<std::string>& options);
HyperParameter choice_parameter(std::string name, const std::vector<double>& options);
HyperParameter bool_parameter(std::string name);
HyperParameter int_parameter(std::string name, std::int64_t low, std::int64_t high, std::int64_t step = 1);
HyperParameter real_parameter(std::string name, double low, double high, double step);
HyperParameter log_real_parameter(std::string name, double low, double high, int points);

// Values of the parameters a module reads, by parameter index. (A Repeat's
// body is built per step, so a value derived from the step captures it.)
struct HyperBinding {
  const std::vector<HyperValue>* values = nullptr;
  const HyperValue& operator[](int parameter) const { return values->at(static_cast<std::size_t>(parameter)); }
};

// A layer's attribute: a constant, one parameter, or a value derived from
// parameters (`reads` lists them; `derive` sees only those).
struct HyperAttribute {
  std::string name;
  std::vector<int> reads;
  std::function<HyperValue(const HyperBinding&)> derive;
};
HyperAttribute constant_attribute(std::string name, HyperValue value);
HyperAttribute parameter_attribute(std::string name, int parameter);

struct HyperModule {
  enum class Kind { kLayer, kSequential, kRepeat, kOptional, kPermutation, kChoice };
  Kind kind = Kind::kSequential;
  std::string op;                          // kLayer: the vocabulary's op name
  std::vector<HyperAttribute> attributes;  // kLayer
  // kSequential, kPermutation, kChoice: the modules; kRepeat: the body of
  // each step (as many as the largest count); kOptional: the one module.
  std::vector<HyperModule> children;
  // The gate: kRepeat (values = counts; -1: `fixed_count` times),
  // kOptional (a Bool), kPermutation (values = the orders, as
  // permutation_parameter makes them), kChoice (one value per child).
  int parameter = -1;
  std::vector<int> counts;  // kRepeat: the count each value of `parameter` means
  int fixed_count = 0;      // kRepeat without a parameter
};

HyperModule layer_module(std::string op, std::vector<HyperAttribute> attributes = {});
HyperModule sequential_module(std::vector<HyperModule> children);

// A definition under construction: parameters are declared in token
// order. The builders do not validate; HyperSpace's constructor checks the
// whole definition. add() throws OptionError for a name declared twice,
// repeat() for no counts or a negative one, permutation(shared, ...) for a
// parameter that is not an order of that many modules.
class HyperSpaceDefinition {
 public:
  int add(HyperParameter parameter);  // its index
  // Repeat `body(step)` as many times as a parameter over `counts` says
  // (declared here, named `name`); one count: no parameter.
  HyperModule repeat(const std::string& name, const std::vector<int>& counts,
                     const std::function<HyperModule(int step)>& body);
  HyperModule optional(int bool_parameter, HyperModule module);
  // The orders of `modules`: a parameter declared here over every
  // permutation, or `shared`, a parameter made by permutation_parameter
  // for the same number of modules.
  HyperModule permutation(const std::string& name, std::vector<HyperModule> modules);
  HyperModule permutation(int shared, std::vector<HyperModule> modules);
  // "name" over the orders of n modules, in lexicographic order ("0-1-2", "0-2-1", ...).
  static HyperParameter permutation_parameter(std::string name, int n);
  HyperModule choice(const std::string& name, std::vector<HyperModule> modules);
  HyperModule choice(int shared, std::vector<HyperModule> modules);

  std::vector<HyperParameter> parameters;
  HyperModule root;
};

// One layer of a realised network.
struct HyperLayer {
  std::string op;
  std::vector<std::pair<std::string, HyperValue>> attributes;  // in the module's order
  std::string text() const;                                    // "conv2d(filters=64,kernel=3)"
  // Throws ArchError naming the layer for a missing or non-numeric attribute.
  double number(const std::string& attribute) const;
  const std::string& word(const std::string& attribute) const;
};

// Reads text() back. Throws ArchParseError naming the text.
HyperLayer parse_hyper_layer(const std::string& text);

class HyperSpace : public SearchSpace {
 public:
  // Throws OptionError naming the parameter for a definition whose
  // parameter is never read, is read only under a gate declared after it,
  // can empty a module of a Permutation whose order is declared before it,
  // has no values, is a Choice gate with another number of values than
  // modules, or an Optional gate that is not a Bool; and for a layer op
  // outside the vocabulary.
  HyperSpace(std::string name, Params params, HyperSpaceDefinition definition);

  const std::vector<HyperParameter>& parameters() const { return definition_.parameters; }

  std::vector<bool> legal_choices(std::span<const std::int64_t> prefix) const override;
  // The layers `arch` builds, in order (validated first).
  std::vector<HyperLayer> layers(const Arch& arch) const;
  // name=value per active parameter, in braces: "{units=500 reduce_factor=0.8 ...}".
  std::string assignment_text(const Arch& arch) const;

  ArchGraph decode(const Arch& arch) const override;
  // Finds the token sequence whose network is the graph's (a search in
  // token order, pruned by the layers each prefix already fixes). Throws
  // ArchError for a graph no architecture of the space builds.
  Arch encode(const ArchGraph& graph) const override;
  using SearchSpace::to_string;
  // "assignment" ({name=value ...}, canonical; parse also takes commas
  // between, and leaves unnamed parameters at token 0) and "arc" (tokens).
  std::vector<std::string> formats() const override { return {"assignment", "arc"}; }
  std::string to_string(const Arch& arch, const std::string& format) const override;
  // The number of legal token sequences (= distinct networks), counted by
  // walking the legal prefixes.
  BigCount size() const override;
  std::string describe_decision(std::size_t position) const override;

 protected:
  Arch parse_text(const std::string& text) const override;

 private:
  // The parameters active modules read, given the known prefix `tokens`
  // (gates not yet decided: only what they enclose unconditionally).
  std::vector<bool> active(std::span<const std::int64_t> tokens) const;
  // Layers of the known prefix, up to the first module that needs a
  // parameter not yet decided (then `complete` is false).
  std::vector<HyperLayer> realise(std::span<const std::int64_t> tokens, bool& complete) const;
  std::vector<bool> legal_orders(int parameter, std::span<const std::int64_t> prefix) const;
  bool encode_from(std::vector<std::int64_t>& tokens, const std::vector<std::string>& target) const;
  void count_from(std::vector<std::int64_t>& tokens, BigCount& total) const;

  HyperSpaceDefinition definition_;
  std::vector<bool> structural_;  // per parameter: a gate, or read by a dropout's rate
};

}  // namespace spaces
