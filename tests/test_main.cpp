// GoogleTest's main for the test binaries without libtorch: GoogleTest's
// own, except that a run whose every test skipped exits 77
// (suite_exit_code.h). The binaries with libtorch use torch_test_main.cpp.

#include <gtest/gtest.h>

#include "tests/suite_exit_code.h"

int main(int argc, char** argv) {
  ::testing::InitGoogleTest(&argc, argv);
  return nas_tests::suite_exit_code(RUN_ALL_TESTS());
}
