// Final-training benchmarks (train_arch): images per second of a training
// step and of evaluation for
// - the Fashion-MNIST final training (train_arch's defaults, as in
//   experiments/configs/fashion_mnist_final.toml) on the ENAS micro final
//   cell, at its batch sizes (train 128, evaluation 500);
// - DARTS_V2 at the paper's size (36 channels, 20 cells, auxiliary head,
//   drop-path 0.2) on 32x32x3 input at batch 32.

#include <benchmark/benchmark.h>

#include "experiments/benchmarks/benchmark_main.h"

#include "childnets/child_network.h"
#include "childnets/training.h"
#include "experiments/config/train_schema.h"
#include "experiments/train/arch_choice.h"
#include "experiments/train/train_loop.h"

namespace experiments::benchmarks {
namespace {

struct Setup {
  ArchChoice choice;
  childnets::NetworkOptions options;
  std::int64_t train_batch = 0, eval_batch = 0;
  childnets::SgdOptions sgd;
  childnets::StepOptions step;
};

Setup fashion_final() {
  const ExperimentConfig config = ExperimentConfig::load(train_schema(), "", {});
  const auto& train = config.section("train");
  // ENAS's cell in the search-time form, as `train_arch --from-run` trains a searched cell.
  ArchChoice choice = choose_arch("", "enas_micro_final");
  choice.fixed_arc_form = false;
  return {choice,
          train_network_options(config, choice),
          train.get_int("batch_size"),
          train.get_int("eval_batch_size"),
          childnets::SgdOptions()
              .lr(train.get_double("lr_max"))
              .momentum(train.get_double("momentum"))
              .weight_decay(train.get_double("weight_decay")),
          childnets::StepOptions().grad_clip(train.get_double("grad_clip"))};
}

Setup darts_v2() {
  return {choose_arch("", "darts_v2"),
          childnets::NetworkOptions()
              .input_channels(3)
              .image_size(32)
              .num_classes(10)
              .channels(36)
              .cells_per_stage(6)
              .stem_multiplier(3)
              .auxiliary(true),
          32,
          32,
          childnets::SgdOptions().lr(0.025).momentum(0.9).nesterov(false).weight_decay(3e-4),
          childnets::StepOptions().grad_clip(5.0).aux_weight(0.4).drop_path(0.2)};
}

void train_steps(benchmark::State& state, const Setup& s) {
  torch::manual_seed(0);
  auto network = childnets::ChildNetworkImpl::standalone(s.choice.space, s.options, s.choice.arch);
  auto sgd = childnets::make_sgd(network->trainable_parameters(), s.sgd);
  const torch::Tensor images =
      torch::randn({s.train_batch, s.options.input_channels(), s.options.image_size(), s.options.image_size()});
  const torch::Tensor labels = torch::randint(0, s.options.num_classes(), {s.train_batch});
  const spaces::ArchGraph graph = s.choice.space->decode(s.choice.arch);
  for (auto _ : state) benchmark::DoNotOptimize(childnets::train_step(*network, *sgd, images, labels, graph, s.step));
  state.SetItemsProcessed(state.iterations() * s.train_batch);
}

void evaluation(benchmark::State& state, const Setup& s) {
  torch::manual_seed(0);
  auto network = childnets::ChildNetworkImpl::standalone(s.choice.space, s.options, s.choice.arch);
  const torch::Tensor images =
      torch::randn({s.eval_batch, s.options.input_channels(), s.options.image_size(), s.options.image_size()});
  const torch::Tensor labels = torch::randint(0, s.options.num_classes(), {s.eval_batch});
  const spaces::ArchGraph graph = s.choice.space->decode(s.choice.arch);
  for (auto _ : state) benchmark::DoNotOptimize(childnets::evaluate(*network, images, labels, graph));
  state.SetItemsProcessed(state.iterations() * s.eval_batch);
}

void BM_FashionFinalTrainStep(benchmark::State& state) { train_steps(state, fashion_final()); }
void BM_FashionFinalEvaluation(benchmark::State& state) { evaluation(state, fashion_final()); }
void BM_DartsV2TrainStep(benchmark::State& state) { train_steps(state, darts_v2()); }
void BM_DartsV2Evaluation(benchmark::State& state) { evaluation(state, darts_v2()); }

BENCHMARK(BM_FashionFinalTrainStep)->Unit(benchmark::kMillisecond)->MinTime(3.0);
BENCHMARK(BM_FashionFinalEvaluation)->Unit(benchmark::kMillisecond)->MinTime(3.0);
BENCHMARK(BM_DartsV2TrainStep)->Unit(benchmark::kMillisecond)->MinTime(5.0);
BENCHMARK(BM_DartsV2Evaluation)->Unit(benchmark::kMillisecond)->MinTime(3.0);

}  // namespace
}  // namespace experiments::benchmarks

int main(int argc, char** argv) { return experiments::benchmarks::run_benchmarks(argc, argv); }
