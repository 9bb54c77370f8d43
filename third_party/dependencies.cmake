# Every dependency comes from a Debian package listed in debian-packages.txt;
# find_package fails with the package's name when one is missing.
find_package(Boost 1.74 REQUIRED COMPONENTS graph)
find_package(Eigen3 3.4 REQUIRED NO_MODULE)
find_package(Torch REQUIRED)
# at::parallel_for is a header template: code that calls it must itself be
# compiled with OpenMP (as libtorch is), or it silently runs on one thread.
find_package(OpenMP REQUIRED COMPONENTS CXX)
find_package(HDF5 REQUIRED COMPONENTS CXX)
find_package(spdlog REQUIRED)
find_package(tomlplusplus REQUIRED)
find_package(CLI11 REQUIRED)
find_package(ZLIB REQUIRED)
# summary.json of nas_report
find_package(nlohmann_json 3 REQUIRED)
find_package(Gloo REQUIRED)
# NSGA-II, non-dominated sorting and hypervolume (multi-objective search)
find_package(pagmo REQUIRED)
# RBF support vector regression (DyNAS-T's predictor; the library scikit-learn's SVR wraps); no CMake package
find_path(NAS_SVM_INCLUDE_DIR libsvm/svm.h REQUIRED)
find_library(NAS_SVM_LIBRARY svm REQUIRED)
if(NAS_BUILD_TESTS)
  find_package(GTest REQUIRED)
endif()
if(NAS_BUILD_BENCHMARKS)
  find_package(benchmark REQUIRED)
endif()

# Libraries that register themselves through static initialisers (spaces,
# controllers) are linked whole so the linker cannot drop their registrars.
# CMake refuses a library linked both with and without the feature, so every
# link to such a library goes through this function.
function(nas_link_whole target visibility library)
  target_link_libraries(${target} ${visibility} "$<LINK_LIBRARY:WHOLE_ARCHIVE,${library}>")
endfunction()

# libtorch's headers dominate compile time: precompile them once and reuse
# the PCH in every target that includes libtorch (nas_use_torch).
add_library(nas_torch_pch OBJECT ${CMAKE_CURRENT_LIST_DIR}/torch_pch.cpp)
target_link_libraries(nas_torch_pch PUBLIC ${TORCH_LIBRARIES} OpenMP::OpenMP_CXX)
target_precompile_headers(nas_torch_pch PUBLIC <torch/torch.h> <vector> <string> <memory> <map>)

function(nas_use_torch target)
  target_link_libraries(${target} PUBLIC ${TORCH_LIBRARIES} OpenMP::OpenMP_CXX)
  target_precompile_headers(${target} REUSE_FROM nas_torch_pch)
endfunction()
