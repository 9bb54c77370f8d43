#include "experiments/archive/h5_util.h"

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <fstream>

namespace experiments {
namespace {

// The earliest superblock with a checksum (HDF5 File Format Specification
// 3.0, "Superblock", version 2). Version 3 (the 1.10 format) would also
// checksum chunk indexes, but it marks a file open for writing in the
// superblock, and a run killed mid-write then leaves run.h5 unopenable
// ("file is already open for write") until h5clear, which a resume cannot
// ask of a user.
constexpr int kChecksummedSuperblock = 2;
constexpr std::size_t kMaxTextWidth = std::size_t{16} << 20;

H5::FileAccPropList checksummed_format() {
  H5::FileAccPropList access;
  access.setLibverBounds(H5F_LIBVER_V18, H5F_LIBVER_V18);
  return access;
}

}  // namespace

H5::H5File create_checksummed_file(const std::string& path) {
  return H5::H5File(path, H5F_ACC_EXCL, H5::FileCreatPropList::DEFAULT, checksummed_format());
}

H5::H5File open_checksummed_file(const std::string& path, unsigned flags) {
  if (flags == H5F_ACC_RDONLY) {
    // A reader takes no lock, so it can read a run another process is
    // writing (nas_report --live). HDF5 refuses that open where this process
    // has the file open already (the locking settings must agree); the
    // usual open then shares the open file.
    H5::FileAccPropList unlocked = checksummed_format();
    H5Pset_file_locking(unlocked.getId(), false, true);
    try {
      return H5::H5File(path, flags, H5::FileCreatPropList::DEFAULT, unlocked);
    } catch (const H5::Exception&) {
    }
  }
  return H5::H5File(path, flags, H5::FileCreatPropList::DEFAULT, checksummed_format());
}

H5::StrType text_type(std::size_t bytes) {
  H5::StrType type(H5::PredType::C_S1, std::max<std::size_t>(bytes, 1));
  type.setStrpad(H5T_STR_NULLPAD);
  type.setCset(H5T_CSET_UTF8);
  return type;
}

std::size_t text_width(const std::vector<std::string>& texts) {
  std::size_t width = 1;
  for (const std::string& text : texts) {
    if (text.find('\0') != std::string::npos) throw std::invalid_argument("a text for HDF5 holds a NUL byte");
    width = std::max(width, text.size());
  }
  return width;
}

std::vector<char> pack_texts(const std::vector<std::string>& texts, std::size_t width) {
  std::vector<char> packed(texts.size() * width, '\0');
  for (std::size_t i = 0; i < texts.size(); ++i) {
    if (texts[i].size() > width) throw std::invalid_argument("pack_texts: a text is wider than its column");
    std::memcpy(packed.data() + i * width, texts[i].data(), texts[i].size());
  }
  return packed;
}

std::vector<std::string> unpack_texts(const std::vector<char>& packed, std::size_t width) {
  std::vector<std::string> texts;
  for (std::size_t start = 0; start + width <= packed.size(); start += width) {
    const char* begin = packed.data() + start;
    texts.emplace_back(begin, std::find(begin, begin + width, '\0'));
  }
  return texts;
}

H5::StrType fixed_text_type(const H5::AbstractDs& data, const std::string& where) {
  if (data.getTypeClass() != H5T_STRING) throw ArchiveError(where + ": holds no text");
  const H5::StrType stored = data.getStrType();
  if (stored.isVariableStr()) {
    throw ArchiveError(where + ": holds variable-length strings (a file of an earlier layout or another program)");
  }
  const std::size_t width = stored.getSize();
  if (width == 0 || width > kMaxTextWidth) {
    throw ArchiveError(where + ": holds texts " + std::to_string(width) + " bytes wide (at most " +
                       std::to_string(kMaxTextWidth) + ")");
  }
  H5::StrType memory = text_type(width);
  memory.setCset(stored.getCset());
  return memory;
}

std::vector<std::string> read_texts(const H5::DataSet& dataset, hsize_t rows, const std::string& where) {
  const H5::StrType type = fixed_text_type(dataset, where);
  if (rows == 0) return {};
  const std::size_t width = type.getSize();
  H5::DataSpace file_space = dataset.getSpace();
  const hsize_t offset = 0;
  file_space.selectHyperslab(H5S_SELECT_SET, &rows, &offset);
  const H5::DataSpace memory_space(1, &rows);
  std::vector<char> packed(static_cast<std::size_t>(rows) * width);
  dataset.read(packed.data(), type, memory_space, file_space);
  return unpack_texts(packed, width);
}

void check_hdf5_file(const std::string& path, const std::string& what) {
  H5::Exception::dontPrint();
  if (!std::filesystem::exists(path)) throw ArchiveError(path + ": no such " + what);
  if (H5::H5File::isHdf5(path) <= 0) throw ArchiveError(path + ": not an HDF5 file (a torn or foreign " + what + "?)");
  static constexpr char kSignature[] = "\211HDF\r\n\032\n";
  char head[9] = {};
  std::ifstream(path, std::ios::binary).read(head, sizeof head);
  const int version = static_cast<unsigned char>(head[8]);
  if (std::memcmp(head, kSignature, 8) != 0 || version < kChecksummedSuperblock) {
    throw ArchiveError(
        path + ": an HDF5 file without checksums (superblock " +
        (std::memcmp(head, kSignature, 8) != 0 ? std::string("not at byte 0") : "version " + std::to_string(version)) +
        "): a " + what +
        " of an earlier build or another program's file, which this build "
        "does not read");
  }
}

std::string read_archive_config(const std::string& path) {
  check_hdf5_file(path, "run archive");
  try {
    const H5::H5File file = open_checksummed_file(path, H5F_ACC_RDONLY);
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
  const std::size_t width = text_width({value});
  const H5::StrType type = text_type(width);
  if (object.attrExists(name)) object.removeAttr(name);
  object.createAttribute(name, type, H5::DataSpace(H5S_SCALAR)).write(type, pack_texts({value}, width).data());
}

std::string read_text_attribute(const H5::H5Object& object, const std::string& name, const std::string& file) {
  try {
    if (!object.attrExists(name)) throw ArchiveError(file + ": missing attribute '" + name + "'");
    H5::Attribute attribute = object.openAttribute(name);
    const std::string where = file + ": attribute '" + name + "'";
    const H5::StrType type = fixed_text_type(attribute, where);
    if (attribute.getSpace().getSimpleExtentNpoints() != 1) throw ArchiveError(where + ": is not one text");
    const std::size_t width = type.getSize();
    std::vector<char> packed(width);
    attribute.read(type, packed.data());
    return unpack_texts(packed, width).at(0);
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
  hsize_t bytes = dataset.getDataType().getSize();
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

std::vector<std::string> link_names(const H5::Group& group) {
  std::vector<std::string> names;
  const H5L_iterate_t collect = [](hid_t, const char* name, const H5L_info_t*, void* data) -> herr_t {
    static_cast<std::vector<std::string>*>(data)->emplace_back(name);
    return 0;
  };
  hsize_t position = 0;
  if (H5Literate(group.getId(), H5_INDEX_NAME, H5_ITER_INC, &position, collect, &names) < 0) {
    throw H5::GroupIException("link_names", "H5Literate failed");
  }
  return names;
}

}  // namespace experiments
