#pragma once
// The weight-training phases of the search core (controllers::TrainWeightsPhase,
// and the architecture-only TrainArchitecturePhase below):
// [child] steps_per_epoch SGD steps (0: one pass over the training split)
// of the shared weights, at the [child] learning rate (cosine with warm
// restarts over the search's epochs, set at every step; DARTS's scheduler
// steps once per epoch, so its lr is constant within an epoch, ours
// follows the cosine within it), each on one training minibatch and
// one path: the controller's sample, a uniform path
// (context.uniform_paths: uniform_paths.h, within a multiply-accumulate
// bin as SPOS's supernet training samples when asked), or the supernet's
// relaxed graph. With architecture steps, each weight step
// is preceded by one step of the differentiable controller's architecture
// parameters on a validation minibatch (DARTS's alternation; first or
// second order, childnets/architecture_gradient.h).
//
// Records: /archs one row per discrete path trained on (phase "child"),
// /training one row per weight step (lr, loss, accuracy), /controller one
// row per architecture step (kind "architecture_step").

#include "childnets/architecture_gradient.h"
#include "controllers/controller.h"
#include "experiments/search/search_context.h"

namespace experiments {

// Runs the phase; `path_rng` draws the uniform paths. Preconditions, which
// the search loop checks when it reads a strategy's phases: kMixed paths
// and architecture steps need controller.differentiable() and a supernet
// in context.network. Throws spaces::ArchError for a sampled path the
// space refuses.
void train_weights(SearchContext& context, controllers::Controller& controller,
                   const controllers::TrainWeightsPhase& phase, spaces::Rng& path_rng);

// The architecture-only phase (controllers::TrainArchitecturePhase, FBNet's
// θ epoch): one architecture step per validation minibatch over one pass
// of the validation split ([child] steps_per_epoch caps it), the weights
// held (an unrolled gradient's virtual step draws its training minibatch
// and uses the weights' current learning rate). Records as the
// architecture steps above. Needs controller.differentiable() and a
// supernet in context.network.
void train_architecture(SearchContext& context, controllers::Controller& controller);

// The differentiable role's architecture_loss as the first-order
// gradient's loss hook (childnets::ArchitectureLoss); `role` must outlive it.
childnets::ArchitectureLoss architecture_loss_of(controllers::DifferentiableController& role);

}  // namespace experiments
