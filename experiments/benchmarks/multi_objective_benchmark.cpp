// Multi-objective and hardware-aware search at the Fashion-MNIST defaults
// (experiments/configs/fashion_mnist_dynas.toml: the spos space's default
// layout; fashion_mnist_fbnet.toml: the fbnet space's; 1x28x28 inputs,
// two threads):
//   BM_LatencyTableBuild/spos, /fbnet: FBNet's lookup table of the layout,
//     every candidate of its searched layers (spos 10 x 4, fbnet 22 x 9)
//     timed alone (median of 50 passes after 5, at batch 1 and batch 1
//     again: the default latency_batch); counters: the table's prediction
//     error against the same networks timed end to end (mean and largest
//     absolute error, percent, over 20 random architectures at batch 1);
//   BM_FbnetWeightStep, BM_FbnetArchitectureStep: one step of FBNet's
//     supernet at fashion_mnist_fbnet.toml's batch of 128, all nine blocks
//     of every layer weighted by a Gumbel-softmax sample: an SGD step of
//     the weights, and a θ step (first-order gradient of the paper's
//     latency-aware loss, Adam);
//   BM_InnerNsga2: one inner NSGA-II run of DyNAS's loop, 20000 predicted
//     evaluations (population 48, 416 generations) on two DyNAS-T
//     predictors (ridge or RBF SVR) fitted on 240 architectures; counter:
//     the predictors' milliseconds per 1000 evaluations (the target: well
//     under 1000).

#include <benchmark/benchmark.h>

#include <chrono>
#include <cmath>

#include "childnets/architecture_gradient.h"
#include "childnets/latency_table.h"
#include "childnets/supernet.h"
#include "childnets/training.h"
#include "controllers/fbnet_controller.h"
#include "controllers/nsga2.h"
#include "controllers/performance_predictor.h"
#include "experiments/benchmarks/benchmark_main.h"
#include "experiments/search/weight_training.h"
#include "spaces/registry.h"

namespace experiments::benchmarks {
namespace {

childnets::NetworkOptions fashion_mnist_network(double dropout) {
  return childnets::NetworkOptions().input_channels(1).image_size(28).num_classes(10).dropout(dropout);
}

void BM_LatencyTableBuild(benchmark::State& state, const std::string& spec, double dropout) {
  const spaces::SpacePtr space = spaces::make_space(spec);
  const childnets::NetworkOptions network = fashion_mnist_network(dropout);
  const childnets::TimingOptions timing;
  std::unique_ptr<childnets::LatencyTable> table;
  for (auto _ : state) {
    table = std::make_unique<childnets::LatencyTable>(childnets::LatencyTable::measure(space, network, timing));
  }
  spaces::Rng rng(0);
  double sum = 0, largest = 0, predicted_sum = 0, measured_sum = 0;
  const int networks = 20;
  for (int i = 0; i < networks; ++i) {
    const spaces::Arch arch = space->random(rng);
    const double predicted = table->predict_ms(space, network, arch);
    const double measured = childnets::time_network(space, network, arch, 1, timing);
    const double error = 100.0 * std::abs(predicted - measured) / measured;
    sum += error;
    largest = std::max(largest, error);
    predicted_sum += predicted;
    measured_sum += measured;
  }
  state.counters["error_mean_pct"] = sum / networks;
  state.counters["error_max_pct"] = largest;
  state.counters["predicted_ms_mean"] = predicted_sum / networks;
  state.counters["measured_ms_mean"] = measured_sum / networks;
}
BENCHMARK_CAPTURE(BM_LatencyTableBuild, spos, "spos", 0.1)->Unit(benchmark::kSecond)->Iterations(1);
BENCHMARK_CAPTURE(BM_LatencyTableBuild, fbnet, "fbnet", 0.0)->Unit(benchmark::kSecond)->Iterations(1);

// A cost model of one latency table, as the search core hands FBNet's controller.
class TableCosts : public controllers::CostModel {
 public:
  explicit TableCosts(childnets::LatencyTable table) : table_(std::move(table)) {}
  controllers::Metrics costs(const spaces::Arch&) override { return {}; }
  std::string violation(const spaces::Arch&) override { return ""; }
  bool constrained() const override { return false; }
  std::vector<std::map<std::vector<std::int64_t>, double>> layer_latency_ms() const override {
    return table_.layers_ms();
  }

