#include "childnets/hypernets_enas_network.h"

#include <array>
#include <stdexcept>

#include "childnets/keras_init.h"
#include "spaces/hypernets_enas_space.h"

namespace childnets {
namespace {

namespace F = torch::nn::functional;

// --- Keras-built modules ------------------------------------------------------

torch::nn::Conv2d keras_conv(std::int64_t in, std::int64_t out, std::int64_t kernel, std::int64_t groups, bool bias) {
  auto conv =
      torch::nn::Conv2d(torch::nn::Conv2dOptions(in, out, kernel).padding(kernel / 2).groups(groups).bias(bias));
  keras_init_conv(*conv);
  return conv;
}

// enas_layers.py filters_aligning: ReLU, conv 1x1 with bias, BN.
class AlignImpl : public torch::nn::Module {
 public:
  AlignImpl(std::int64_t in, std::int64_t out)
      : conv(register_module("conv", keras_conv(in, out, 1, 1, true))),
        bn(register_module("bn", torch::nn::BatchNorm2d(keras_batch_norm(out)))) {}
  torch::Tensor forward(const torch::Tensor& x) {
    torch::Tensor y = conv(torch::relu(x));
    MacCounter::add(conv_macs(y, conv->weight));
    return bn(y);
  }
  torch::nn::Conv2d conv;
  torch::nn::BatchNorm2d bn;
};

// enas_layers.py factorized_reduction: ReLU; two 1x1 stride-2 paths, the
// second shifted by one pixel; concatenated; BN.
class ReductionImpl : public torch::nn::Module {
 public:
  ReductionImpl(std::int64_t in, std::int64_t out)
      : a(register_module("a", keras_conv(in, out / 2, 1, 1, true))),
        b(register_module("b", keras_conv(in, out - out / 2, 1, 1, true))),
        bn(register_module("bn", torch::nn::BatchNorm2d(keras_batch_norm(out)))) {}
  torch::Tensor forward(const torch::Tensor& x) {
    using torch::indexing::None;
    using torch::indexing::Slice;
    const torch::Tensor r = torch::relu(x);
    const torch::Tensor path_a = r.index({Slice(), Slice(), Slice(None, None, 2), Slice(None, None, 2)});
    // ZeroPadding2D(((0, 1), (0, 1))) then Cropping2D(((1, 0), (1, 0))): x[i + 1, j + 1], zeros past the edge.
    const torch::Tensor shifted =
        F::pad(r, F::PadFuncOptions({0, 1, 0, 1})).index({Slice(), Slice(), Slice(1), Slice(1)});
    const torch::Tensor path_b = shifted.index({Slice(), Slice(), Slice(None, None, 2), Slice(None, None, 2)});
    const torch::Tensor ya = a(path_a), yb = b(path_b);
    MacCounter::add(conv_macs(ya, a->weight) + conv_macs(yb, b->weight));
    return bn(torch::cat({ya, yb}, 1));
  }
  torch::nn::Conv2d a, b;
  torch::nn::BatchNorm2d bn;
};

// enas_common_ops.py sepconvKxK: twice [ReLU, SeparableConv2D (depthwise
// without bias, pointwise with bias), BN].
class SeparableImpl : public torch::nn::Module {
 public:
  SeparableImpl(std::int64_t channels, std::int64_t kernel) {
    for (int i = 0; i < 2; ++i) {
      const std::string n = std::to_string(i);
      depthwise.push_back(register_module("dw" + n, keras_conv(channels, channels, kernel, channels, false)));
      pointwise.push_back(register_module("pw" + n, keras_conv(channels, channels, 1, 1, true)));
      bn.push_back(register_module("bn" + n, torch::nn::BatchNorm2d(keras_batch_norm(channels))));
    }
  }
  torch::Tensor forward(torch::Tensor x) {
    for (std::size_t i = 0; i < 2; ++i) {
      x = torch::relu(x);
      x = depthwise[i](x);
      MacCounter::add(conv_macs(x, depthwise[i]->weight));
      x = pointwise[i](x);
      MacCounter::add(conv_macs(x, pointwise[i]->weight));
      x = bn[i](x);
    }
    return x;
  }
  std::vector<torch::nn::Conv2d> depthwise, pointwise;
  std::vector<torch::nn::BatchNorm2d> bn;
};

class KerasStemImpl : public torch::nn::Module {
 public:
  KerasStemImpl(std::int64_t in, std::int64_t out)
      : conv(register_module("conv", keras_conv(in, out, 3, 1, true))),
        bn(register_module("bn", torch::nn::BatchNorm2d(keras_batch_norm(out)))) {}
  torch::Tensor forward(const torch::Tensor& x) {
    torch::Tensor y = conv(x);
    MacCounter::add(conv_macs(y, conv->weight));
    return bn(y);
  }
  torch::nn::Conv2d conv;
  torch::nn::BatchNorm2d bn;
};

// --- The plan both declare and forward follow ---------------------------------

enum class Calibrate { kNone, kAlign, kReduce };

struct KerasCellPlan {
  std::int64_t filters = 0;
  bool reduce_first = false;   // an R cell: node1 = reduction of node1 (key "c<k>.reduce")
  std::int64_t reduce_in = 0;  // its input channels
  bool same_inputs = false;    // node0 and node1 are one tensor: one calibration for both
  Calibrate cal0 = Calibrate::kNone, cal1 = Calibrate::kNone;
  std::int64_t in0 = 0, in1 = 0;  // channels of node0, node1 before calibration
  std::vector<int> loose_ends;    // node indices concatenated
};

struct Plan {
  std::int64_t stem_channels = 0;
  std::vector<KerasCellPlan> cells;
  std::int64_t classifier_in = 0;
};

std::string key(std::size_t cell, const std::string& part) {
  return make_key("c", static_cast<std::int64_t>(cell), ".", part);
}

std::string op_key(std::size_t cell, int node, int slot) {
  return make_key("c", static_cast<std::int64_t>(cell), ".n", node, ".", slot);
}

// A node's (input vertex, op name) pairs and the loose-end nodes of a cell graph.
struct CellChoices {
  std::vector<std::array<std::pair<int, std::string>, 2>> nodes;
  std::vector<int> loose_ends;
};

CellChoices choices_of(const spaces::CellGraph& cell) {
  CellChoices choices;
  for (spaces::Vertex v = 0; v < boost::num_vertices(cell); ++v) {
    const spaces::NodeInfo& info = cell[v];
    if (info.kind == spaces::NodeKind::kIntermediate) {
      const std::vector<spaces::Edge> in = spaces::inputs_by_slot(cell, v);
      std::array<std::pair<int, std::string>, 2> pair;
      for (std::size_t s = 0; s < 2; ++s) {
        pair[s] = {static_cast<int>(boost::source(in.at(s), cell)), cell[in.at(s)].op_name};
      }
      choices.nodes.push_back(pair);
    } else if (info.kind == spaces::NodeKind::kOutput) {
      for (const spaces::Edge& e : spaces::inputs_by_slot(cell, v)) {
        choices.loose_ends.push_back(static_cast<int>(boost::source(e, cell)) - 2);
      }
    }
  }
  return choices;
}

Plan plan_of(const std::string& cells, const NetworkOptions& options, const spaces::ArchGraph& arch) {
  Plan plan;
  plan.stem_channels = 3 * options.channels();
  // (channels, resolution) of node0 and node1, and whether they are one tensor.
  std::int64_t c0 = plan.stem_channels, c1 = c0, size0 = options.image_size(), size1 = size0;
  bool same = true;
  int reductions = 0;
  for (std::size_t k = 0; k < cells.size(); ++k) {
    KerasCellPlan cell;
    if (cells[k] == 'R') ++reductions;
    cell.filters = options.channels() << reductions;
    if (cells[k] == 'R') {
      cell.reduce_first = true;
      cell.reduce_in = c1;
      c0 = c1;
      size0 = size1;
      c1 = cell.filters;
      size1 = (size1 + 1) / 2;
      same = false;
    }
    cell.same_inputs = same;
    cell.in0 = c0;
    cell.in1 = c1;
    if (same) {
      cell.cal0 = c0 != cell.filters ? Calibrate::kAlign : Calibrate::kNone;
    } else {
      cell.cal0 = size0 != size1 ? Calibrate::kReduce : (c0 != cell.filters ? Calibrate::kAlign : Calibrate::kNone);
      cell.cal1 = c1 != cell.filters ? Calibrate::kAlign : Calibrate::kNone;
    }
    cell.loose_ends = choices_of(arch.cells.at(k)).loose_ends;
    // node0, node1 = node1, this cell's output.
    c0 = c1;
    size0 = size1;
    c1 = cell.filters * static_cast<std::int64_t>(cell.loose_ends.size());
    same = false;
    plan.cells.push_back(std::move(cell));
  }
  plan.classifier_in = c1;
  return plan;
}

std::int64_t kernel_of(const std::string& op) { return op == "sep_conv_5x5" ? 5 : 3; }

torch::Tensor run_op(ParameterStoreImpl& store, const std::string& op, const std::string& module_key,
                     const torch::Tensor& x) {
  if (op == "sep_conv_3x3" || op == "sep_conv_5x5") return store.get<SeparableImpl>(module_key).forward(x);
  if (op == "max_pool_3x3") return F::max_pool2d(x, F::MaxPool2dFuncOptions(3).stride(1).padding(1));
  if (op == "avg_pool_3x3") {
    return F::avg_pool2d(x, F::AvgPool2dFuncOptions(3).stride(1).padding(1).count_include_pad(false));
  }
  if (op == "identity") return x;
  throw std::invalid_argument("hyper_enas_micro network: unknown op '" + op + "'");
}

}  // namespace

HypernetsEnasNetwork::HypernetsEnasNetwork(const spaces::SpacePtr& space, const NetworkOptions& options)
    : options_(options) {
  const auto* enas = dynamic_cast<const spaces::HypernetsEnasSpace*>(space.get());
  if (enas == nullptr) throw std::invalid_argument("HypernetsEnasNetwork needs hyper_enas_micro, got " + space->name());
  cells_ = enas->cell_types();
}

void HypernetsEnasNetwork::declare(ParameterStoreImpl& store, const spaces::ArchGraph* only) const {
  if (only == nullptr) {
    throw std::invalid_argument("hyper_enas_micro has no shared store: each network is built for its architecture");
  }
  const Plan plan = plan_of(cells_, options_, *only);
  store.add("stem", std::make_shared<KerasStemImpl>(options_.input_channels(), plan.stem_channels));
  for (std::size_t k = 0; k < plan.cells.size(); ++k) {
    const KerasCellPlan& cell = plan.cells[k];
    if (cell.reduce_first) store.add(key(k, "reduce"), std::make_shared<ReductionImpl>(cell.reduce_in, cell.filters));
    const auto calibration = [&](Calibrate kind, std::int64_t in, const std::string& name) {
      if (kind == Calibrate::kAlign) store.add(key(k, name), std::make_shared<AlignImpl>(in, cell.filters));
      if (kind == Calibrate::kReduce) store.add(key(k, name), std::make_shared<ReductionImpl>(in, cell.filters));
    };
    calibration(cell.cal0, cell.in0, "cal0");
    calibration(cell.cal1, cell.in1, "cal1");
    const CellChoices choices = choices_of(only->cells.at(k));
    for (std::size_t n = 0; n < choices.nodes.size(); ++n) {
      for (int s = 0; s < 2; ++s) {
        const std::string& op = choices.nodes[n][static_cast<std::size_t>(s)].second;
        if (op == "sep_conv_3x3" || op == "sep_conv_5x5") {
          store.add(op_key(k, static_cast<int>(n), s), std::make_shared<SeparableImpl>(cell.filters, kernel_of(op)));
        }
      }
    }
  }
  auto classifier = torch::nn::Linear(torch::nn::LinearOptions(plan.classifier_in, options_.num_classes()));
  keras_init_linear(*classifier);
  store.add("classifier", classifier.ptr());
}

ChildOutput HypernetsEnasNetwork::forward(ParameterStoreImpl& store, const torch::Tensor& x,
                                          const spaces::ArchGraph& arch, double /*drop_path: none*/) const {
  const Plan plan = plan_of(cells_, options_, arch);
  torch::Tensor node0 = store.get<KerasStemImpl>("stem").forward(x), node1 = node0;
  for (std::size_t k = 0; k < plan.cells.size(); ++k) {
    const KerasCellPlan& cell = plan.cells[k];
    if (cell.reduce_first) {
      node0 = node1;
      node1 = store.get<ReductionImpl>(key(k, "reduce")).forward(node1);
    }
    const auto calibrated = [&](Calibrate kind, const torch::Tensor& t, const std::string& name) -> torch::Tensor {
      if (kind == Calibrate::kAlign) return store.get<AlignImpl>(key(k, name)).forward(t);
      if (kind == Calibrate::kReduce) return store.get<ReductionImpl>(key(k, name)).forward(t);
      return t;
    };
    const torch::Tensor in0 = calibrated(cell.cal0, node0, "cal0");
    const torch::Tensor in1 = cell.same_inputs ? in0 : calibrated(cell.cal1, node1, "cal1");
    std::vector<torch::Tensor> states = {in0, in1};
    const CellChoices choices = choices_of(arch.cells.at(k));
    for (std::size_t n = 0; n < choices.nodes.size(); ++n) {
      torch::Tensor sum;
      for (int s = 0; s < 2; ++s) {
        const auto& [input, op] = choices.nodes[n][static_cast<std::size_t>(s)];
        const torch::Tensor y =
            run_op(store, op, op_key(k, static_cast<int>(n), s), states.at(static_cast<std::size_t>(input)));
        sum = s == 0 ? y : sum + y;
      }
      states.push_back(sum);
    }
    std::vector<torch::Tensor> ends;
    for (int n : cell.loose_ends) ends.push_back(states.at(static_cast<std::size_t>(n + 2)));
    node0 = node1;
    node1 = ends.size() == 1 ? ends.front() : torch::cat(ends, 1);
  }
  torch::Tensor pooled = torch::relu(node1).mean({2, 3});
  if (options_.dropout() > 0)
    pooled = F::dropout(pooled, F::DropoutFuncOptions().p(options_.dropout()).training(store.is_training()));
  auto& classifier = store.get<torch::nn::LinearImpl>("classifier");
  MacCounter::add(pooled.size(0) * classifier.options.in_features() * classifier.options.out_features());
  return ChildOutput{classifier.forward(pooled), {}};
}

}  // namespace childnets
