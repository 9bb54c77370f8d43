# Run by ctest when it reads the test directory (a TEST_INCLUDE_FILES
# script; tests/CMakeLists.txt sets the variables): registers one ctest
# test per GoogleTest suite of NAS_TEST_BINARY, named after the suite and
# running `NAS_TEST_BINARY --gtest_filter=Suite.*` in NAS_TEST_WORKDIR with
# OMP_NUM_THREADS=1. A suite whose every case skipped exits 77
# (suite_exit_code.h), which ctest reports as skipped; a case that may
# skip (GTEST_SKIP) therefore sits in a suite of its own, as does one that
# must run in a fresh process (a peak-memory check).
#
# Why suites and not test cases: a binary that links Debian's libtorch
# loads about 290 shared libraries and takes 0.7-0.9 s to start, so one
# process per test case spent most of the suite's time starting processes
# (about 1,300 starts). A failing test case is still named in its suite's
# output ("[  FAILED  ] Suite.Case"); to run one case, run the binary with
# --gtest_filter=Suite.Case.
#
# Inputs: NAS_TEST_TARGET (the target's name), NAS_TEST_BINARY (its file),
# NAS_TEST_WORKDIR, NAS_TEST_COST (ctest's COST for every suite) and
# NAS_CMAKE_COMMAND (cmake, for the message below: ctest leaves
# CMAKE_COMMAND empty while it reads test files). A binary that is missing
# or cannot list its tests gets one test, TARGET_NOT_BUILT or
# TARGET_NOT_LISTED, that fails and says why, so ctest reports it instead
# of running fewer tests unnoticed.

if(NOT EXISTS "${NAS_TEST_BINARY}")
  add_test("${NAS_TEST_TARGET}_NOT_BUILT" "${NAS_TEST_BINARY}")  # ctest: "Could not find executable"
  return()
endif()

execute_process(COMMAND "${NAS_TEST_BINARY}" --gtest_list_tests
                WORKING_DIRECTORY "${NAS_TEST_WORKDIR}"
                OUTPUT_VARIABLE nas_listing
                ERROR_VARIABLE nas_listing_errors
                RESULT_VARIABLE nas_listing_result
                TIMEOUT 120)
if(NOT nas_listing_result EQUAL 0)
  add_test("${NAS_TEST_TARGET}_NOT_LISTED" "${NAS_CMAKE_COMMAND}" -E echo
           "${NAS_TEST_BINARY} --gtest_list_tests failed (${nas_listing_result}): ${nas_listing_errors}")
  set_tests_properties("${NAS_TEST_TARGET}_NOT_LISTED" PROPERTIES WILL_FAIL TRUE)
  return()
endif()

# --gtest_list_tests prints a suite as "Suite." at the start of a line
# (followed by "  # TypeParam = ..." for typed suites) and its cases
# indented below it, with printed parameters that may hold any character.
# So the suites are matched in the text itself, not in a CMake list of its
# lines (where a '[' or ';' in a parameter would merge or split lines).
string(REGEX MATCHALL "\n[^ \n#][^ \n]*\\." nas_suite_lines "\n${nas_listing}")
foreach(nas_suite_line IN LISTS nas_suite_lines)
  string(REGEX REPLACE "^\n(.*)\\.$" "\\1" nas_suite "${nas_suite_line}")
  add_test("${nas_suite}" "${NAS_TEST_BINARY}" "--gtest_filter=${nas_suite}.*")
  set_tests_properties("${nas_suite}" PROPERTIES WORKING_DIRECTORY "${NAS_TEST_WORKDIR}"
                                                 ENVIRONMENT "OMP_NUM_THREADS=1" SKIP_RETURN_CODE 77
                                                 COST "${NAS_TEST_COST}")
endforeach()
