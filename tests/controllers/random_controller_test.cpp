#include <gtest/gtest.h>

#include "controllers/controller.h"
#include "spaces/infra/errors.h"
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

TEST(RandomController, ObserveAveragesTheRewards) {
  auto controller = make_controller("random", spaces::make_space("pnas"), 1);
  const auto proposals = controller->propose(2);
  const UpdateStats stats = controller->observe({{proposals[0].id, 0.2}, {proposals[1].id, 0.6}});
  EXPECT_DOUBLE_EQ(stats.mean_reward, 0.4);
  EXPECT_EQ(stats.count, 2);
}

}  // namespace
}  // namespace controllers
