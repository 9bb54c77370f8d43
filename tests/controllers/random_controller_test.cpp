#include <gtest/gtest.h>

#include "controllers/controller.h"
#include "spaces/errors.h"
#include "spaces/registry.h"

namespace controllers {
namespace {

TEST(ControllerRegistry, HoldsEnasAndRandom) {
  const auto names = controller_registry().names();
  EXPECT_NE(std::find(names.begin(), names.end(), "enas"), names.end());
  EXPECT_NE(std::find(names.begin(), names.end(), "random"), names.end());
  EXPECT_THROW(make_controller("ensa", spaces::make_space("enas_micro"), 0), spaces::OptionError);
  EXPECT_THROW(make_controller("random(lr=1)", spaces::make_space("enas_micro"), 0), spaces::OptionError);
}

TEST(RandomController, ProposesValidArchitecturesOfAnySpace) {
  for (const auto& name : spaces::space_registry().names()) {
    const auto space = spaces::make_space(name);
    auto controller = make_controller("random", space, 3);
    const auto proposals = controller->propose(20);
    ASSERT_EQ(proposals.size(), 20u);
    for (const auto& p : proposals) EXPECT_TRUE(space->is_valid(p.arch)) << name;
    EXPECT_EQ(proposals[19].id, 19);
  }
}

TEST(RandomController, ObserveAveragesRewardsAndRefusesUnknownIds) {
  auto controller = make_controller("random", spaces::make_space("pnas"), 1);
  const auto proposals = controller->propose(2);
  const UpdateStats stats = controller->observe({{proposals[0].id, 0.2}, {proposals[1].id, 0.6}});
  EXPECT_DOUBLE_EQ(stats.mean_reward, 0.4);
  EXPECT_EQ(stats.count, 2);
  EXPECT_THROW(controller->observe({{57, 1.0}}), std::invalid_argument);
}

TEST(RandomController, StateResumesTheSameSequence) {
  const auto space = spaces::make_space("darts");
  auto original = make_controller("random", space, 9);
  original->propose(5);
  const ControllerState saved = original->state();
  const auto expected = original->propose(4);
  auto resumed = make_controller("random", space, 1234);
  resumed->load_state(saved);
  const auto again = resumed->propose(4);
  for (std::size_t i = 0; i < expected.size(); ++i) {
    EXPECT_EQ(again[i].arch, expected[i].arch);
    EXPECT_EQ(again[i].id, expected[i].id);
  }
  EXPECT_THROW(resumed->load_state(ControllerState{}), std::invalid_argument);
}

}  // namespace
}  // namespace controllers
