#include "childnets/architecture_gradient.h"

#include <gtest/gtest.h>

#include "childnets/supernet.h"
#include "childnets/training.h"
#include "spaces/darts_space.h"
#include "spaces/registry.h"
#include "tests/childnets/small_network.h"

namespace childnets {
namespace {

const std::vector<std::string>& kPrimitives = spaces::darts_primitives();

// A tiny supernet in double precision (every op falls back to libtorch's
// double kernels), so finite differences of the objectives are exact enough
// to check the gradients against.
struct TinySearch {
  spaces::SpacePtr space = spaces::make_space("darts(nodes=2)");
  NetworkOptions options = testing::small_network();  // N R N R N: both cell types
  ParameterStore store = make_supernet_store(space, options, kPrimitives);
  ChildNetwork network = make_supernet(space, options, kPrimitives, store);
  torch::Tensor alpha_normal, alpha_reduce;
  torch::Tensor train_x, train_y, valid_x, valid_y;

  TinySearch() {
    torch::manual_seed(3);
    store->to(torch::kDouble);  // the network borrows the store: convert the store
    alpha_normal = (0.5 * torch::randn({5, 8}, torch::kDouble)).requires_grad_();
    alpha_reduce = (0.5 * torch::randn({5, 8}, torch::kDouble)).requires_grad_();
    train_x = torch::randn({6, 1, 8, 8}, torch::kDouble).contiguous(at::MemoryFormat::ChannelsLast);
    valid_x = torch::randn({6, 1, 8, 8}, torch::kDouble).contiguous(at::MemoryFormat::ChannelsLast);
    train_y = torch::tensor({0, 1, 2, 0, 1, 2});
    valid_y = torch::tensor({2, 2, 1, 0, 0, 1});
    network->train();
  }
  std::vector<torch::Tensor> weights() const {
    return {torch::softmax(alpha_normal, -1), torch::softmax(alpha_reduce, -1)};
  }
  std::vector<torch::Tensor> alphas() const { return {alpha_normal, alpha_reduce}; }
  double loss(const torch::Tensor& x, const torch::Tensor& y) {
    torch::NoGradGuard no_grad;
    return classification_loss(network->forward_mixed(x, weights()).logits, y).item<double>();
  }
};

// Central differences of `objective` in a few entries of α_normal.
std::vector<double> numeric_gradient(TinySearch& s, const std::function<double()>& objective,
                                     const std::vector<std::pair<int, int>>& entries, double h) {
  std::vector<double> result;
  const auto set = [&](int edge, int op, double value) {
    torch::NoGradGuard no_grad;
    s.alpha_normal[edge][op] = value;
  };
  for (const auto& [edge, op] : entries) {
    const double original = s.alpha_normal[edge][op].item<double>();
    set(edge, op, original + h);
    const double up = objective();
    set(edge, op, original - h);
    const double down = objective();
    set(edge, op, original);
    result.push_back((up - down) / (2 * h));
  }
  return result;
}

const std::vector<std::pair<int, int>> kEntries = {{0, 0}, {1, 4}, {2, 7}, {4, 2}, {3, 3}};

TEST(ArchitectureGradient, FirstOrderIsTheValidationLossGradient) {
  TinySearch s;
  const ArchitectureGradient g = first_order_gradient(
      *s.network, [&] { return s.weights(); }, s.alphas(), s.valid_x, s.valid_y);
  ASSERT_EQ(g.gradients.size(), 2u);
  EXPECT_GT(g.gradients[0].abs().min().item<double>(), 0.0);
  EXPECT_GT(g.gradients[1].abs().min().item<double>(), 0.0);
  EXPECT_NEAR(g.validation_loss, s.loss(s.valid_x, s.valid_y), 1e-12);
  const auto numeric = numeric_gradient(
      s, [&] { return s.loss(s.valid_x, s.valid_y); }, kEntries, 1e-6);
  for (std::size_t i = 0; i < kEntries.size(); ++i) {
    const double analytic = g.gradients[0][kEntries[i].first][kEntries[i].second].item<double>();
    EXPECT_NEAR(analytic, numeric[i], 1e-7 + 1e-5 * std::abs(numeric[i])) << "entry " << i;
  }
  EXPECT_FALSE(s.alpha_normal.grad().defined());  // gradients are returned, .grad untouched
}

// With a loss hook (FBNet's latency-aware loss) the gradient is of the
// hook's objective of the cross-entropy and the weights the forward pass
// ran: CE + (m · C).sum() adds the softmax Jacobian times C, checked by
// central differences of the same objective.
TEST(ArchitectureGradient, FirstOrderDifferentiatesTheLossHookOfTheSameWeights) {
  TinySearch s;
  const torch::Tensor cost = torch::arange(40, torch::kDouble).view({5, 8}) / 10.0;
  std::vector<torch::Tensor> seen;
  const ArchitectureLoss hook = [&](const torch::Tensor& ce, const std::vector<torch::Tensor>& m) {
    seen = m;
    return ce + (m[0] * cost).sum();
  };
  const ArchitectureGradient g = first_order_gradient(
      *s.network, [&] { return s.weights(); }, s.alphas(), s.valid_x, s.valid_y, hook);
  ASSERT_EQ(seen.size(), 2u);
  const auto objective = [&] {
    torch::NoGradGuard no_grad;
    return s.loss(s.valid_x, s.valid_y) + (s.weights()[0] * cost).sum().item<double>();
  };
  EXPECT_NEAR(g.validation_loss, objective(), 1e-12);
  const auto numeric = numeric_gradient(s, objective, kEntries, 1e-6);
  const ArchitectureGradient plain = first_order_gradient(
      *s.network, [&] { return s.weights(); }, s.alphas(), s.valid_x, s.valid_y);
  for (std::size_t i = 0; i < kEntries.size(); ++i) {
    const auto [edge, op] = kEntries[i];
    const double analytic = g.gradients[0][edge][op].item<double>();
    EXPECT_NEAR(analytic, numeric[i], 1e-7 + 1e-5 * std::abs(numeric[i])) << "entry " << i;
    EXPECT_GT(std::abs(analytic - plain.gradients[0][edge][op].item<double>()), 1e-4) << "entry " << i;
  }
}

// architect.py's _backward_step_unrolled written out again here, the way
// DARTS writes it (every parameter flattened into one vector θ; the
// unrolled weights θ - η(μ m + ∇θ L_train + wd θ); dα from the unrolled
// weights; the Hessian-vector product by central differences at θ ± R v,
// R = 0.01 / |v|), against second_order_gradient. (The finite-difference
// product is DARTS's approximation, not the exact derivative: across a
// ReLU network's kinks it does not converge, so the reference is DARTS's
// own recipe, not a numeric derivative.)
TEST(ArchitectureGradient, SecondOrderIsArchitectPysUnrolledGradient) {
  TinySearch s;
  const double eta = 0.05, momentum = 0.9, weight_decay = 3e-2;
  auto sgd = make_sgd(s.store->parameters(), SgdOptions().lr(eta).momentum(momentum).nesterov(false).weight_decay(0));
  // One real step first, so SGD has momentum buffers for the virtual step to use.
  mixed_train_step(*s.network, *sgd, s.train_x, s.train_y, s.weights(), StepOptions().grad_clip(0));
  const std::vector<torch::Tensor> parameters = s.store->parameters();
  const auto flat = [](const std::vector<torch::Tensor>& ts) {
    std::vector<torch::Tensor> views;
    for (const auto& t : ts) views.push_back(t.reshape({-1}));
    return torch::cat(views);
  };
  const auto assign = [&](const torch::Tensor& theta) {
    torch::NoGradGuard no_grad;
    std::int64_t offset = 0;
    for (const auto& p : parameters) {
      p.copy_(theta.narrow(0, offset, p.numel()).view(p.sizes()));
      offset += p.numel();
    }
  };
  const auto loss_at = [&](const torch::Tensor& x, const torch::Tensor& y) {
    return classification_loss(s.network->forward_mixed(x, s.weights()).logits, y);
  };
  const torch::Tensor theta = flat(parameters).detach().clone();
  std::vector<torch::Tensor> buffers;
  for (const auto& p : parameters) {
    const auto& state = sgd->state().at(c10::guts::to_string(p.unsafeGetTensorImpl()));
    buffers.push_back(static_cast<const torch::optim::SGDParamState&>(*state).momentum_buffer());
  }
  const torch::Tensor moment = flat(buffers) * momentum;
  const torch::Tensor dtheta =
      flat(torch::autograd::grad({loss_at(s.train_x, s.train_y)}, parameters)) + weight_decay * theta;
  assign(theta - eta * (moment + dtheta));
  std::vector<torch::Tensor> inputs = s.alphas();
  inputs.insert(inputs.end(), parameters.begin(), parameters.end());
  const std::vector<torch::Tensor> unrolled = torch::autograd::grad({loss_at(s.valid_x, s.valid_y)}, inputs);
  const torch::Tensor vector = flat(std::vector<torch::Tensor>(unrolled.begin() + 2, unrolled.end()));
  const double r = 0.01 / vector.norm().item<double>();
  assign(theta + r * vector);
  const auto plus = torch::autograd::grad({loss_at(s.train_x, s.train_y)}, s.alphas());
  assign(theta - r * vector);
  const auto minus = torch::autograd::grad({loss_at(s.train_x, s.train_y)}, s.alphas());
  assign(theta);
  const ArchitectureGradient second = second_order_gradient(
      *s.network, [&] { return s.weights(); }, s.alphas(), s.train_x, s.train_y, s.valid_x, s.valid_y,
      VirtualStep{eta, momentum, weight_decay, sgd.get()});
  EXPECT_TRUE(torch::equal(flat(parameters), theta));  // the weights are back exactly
  double correction = 0;
  for (std::size_t t = 0; t < 2; ++t) {
    const torch::Tensor expected = unrolled[t] - eta * (plus[t] - minus[t]) / (2 * r);
    EXPECT_LT((second.gradients[t] - expected).abs().max().item<double>(), 1e-9 * expected.abs().max().item<double>())
        << "cell type " << t;
    correction = std::max(correction, (expected - unrolled[t]).abs().max().item<double>());
  }
  EXPECT_GT(correction, 1e-6);  // the Hessian-vector term is there to be checked
  // And the first-order gradient is the validation loss's at the weights as they are.
  const ArchitectureGradient first = first_order_gradient(
      *s.network, [&] { return s.weights(); }, s.alphas(), s.valid_x, s.valid_y);
  const auto direct = torch::autograd::grad({loss_at(s.valid_x, s.valid_y)}, s.alphas());
  EXPECT_TRUE(torch::allclose(first.gradients[0], direct[0], 1e-12, 1e-12));
}

// An exception while the weights stand at the virtual step w' (here: the
// edge weights cannot be built for the validation pass) leaves them as
// they were at the call's start, bit for bit.
TEST(ArchitectureGradient, SecondOrderRestoresTheWeightsWhenItThrows) {
  TinySearch s;
  auto sgd = make_sgd(s.store->parameters(), SgdOptions().lr(0.05).momentum(0.9).nesterov(false).weight_decay(0));
  mixed_train_step(*s.network, *sgd, s.train_x, s.train_y, s.weights(), StepOptions().grad_clip(0));
  std::vector<torch::Tensor> before;
  for (const auto& p : s.store->parameters()) before.push_back(p.detach().clone());
  int calls = 0;
  const EdgeWeightsFunction failing_second_call = [&] {
    if (++calls == 2) throw std::runtime_error("no edge weights");
    return s.weights();
  };
  EXPECT_THROW(second_order_gradient(*s.network, failing_second_call, s.alphas(), s.train_x, s.train_y, s.valid_x,
                                     s.valid_y, VirtualStep{0.05, 0.9, 3e-2, sgd.get()}),
               std::runtime_error);
  ASSERT_EQ(calls, 2);  // it failed after the virtual step moved the weights
  const std::vector<torch::Tensor> after = s.store->parameters();
  for (std::size_t i = 0; i < before.size(); ++i) EXPECT_TRUE(torch::equal(after[i], before[i])) << i;
}

// The float path runs the library's own kernels (channels-last batch norm,
// depthwise convolution, pooling); the double path runs libtorch's. Both
// give the same architecture gradient.
TEST(ArchitectureGradient, TheFloatKernelsGiveTheDoubleReferencesGradient) {
  TinySearch s;
  const std::vector<torch::Tensor> in_double = s.alphas();
  const ArchitectureGradient reference = first_order_gradient(
      *s.network, [&] { return s.weights(); }, in_double, s.valid_x, s.valid_y);
  s.store->to(torch::kFloat);
  const torch::Tensor an = s.alpha_normal.detach().to(torch::kFloat).requires_grad_();
  const torch::Tensor ar = s.alpha_reduce.detach().to(torch::kFloat).requires_grad_();
  const ArchitectureGradient single = first_order_gradient(
      *s.network,
      [&] {
        return std::vector<torch::Tensor>{torch::softmax(an, -1), torch::softmax(ar, -1)};
      },
      {an, ar}, s.valid_x.to(torch::kFloat), s.valid_y);
  for (std::size_t t = 0; t < 2; ++t) {
    const torch::Tensor expected = reference.gradients[t].to(torch::kFloat);
    EXPECT_LT((single.gradients[t] - expected).abs().max().item<double>(),
              1e-4 * (1 + expected.abs().max().item<double>()))
        << "cell type " << t;
  }
  EXPECT_NEAR(single.validation_loss, reference.validation_loss, 1e-5);
}

}  // namespace
}  // namespace childnets
