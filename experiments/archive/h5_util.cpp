#include "experiments/archive/h5_util.h"

#include <algorithm>
#include <filesystem>

namespace experiments {

H5::StrType utf8_text_type() {
  H5::StrType type(H5::PredType::C_S1, H5T_VARIABLE);
  type.setCset(H5T_CSET_UTF8);
  return type;
}

void check_hdf5_file(const std::string& path, const std::string& what) {
  H5::Exception::dontPrint();
  if (!std::filesystem::exists(path)) throw ArchiveError(path + ": no such " + what);
  if (H5::H5File::isHdf5(path) <= 0) throw ArchiveError(path + ": not an HDF5 file (a torn or foreign " + what + "?)");
}

std::string read_archive_config(const std::string& path) {
  check_hdf5_file(path, "run archive");
  try {
    const H5::H5File file(path, H5F_ACC_RDONLY);
    return read_text_attribute(file, "config", path);
  } catch (const H5::Exception& e) {
    throw ArchiveError(path + ": unreadable run archive: " + e.getDetailMsg());
  }
}

void replace_archive_config(H5::H5File& file, const std::string& config_toml) {
  try {
    write_text_attribute(file, "config", config_toml);
    file.flush(H5F_SCOPE_GLOBAL);
  } catch (const H5::Exception& e) {
    throw ArchiveError(file.getFileName() + ": cannot record the config: " + e.getDetailMsg());
  }
}

void write_int64_attribute(H5::H5Object& object, const std::string& name, std::int64_t value) {
  object.createAttribute(name, H5::PredType::NATIVE_INT64, H5::DataSpace(H5S_SCALAR))
      .write(H5::PredType::NATIVE_INT64, &value);
}

void write_text_attribute(H5::H5Object& object, const std::string& name, const std::string& value) {
  const H5::StrType type = utf8_text_type();
  if (object.attrExists(name)) object.removeAttr(name);
  object.createAttribute(name, type, H5::DataSpace(H5S_SCALAR)).write(type, value);
}

std::string read_text_attribute(const H5::H5Object& object, const std::string& name, const std::string& file) {
  try {
    if (!object.attrExists(name)) throw ArchiveError(file + ": missing attribute '" + name + "'");
    H5::Attribute attribute = object.openAttribute(name);
    std::string value;
    attribute.read(attribute.getStrType(), value);
    return value;
  } catch (const H5::Exception& e) {
    throw ArchiveError(file + ": attribute '" + name + "' is not readable text: " + e.getDetailMsg());
  }
}

std::vector<hsize_t> stored_extent(const H5::DataSet& dataset, const std::string& where, int rank) {
  const H5::DataSpace space = dataset.getSpace();
  const int dimensions = space.getSimpleExtentNdims();
  if (dimensions < 0 || (rank >= 0 && dimensions != rank)) {
    throw ArchiveError(where + ": has " + std::to_string(dimensions) + " dimensions, not " + std::to_string(rank));
  }
  std::vector<hsize_t> extent(static_cast<std::size_t>(dimensions));
  if (dimensions > 0) space.getSimpleExtentDims(extent.data());
  hsize_t bytes = std::min<hsize_t>(dataset.getDataType().getSize(), 8);
  std::string shown;
  for (const hsize_t size : extent) {
    shown += (shown.empty() ? "" : " x ") + std::to_string(size);
    if (__builtin_mul_overflow(bytes, size, &bytes))
      throw ArchiveError(where + ": implausible extent " + shown + "...");
  }
  const hsize_t stored = dataset.getStorageSize();
  if (stored < bytes) {
    throw ArchiveError(where + ": announces " + (shown.empty() ? "a scalar" : shown) + " (" + std::to_string(bytes) +
                       " bytes) but stores " + std::to_string(stored) + " (a torn or foreign file?)");
  }
  return extent;
}

void check_layout(const H5::H5File& file, const std::string& attribute, std::int64_t expected, const std::string& path,
                  const std::string& what) {
  if (!file.attrExists(attribute)) throw ArchiveError(path + ": not a " + what + " (no " + attribute + ")");
  std::int64_t layout = 0;
  file.openAttribute(attribute).read(H5::PredType::NATIVE_INT64, &layout);
  if (layout != expected) {
    throw ArchiveError(path + ": " + what + " layout version " + std::to_string(layout) +
                       ", this build reads version " + std::to_string(expected));
  }
}

}  // namespace experiments