 private:
  childnets::LatencyTable table_;
};

// fashion_mnist_fbnet.toml's supernet, optimizers and batch.
struct FbnetFixture {
  FbnetFixture()
      : costs(childnets::LatencyTable::measure(space, fashion_mnist_network(0.0), {.warmup = 2, .runs = 5})),
        controller(space, controllers::FbnetOptions(), 1),
        store(childnets::make_supernet_store(space, fashion_mnist_network(0.0), controller.candidate_ops())),
        network(childnets::make_supernet(space, fashion_mnist_network(0.0), controller.candidate_ops(), store)),
        sgd(childnets::make_sgd(store->parameters(),
                                childnets::SgdOptions().lr(0.1).momentum(0.9).nesterov(false).weight_decay(1e-4))) {
    controller.use_cost_model(&costs);
  }
  void weight_step() {
    childnets::mixed_train_step(*network, *sgd, images, labels, controller.edge_weights(),
                                childnets::StepOptions().grad_clip(5.0));
  }
  void architecture_step() {
    const childnets::ArchitectureGradient gradient = childnets::first_order_gradient(
        *network, [this] { return controller.edge_weights(); }, controller.architecture_parameters(), images, labels,
        architecture_loss_of(controller));
    controller.architecture_step(gradient.gradients, gradient.validation_loss);
  }

  spaces::SpacePtr space = spaces::make_space("fbnet");
  TableCosts costs;
  controllers::FbnetController controller;
  childnets::ParameterStore store;
  childnets::ChildNetwork network;
  std::unique_ptr<torch::optim::SGD> sgd;
  torch::Tensor images = torch::randn({128, 1, 28, 28}), labels = torch::randint(0, 10, {128});
};

void BM_FbnetWeightStep(benchmark::State& state) {
  torch::manual_seed(0);
  FbnetFixture f;
  f.weight_step();  // the first step allocates the momentum buffers
  for (auto _ : state) f.weight_step();
  state.counters["supernet_parameters"] = double(f.store->num_parameters());
}
BENCHMARK(BM_FbnetWeightStep)->Unit(benchmark::kMillisecond)->MinTime(5.0);

void BM_FbnetArchitectureStep(benchmark::State& state) {
  torch::manual_seed(0);
  FbnetFixture f;
  f.architecture_step();
  for (auto _ : state) f.architecture_step();
}
BENCHMARK(BM_FbnetArchitectureStep)->Unit(benchmark::kMillisecond)->MinTime(5.0);

void BM_InnerNsga2(benchmark::State& state) {
  const spaces::SpacePtr space = spaces::make_space("spos");
  spaces::Rng rng(0);
  std::vector<std::vector<std::int64_t>> tokens;
  std::vector<double> accuracy, macs;
  for (int i = 0; i < 240; ++i) {
    tokens.push_back(space->random(rng).tokens);
    double a = 70, m = 30;  // scaled as DyNAS-T scales its labels
    for (std::size_t j = 0; j < tokens.back().size(); ++j) {
      a += 0.3 * std::sin(double(j + 3 * tokens.back()[j]));
      m += 0.5 * double(tokens.back()[j]);
    }
    accuracy.push_back(-a);
    macs.push_back(m);
  }
  auto accuracy_model = controllers::make_predictor("dynas", space, 0);
  auto macs_model = controllers::make_predictor("dynas", space, 1);
  accuracy_model->fit(tokens, accuracy);
  macs_model->fit(tokens, macs);
  double predictor_seconds = 0;
  std::int64_t evaluations = 0;
  const controllers::BatchObjectives predicted = [&](const std::vector<spaces::Arch>& archs) {
    const auto start = std::chrono::steady_clock::now();
    std::vector<std::vector<std::int64_t>> rows;
    for (const spaces::Arch& a : archs) rows.push_back(a.tokens);
    const std::vector<double> first = accuracy_model->predict(rows), second = macs_model->predict(rows);
    std::vector<controllers::ObjectiveVector> values;
    for (std::size_t i = 0; i < archs.size(); ++i) values.push_back({first[i], second[i]});
    predictor_seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    evaluations += static_cast<std::int64_t>(archs.size());
    return values;
  };
  std::vector<spaces::Arch> start;
  for (const auto& t : tokens) start.push_back(space->make_arch(t));
  for (auto _ : state) {
    benchmark::DoNotOptimize(
        controllers::run_nsga2(*space, predicted, start, {.population = 48, .generations = 416}, rng));
  }
  state.counters["evaluations"] = double(evaluations) / double(state.iterations());
  state.counters["predictor_ms_per_1000"] = 1e6 * predictor_seconds / double(evaluations);
}
BENCHMARK(BM_InnerNsga2)->Unit(benchmark::kMillisecond)->MinTime(3.0);

}  // namespace
}  // namespace experiments::benchmarks

int main(int argc, char** argv) { return experiments::benchmarks::run_benchmarks(argc, argv); }
