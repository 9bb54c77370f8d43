# Every dependency comes from a Debian package listed in debian-packages.txt;
# find_package fails with the package's name when one is missing.
find_package(Boost 1.74 REQUIRED COMPONENTS graph)
find_package(Eigen3 3.4 REQUIRED NO_MODULE)
find_package(Torch REQUIRED)
find_package(HDF5 REQUIRED COMPONENTS CXX)
find_package(spdlog REQUIRED)
find_package(tomlplusplus REQUIRED)
find_package(CLI11 REQUIRED)
find_package(ZLIB REQUIRED)
find_package(Gloo REQUIRED)
if(NAS_BUILD_TESTS)
  find_package(GTest REQUIRED)
endif()
if(NAS_BUILD_BENCHMARKS)
  find_package(benchmark REQUIRED)
endif()

# Libraries that register themselves through static initialisers (spaces,
# controllers) are linked whole so the linker cannot drop their registrars.
function(nas_link_whole target visibility library)
  target_link_libraries(${target} ${visibility} "$<LINK_LIBRARY:WHOLE_ARCHIVE,${library}>")
endfunction()
