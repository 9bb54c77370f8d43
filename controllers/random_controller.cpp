// random: architectures drawn uniformly, decision by decision, from the
// space (SearchSpace::random). It learns nothing; it is the baseline every
// search is compared with (Li & Talwalkar 2019, "Random Search and
// Reproducibility for NAS"): with shared weights it trains them on uniform
// paths, then scores random proposals. Options: none.

#include "controllers/controller.h"
#include "controllers/outstanding_proposals.h"
#include "controllers/uniform_samples.h"
#include "spaces/registry.h"

namespace controllers {
namespace {

class RandomController : public Controller {
 public:
  RandomController(spaces::SpacePtr space, std::uint64_t seed) : space_(std::move(space)), rng_(seed) {}

  std::string name() const override { return "random"; }

  std::vector<Phase> phases(std::int64_t /*epoch*/) const override {
    return {TrainWeightsPhase{PathSource::kUniform}, EvaluatePhase{}};
  }

  std::vector<Proposal> propose(int n) override {
    std::vector<Proposal> proposals;
    for (int i = 0; i < n; ++i) proposals.push_back({ids_.issue(), space_->random(rng_)});
    return proposals;
  }

  std::vector<spaces::Arch> sample(int n) override { return uniform_samples(*space_, n, rng_); }

  UpdateStats observe(const std::vector<Feedback>& feedback) override {
    ids_.settle(feedback, "random");
    UpdateStats stats;
    stats.count = static_cast<std::int64_t>(feedback.size());
    stats.mean_reward = mean_reward(feedback);
    return stats;
  }

 protected:
  void state_fields(StateFields& fields) override {
    spaces::bind_rng(fields, "rng", rng_);
    ids_.state_fields(fields);
  }

 private:
  spaces::SpacePtr space_;
  spaces::Rng rng_;
  OutstandingProposals ids_;
};

}  // namespace

REGISTER_CONTROLLER(random, "uniform random architectures (the baseline)", Capabilities{.spaces = {"*"}}, {},
                    [](spaces::SpacePtr space, const spaces::Params&,
                       std::uint64_t seed) -> std::unique_ptr<Controller> {
                      return std::make_unique<RandomController>(std::move(space), seed);
                    });

}  // namespace controllers
