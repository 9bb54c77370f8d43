// GoogleTest's main for the test binaries that use libtorch.
//
// libtorch seeds its default CPU generator from the operating system's
// entropy in every process (c10::detail::getNonDeterministicRandom), so a
// test that draws weights before it seeds (any network built in a fixture's
// member initializers) would draw different ones on every run, and a failure
// on CI could not be replayed. This main seeds the generator with
// kTestSeed before every test, after GoogleTest announces it and before the
// fixture is made, so each test sees the same random numbers whether ctest
// runs it alone or the binary runs the whole suite, in any order or filter.
// A test that wants other numbers seeds them itself.
//
// Like test_main.cpp, a run whose every test skipped exits 77
// (suite_exit_code.h).

#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cstdint>

#include "tests/suite_exit_code.h"

namespace {

constexpr std::uint64_t kTestSeed = 20261202;

class SeedTorchBeforeEachTest : public ::testing::EmptyTestEventListener {
  void OnTestStart(const ::testing::TestInfo& /*test*/) override { torch::manual_seed(kTestSeed); }
};

}  // namespace

int main(int argc, char** argv) {
  ::testing::InitGoogleTest(&argc, argv);
  ::testing::UnitTest::GetInstance()->listeners().Append(new SeedTorchBeforeEachTest);  // GoogleTest owns it
  return nas_tests::suite_exit_code(RUN_ALL_TESTS());
}
