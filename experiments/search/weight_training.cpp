#include "experiments/search/weight_training.h"

#include <limits>

#include "childnets/architecture_gradient.h"
#include "experiments/distributed/data_parallel.h"
#include "experiments/harness/progress.h"

namespace experiments {
namespace {

// One architecture step of a differentiable controller on a validation
// minibatch; `train` is the training minibatch of the unrolled (second
// order) gradient's virtual step, drawn here when null; `lr` its rate.
controllers::UpdateStats architecture_step(SearchContext& context, controllers::Controller& controller,
                                           const Batch* train, double lr) {
  controllers::DifferentiableController& role = *controller.differentiable();
  const Batch valid = context.next_share(*context.valid_batches);
  const auto weights = [&role] { return role.edge_weights(); };
  const std::vector<torch::Tensor> parameters = role.architecture_parameters();
  const auto& child = context.config.section("child");
  childnets::ArchitectureGradient gradient;
  if (role.gradient_order() == 1) {
    gradient = childnets::first_order_gradient(*context.network, weights, parameters, valid.images, valid.labels,
                                               architecture_loss_of(role));
  } else {
    const Batch drawn = train == nullptr ? context.next_share(*context.train_batches) : Batch{};
    const Batch& virtual_batch = train == nullptr ? drawn : *train;
    gradient = childnets::second_order_gradient(
        *context.network, weights, parameters, virtual_batch.images, virtual_batch.labels, valid.images, valid.labels,
        childnets::VirtualStep{lr, child.get_double("momentum"), child.get_double("weight_decay"), context.sgd.get()});
  }
  // The architecture gradient of the global batch: the mean of the ranks' (exact at first order; at
  // second order each rank's finite difference uses its own share, as DARTS's code would on one GPU each).
  context.world.all_reduce(gradient.gradients, true);
  const std::vector<double> valid_means =
      averaged({gradient.validation_loss, gradient.validation_accuracy}, context.world);
  gradient.validation_loss = valid_means[0];
  gradient.validation_accuracy = valid_means[1];
  const controllers::UpdateStats stats = role.architecture_step(gradient.gradients, gradient.validation_loss);
  context.record(spaces::Record("controller")
                     .set("kind", std::string("architecture_step"))
                     .set("loss", stats.loss)
                     .set("mean_reward", stats.mean_reward)
                     .set("baseline", stats.baseline)
                     .set("entropy", stats.entropy)
                     .set("accuracy", gradient.validation_accuracy));
  context.take_report(controller);
  controllers::UpdateStats reported = stats;
  reported.mean_reward = gradient.validation_accuracy;
  return reported;
}

}  // namespace

void train_weights(SearchContext& context, controllers::Controller& controller,
                   const controllers::TrainWeightsPhase& phase, spaces::Rng& path_rng) {
  const auto& child = context.config.section("child");
  const std::int64_t steps = child.get_int("steps_per_epoch") > 0 ? child.get_int("steps_per_epoch")
                                                                  : context.train_batches->batches_per_epoch();
  const std::int64_t epochs = context.config.section("search").get_int("epochs");
  const std::string label = "epoch " + std::to_string(context.epoch + 1) + "/" + std::to_string(epochs) + " weights   ";
  const auto start = Clock::now();
  double loss = 0, accuracy = 0;
  for (std::int64_t step = 0; step < steps; ++step) {
    const double lr = childnets::cosine_restarts_lr(double(context.epoch) + double(step) / double(steps),
                                                    child.get_double("lr_max"), child.get_double("lr_min"),
                                                    child.get_double("lr_t0"), child.get_double("lr_t_mul"));
    childnets::set_learning_rate(*context.sgd, lr);
    const Batch batch = context.next_share(*context.train_batches);
    if (phase.architecture_steps) architecture_step(context, controller, &batch, lr);
    childnets::StepResult result;
    if (phase.paths == controllers::PathSource::kMixed) {
      result = childnets::mixed_train_step(*context.network, *context.sgd, batch.images, batch.labels,
                                           controller.differentiable()->edge_weights(), context.step_options);
    } else {
      const spaces::Arch arch = phase.paths == controllers::PathSource::kSampled
                                    ? controller.sample(1).front()
                                    : context.uniform_paths->draw(path_rng);
      // Every rank drew it from the same state; checked, not exchanged (NNI #5013: ranks that disagree).
      context.world.check_agreement(
          [&] { return context.canonical_key(arch); },
          [&] { return "the architecture of weight step " + std::to_string(context.global_step); });
      result = childnets::train_step(*context.network, *context.sgd, batch.images, batch.labels,
                                     context.space_of(arch)->decode(arch), context.step_options);
      context.record(spaces::Record("archs")
                         .set("phase", std::string("child"))
                         .set("controller", controller.name())
                         .set("tokens", context.archive_tokens(arch))
                         .set("canonical", context.space_of(arch)->to_string(arch)));
    }
    const std::vector<double> means = averaged({result.loss, result.accuracy}, context.world);
    result.loss = means[0];
    result.accuracy = means[1];
    context.record(spaces::Record("training").set("lr", lr).set("loss", result.loss).set("accuracy", result.accuracy));
    loss = step == 0 ? result.loss : 0.9 * loss + 0.1 * result.loss;
    accuracy = step == 0 ? result.accuracy : 0.9 * accuracy + 0.1 * result.accuracy;
    ++context.global_step;
    draw_progress(context.progress, label, step + 1, steps,
                  "loss " + fixed(loss, 3) + " acc " + fixed(accuracy, 3) + " lr " + fixed(lr, 4), start);
  }
  context.progress << "\n";
  context.log->info("epoch {} weights ({}): {} steps, loss {:.4f}, train accuracy {:.4f}", context.epoch + 1,
                    controllers::describe(controllers::Phase(phase)), steps, loss, accuracy);
}

childnets::ArchitectureLoss architecture_loss_of(controllers::DifferentiableController& role) {
  return [&role](const torch::Tensor& cross_entropy, const std::vector<torch::Tensor>& mixing) {
    return role.architecture_loss(cross_entropy, mixing);
  };
}

void train_architecture(SearchContext& context, controllers::Controller& controller) {
  const std::int64_t cap = context.config.section("child").get_int("steps_per_epoch");
  const std::int64_t pass = context.valid_batches->batches_per_epoch();
  const std::int64_t steps = cap > 0 ? std::min(cap, pass) : pass;
  const std::int64_t epochs = context.config.section("search").get_int("epochs");
  const std::string label =
      "epoch " + std::to_string(context.epoch + 1) + "/" + std::to_string(epochs) + " architecture";
  const double lr = childnets::learning_rate(*context.sgd);
  const auto start = Clock::now();
  double loss = 0, accuracy = 0, entropy = 0;
  for (std::int64_t step = 0; step < steps; ++step) {
    const controllers::UpdateStats stats = architecture_step(context, controller, nullptr, lr);
    loss = step == 0 ? stats.loss : 0.9 * loss + 0.1 * stats.loss;
    accuracy = step == 0 ? stats.mean_reward : 0.9 * accuracy + 0.1 * stats.mean_reward;
    entropy = stats.entropy;
    draw_progress(context.progress, label, step + 1, steps,
                  "loss " + fixed(loss, 3) + " acc " + fixed(accuracy, 3) + " entropy " + fixed(entropy, 3), start);
  }
  context.progress << "\n";
  context.log->info("epoch {} architecture: {} steps, loss {:.4f}, validation accuracy {:.4f}, entropy {:.4f}",
                    context.epoch + 1, steps, loss, accuracy, entropy);
}

}  // namespace experiments
