// Hypernets' DNN and CNN hyper-spaces (hypernets/frameworks/keras/
// dnn_search_space.py and cnn_search_space.py, @3b2d578), parameters
// declared in Hypernets' order, options defaulting to Hypernets' choices.

#include <algorithm>
#include <cmath>
#include <sstream>

#include "spaces/hyper_space.h"
#include "spaces/infra/errors.h"
#include "spaces/infra/number_text.h"
#include "spaces/registry.h"

namespace spaces {
namespace {

std::vector<std::string> words(const std::string& list, const std::string& option) {
  std::vector<std::string> out;
  std::stringstream in(list);
  std::string word;
  while (std::getline(in, word, '/')) {
    if (!word.empty()) out.push_back(word);
  }
  if (out.empty()) throw OptionError("option '" + option + "' lists nothing");
  return out;
}

std::vector<double> numbers(const std::string& list, const std::string& option) {
  std::vector<double> out;
  for (const std::string& word : words(list, option)) {
    const auto number = parse_number(word);
    if (!number) throw OptionError("option '" + option + "': '" + word + "' is not a number");
    out.push_back(*number);
  }
  return out;
}

std::vector<double> as_doubles(const std::vector<std::int64_t>& list) { return {list.begin(), list.end()}; }

std::vector<int> as_ints(const std::vector<std::int64_t>& list) { return {list.begin(), list.end()}; }

// An activation: a parameter over `names`, or a constant when there is one.
HyperAttribute activation_attribute(HyperSpaceDefinition& d, const std::vector<std::string>& names) {
  if (names.size() == 1) return constant_attribute("fn", {0.0, names.front()});
  return parameter_attribute("fn", d.add(choice_parameter("activation", names)));
}

void check_activations(const std::vector<std::string>& names) {
  static const std::vector<std::string> known = {"relu", "tanh", "sigmoid", "elu", "selu"};
  for (const std::string& name : names) {
    if (std::find(known.begin(), known.end(), name) == known.end()) {
      throw OptionError("option 'activations': unknown activation '" + name +
                        "' (known: relu, tanh, sigmoid, elu, selu)");
    }
  }
}

// dnn_search_space: a Repeat of blocks Dense(units * reduce_factor^step),
// then a Permutation of (activation, Optional(BN), Dropout); shared
// units, reduce factor, BN switch, activation, dropout and order.
SpacePtr make_dnn(const Params& params) {
  HyperSpaceDefinition d;
  const int units = d.add(choice_parameter("units", as_doubles(params.get_int_list("units"))));
  const int reduce =
      d.add(choice_parameter("reduce_factor", numbers(params.get_string("reduce_factors"), "reduce_factors")));
  const int use_bn = d.add(bool_parameter("use_bn"));
  const std::vector<std::string> activations = words(params.get_string("activations"), "activations");
  check_activations(activations);
  const HyperAttribute activation = activation_attribute(d, activations);
  const int dropout =
      d.add(real_parameter("dropout", 0.0, params.get_double("dropout_max"), params.get_double("dropout_step")));
  const int order = d.add(HyperSpaceDefinition::permutation_parameter("order", 3));
  const std::vector<double> units_list = as_doubles(params.get_int_list("units"));
  const std::vector<double> factors = numbers(params.get_string("reduce_factors"), "reduce_factors");
  const std::vector<std::int64_t>& layer_counts = params.get_int_list("layers");
  const std::int64_t most_layers = *std::max_element(layer_counts.begin(), layer_counts.end());
  // Every reduce factor must act (a single block never reads it) and leave a unit in the last block.
  if (factors.size() > 1 && *std::min_element(layer_counts.begin(), layer_counts.end()) < 2) {
    throw OptionError(
        "option 'layers': with several reduce_factors every network needs 2 or more blocks "
        "(one block never reads the factor, so its networks would repeat)");
  }
  for (double f : factors) {
    if (!(f > 0)) throw OptionError("option 'reduce_factors': " + compact(f) + " must be > 0");
  }
  const double narrowest = *std::min_element(units_list.begin(), units_list.end()) *
                           std::pow(*std::min_element(factors.begin(), factors.end()), double(most_layers - 1));
  if (std::floor(narrowest + 1e-9) < 1) {
    throw OptionError("options 'units', 'reduce_factors', 'layers': the last of " + std::to_string(most_layers) +
                      " blocks would have " + compact(narrowest) + " units; it needs at least 1");
  }
  d.root = d.repeat("layers", as_ints(params.get_int_list("layers")), [&](int step) {
    // Keras's Dense takes int(units): truncated, as Python's int() does.
    HyperAttribute width{"units", {units, reduce}, [=](const HyperBinding& b) {
                           const double v = b[units].number * std::pow(b[reduce].number, step);
                           return HyperValue{std::floor(v + 1e-9), compact(std::floor(v + 1e-9))};
                         }};
    return sequential_module(
        {layer_module("dense", {width}),
         d.permutation(order, {layer_module("activation", {activation}), d.optional(use_bn, layer_module("batch_norm")),
                               layer_module("dropout", {parameter_attribute("rate", dropout)})})});
  });
  return std::make_shared<const HyperSpace>("hyper_dnn", params, std::move(d));
}

// cnn_search_space: a Repeat of blocks; block b repeats (Conv2D, then a
// Permutation of (Optional(BN), activation)) twice for b < 2, else
// {3, 4, 5} times, filters * 2^(b-1) from b = 2, then max or average
// pooling; Flatten, two Dense of the same units with the activation.
// Every parameter but the repeat counts is shared.
SpacePtr make_cnn(const Params& params) {
  HyperSpaceDefinition d;
  const int use_bn = d.add(bool_parameter("use_bn"));
  const int pooling = d.add(choice_parameter("pooling", std::vector<std::string>{"max", "avg"}));
  const int filters = d.add(choice_parameter("filters", as_doubles(params.get_int_list("filters"))));
  const int kernel = d.add(choice_parameter("kernel_size", as_doubles(params.get_int_list("kernel_sizes"))));
  const int fc_units = d.add(choice_parameter("fc_units", as_doubles(params.get_int_list("fc_units"))));
  const std::vector<std::string> activations = words(params.get_string("activations"), "activations");
  check_activations(activations);
  const HyperAttribute activation = activation_attribute(d, activations);
  const int bn_act = d.add(HyperSpaceDefinition::permutation_parameter("bn_act_order", 2));
  const std::vector<int> first_repeats = {static_cast<int>(params.get_int("first_repeats"))};
  const std::vector<int> later_repeats = as_ints(params.get_int_list("repeats"));
  HyperModule blocks = d.repeat("blocks", as_ints(params.get_int_list("blocks")), [&](int block) {
    const double multiplier = block < 2 ? 1.0 : std::pow(2.0, block - 1);
    HyperAttribute width{"filters", {filters}, [=](const HyperBinding& b) {
                           const double v = b[filters].number * multiplier;
                           return HyperValue{v, compact(v)};
                         }};
    HyperModule convs =
        d.repeat("block" + std::to_string(block) + "_repeats", block < 2 ? first_repeats : later_repeats, [&](int) {
          return sequential_module({layer_module("conv2d", {width, parameter_attribute("kernel", kernel)}),
                                    d.permutation(bn_act, {d.optional(use_bn, layer_module("batch_norm")),
                                                           layer_module("activation", {activation})})});
        });
    const HyperAttribute size = constant_attribute("size", {2.0, "2"});
    return sequential_module(
        {std::move(convs), d.choice(pooling, {layer_module("max_pool", {size}), layer_module("avg_pool", {size})})});
  });
  const HyperAttribute fc = parameter_attribute("units", fc_units);
  d.root = sequential_module({std::move(blocks), layer_module("flatten"), layer_module("dense", {fc}),
                              layer_module("activation", {activation}), layer_module("dense", {fc}),
                              layer_module("activation", {activation})});
  return std::make_shared<const HyperSpace>("hyper_cnn", params, std::move(d));
}

}  // namespace

REGISTER_SPACE(hyper_dnn,
               "Hypernets' DNN hyper-space: dense blocks, their width, depth, order of activation/BN/dropout",
               {ParamSpec{"units", std::vector<std::int64_t>{200, 500, 1000}, "units of the first dense layer", 1, 1e6},
                ParamSpec{"reduce_factors", std::string("1/0.8/0.5"), "width factor per block, separated by /"},
                ParamSpec{"layers", std::vector<std::int64_t>{2, 3, 4}, "dense blocks", 1, 64},
                ParamSpec{"activations", std::string("relu/tanh"),
                          "activations (relu, tanh, sigmoid, elu, selu), separated by /"},
                ParamSpec{"dropout_max", 0.5, "largest dropout rate (Hypernets: Real(0, 0.5, step=0.1))", 0, 1},
                ParamSpec{"dropout_step", 0.1, "dropout rate step", 1e-3, 1}},
               make_dnn);

REGISTER_SPACE(
    hyper_cnn, "Hypernets' CNN hyper-space: conv blocks, their depth, width, kernel, BN and pooling",
    {ParamSpec{"blocks", std::vector<std::int64_t>{2, 3, 4, 5, 6}, "convolution blocks", 1, 16},
     ParamSpec{"filters", std::vector<std::int64_t>{32, 64}, "filters of the first blocks (doubling from block 2)", 1,
               4096},
     ParamSpec{"kernel_sizes", std::vector<std::int64_t>{1, 3}, "square kernel sizes", 1, 15},
     ParamSpec{"fc_units", std::vector<std::int64_t>{1024, 2048, 4096}, "units of both dense layers", 1, 1e6},
     ParamSpec{"activations", std::string("relu"), "activations (relu, tanh, sigmoid, elu, selu), separated by /"},
     ParamSpec{"first_repeats", std::int64_t{2}, "conv layers of blocks 0 and 1", 1, 16},
     ParamSpec{"repeats", std::vector<std::int64_t>{3, 4, 5}, "conv layers of a later block", 1, 16}},
    make_cnn);

}  // namespace spaces
