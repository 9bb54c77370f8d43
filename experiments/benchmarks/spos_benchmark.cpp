// SPOS benchmarks at the Fashion-MNIST default (experiments/configs/
// fashion_mnist_spos.toml: the spos space's default layout, 1x28x28
// inputs, batch 128, SGD momentum 0.9, weight decay 4e-5, label smoothing
// 0.1):
//   BM_SposSupernetStep: one supernet training step on a uniformly sampled
//     path (forward, backward, SGD), as train.py does per iteration;
//   BM_SposCandidateEvaluation: one candidate as the recalibrated evaluator
//     scores it — batch-norm recalibration on 20 training batches of 128,
//     then 10 validation batches of 200 (the config's numbers);
//   BM_SposGenerationOverhead: what the evolution itself costs for 20
//     generations of 50 (selection, mutation, crossover, de-duplication and the
//     constraint check with costs cached), with evaluation replaced by a
//     table lookup, to be held against 50 x BM_SposCandidateEvaluation.

#include <benchmark/benchmark.h>

#include "childnets/child_network.h"
#include "childnets/training.h"
#include "controllers/controller.h"
#include "experiments/benchmarks/benchmark_main.h"
#include "spaces/registry.h"

namespace experiments::benchmarks {
namespace {

childnets::NetworkOptions spos_network() {
  return childnets::NetworkOptions().input_channels(1).image_size(28).num_classes(10).dropout(0.1);
}

struct SposFixture {
  spaces::SpacePtr space = spaces::make_space("spos");
  childnets::ParameterStore store = childnets::make_shared_store(space, spos_network());
  childnets::ChildNetwork network{space, spos_network(), store};
  std::unique_ptr<torch::optim::SGD> sgd = childnets::make_sgd(
      store->parameters(), childnets::SgdOptions().lr(0.1).momentum(0.9).nesterov(false).weight_decay(4e-5));
  spaces::Rng rng{0};
};

void BM_SposSupernetStep(benchmark::State& state) {
  torch::manual_seed(0);
  SposFixture f;
  const torch::Tensor images = torch::randn({128, 1, 28, 28}), labels = torch::randint(0, 10, {128});
  const auto options = childnets::StepOptions().label_smoothing(0.1);
  for (int i = 0; i < 3; ++i) {  // every block once on some path: momentum buffers allocated
    childnets::train_step(*f.network, *f.sgd, images, labels, f.space->decode(f.space->random(f.rng)), options);
  }
  for (auto _ : state) {
    childnets::train_step(*f.network, *f.sgd, images, labels, f.space->decode(f.space->random(f.rng)), options);
  }
  state.counters["supernet_parameters"] = double(f.store->num_parameters());
}
BENCHMARK(BM_SposSupernetStep)->Unit(benchmark::kMillisecond)->MinTime(5.0);

void BM_SposCandidateEvaluation(benchmark::State& state) {
  torch::manual_seed(0);
  SposFixture f;
  const std::vector<torch::Tensor> train = {torch::randn({128, 1, 28, 28}), torch::randn({128, 1, 28, 28})};
  const torch::Tensor valid = torch::randn({200, 1, 28, 28}), valid_labels = torch::randint(0, 10, {200});
  for (auto _ : state) {
    const spaces::ArchGraph graph = f.space->decode(f.space->random(f.rng));
    std::size_t next = 0;
    childnets::recalibrate_batch_norm(
        *f.network, graph, [&] { return train[next++ % train.size()]; }, 20);
    double correct = 0;
    for (int i = 0; i < 10; ++i) correct += double(childnets::evaluate(*f.network, valid, valid_labels, graph).correct);
    benchmark::DoNotOptimize(correct);
  }
}
BENCHMARK(BM_SposCandidateEvaluation)->Unit(benchmark::kMillisecond)->MinTime(5.0);

// Costs cached per architecture, as CandidateCosts caches them; the
// constraint admits about half of the space.
class TableCosts : public controllers::CostModel {
 public:
  controllers::Metrics costs(const spaces::Arch& arch) override {
    double macs = 0;
    for (std::int64_t t : arch.tokens) macs += double(t);
    return {{"params", macs}, {"macs", macs}};
  }
  std::string violation(const spaces::Arch& arch) override { return costs(arch).at("macs") > 15 ? "macs > 15" : ""; }
  bool constrained() const override { return true; }
};

void BM_SposGenerationOverhead(benchmark::State& state) {
  const spaces::SpacePtr space = spaces::make_space("spos");
  TableCosts costs;
  for (auto _ : state) {
    state.PauseTiming();
    auto spos = controllers::make_controller("spos(generations=20)", space, 0);
    spos->use_cost_model(&costs);
    state.ResumeTiming();
    for (int generation = 0; generation < 20; ++generation) {
      for (int update = 0; update < 5; ++update) {
        std::vector<controllers::Feedback> feedback;
        for (const controllers::Proposal& p : spos->propose(10)) {
          feedback.push_back({p.id, double(p.arch.tokens[0] + p.arch.tokens[1]), {}});
        }
        spos->observe(feedback);
      }
      spos->take_report();
    }
  }
  state.counters["generations"] = 20;  // per iteration: divide the time by 20
}
BENCHMARK(BM_SposGenerationOverhead)->Unit(benchmark::kMillisecond)->MinTime(3.0);

}  // namespace
}  // namespace experiments::benchmarks

int main(int argc, char** argv) { return experiments::benchmarks::run_benchmarks(argc, argv); }
