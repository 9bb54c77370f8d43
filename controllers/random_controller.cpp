// random: architectures drawn uniformly, decision by decision, from the
// space (SearchSpace::random). It learns nothing; it is the baseline every
// search is compared with (Li & Talwalkar 2019, "Random Search and
// Reproducibility for NAS"). Options: none.

#include "controllers/controller.h"
#include "spaces/registry.h"

namespace controllers {
namespace {

class RandomController : public Controller {
 public:
  RandomController(spaces::SpacePtr space, std::uint64_t seed) : space_(std::move(space)), rng_(seed) {}

  std::string name() const override { return "random"; }

  std::vector<Proposal> propose(int n) override {
    std::vector<Proposal> proposals;
    for (int i = 0; i < n; ++i) proposals.push_back({next_id_++, space_->random(rng_)});
    return proposals;
  }

  std::vector<spaces::Arch> sample(int n) override {
    std::vector<spaces::Arch> archs;
    for (int i = 0; i < n; ++i) archs.push_back(space_->random(rng_));
    return archs;
  }

  UpdateStats observe(const std::vector<Feedback>& feedback) override {
    UpdateStats stats;
    for (const Feedback& f : feedback) {
      if (f.id < 0 || f.id >= next_id_)
        throw std::invalid_argument("random controller: no proposal with id " + std::to_string(f.id));
      stats.mean_reward += f.reward;
    }
    stats.count = static_cast<std::int64_t>(feedback.size());
    if (stats.count > 0) stats.mean_reward /= static_cast<double>(stats.count);
    return stats;
  }

  ControllerState state() const override {
    ControllerState state;
    state.scalars["next_id"] = static_cast<double>(next_id_);
    state.texts["rng"] = spaces::rng_to_text(rng_);
    return state;
  }

  void load_state(const ControllerState& state) override {
    const auto id = state.scalars.find("next_id");
    const auto rng = state.texts.find("rng");
    if (id == state.scalars.end() || rng == state.texts.end()) {
      throw std::invalid_argument("random controller state: missing 'next_id' or 'rng'");
    }
    spaces::rng_from_text(rng->second, rng_);
    next_id_ = static_cast<std::int64_t>(id->second);
  }

 private:
  spaces::SpacePtr space_;
  spaces::Rng rng_;
  std::int64_t next_id_ = 0;
};

}  // namespace

REGISTER_CONTROLLER(random, "uniform random architectures (the baseline)", {},
                    [](spaces::SpacePtr space, const spaces::Params&,
                       std::uint64_t seed) -> std::unique_ptr<Controller> {
                      return std::make_unique<RandomController>(std::move(space), seed);
                    });

}  // namespace controllers
