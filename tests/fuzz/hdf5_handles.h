#pragma once
// For the fuzz targets of HDF5 readers: a reader that refuses a file must
// still close every file, group, dataset and attribute it opened. A leaked
// file handle would also make HDF5 serve the next input from the previous
// one's cached metadata. (Datatypes are not counted: HDF5's C++ library
// holds its predefined types, PredType, open for the whole process.)

#include <H5Cpp.h>

#include <cstdio>

#include "tests/fuzz/fuzz_support.h"

namespace fuzz {

inline void require_hdf5_closed() {
  const ssize_t files = H5Fget_obj_count(H5F_OBJ_ALL, H5F_OBJ_FILE);
  const ssize_t groups = H5Fget_obj_count(H5F_OBJ_ALL, H5F_OBJ_GROUP);
  const ssize_t datasets = H5Fget_obj_count(H5F_OBJ_ALL, H5F_OBJ_DATASET);
  const ssize_t attributes = H5Fget_obj_count(H5F_OBJ_ALL, H5F_OBJ_ATTR);
  if (files != 0 || groups != 0 || datasets != 0 || attributes != 0) {
    std::fprintf(stderr, "open HDF5 objects: files %zd, groups %zd, datasets %zd, attributes %zd\n", files, groups,
                 datasets, attributes);
    require(false, "every HDF5 object the reader opened is closed");
  }
}

}  // namespace fuzz
