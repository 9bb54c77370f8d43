#include "experiments/archive/checkpoint.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>

namespace experiments {
namespace {

// 2: the HDF5 1.8 format with checksums, fixed-length texts (1: variable-length).
constexpr std::int64_t kCheckpointLayout = 2;

H5::DataType h5_type(torch::ScalarType type) {
  switch (type) {
    case torch::kFloat:
      return H5::PredType::NATIVE_FLOAT;
    case torch::kDouble:
      return H5::PredType::NATIVE_DOUBLE;
    case torch::kLong:
      return H5::PredType::NATIVE_INT64;
    case torch::kByte:
      return H5::PredType::NATIVE_UINT8;
    default:
      throw std::invalid_argument(std::string("checkpoint: unsupported tensor type ") + c10::toString(type));
  }
}

torch::ScalarType torch_type(const H5::DataSet& dataset, const std::string& where) {
  const H5T_class_t type_class = dataset.getTypeClass();
  const std::size_t size = dataset.getDataType().getSize();
  if (type_class == H5T_FLOAT && size == 4) return torch::kFloat;
  if (type_class == H5T_FLOAT && size == 8) return torch::kDouble;
  if (type_class == H5T_INTEGER && size == 8) return torch::kLong;
  if (type_class == H5T_INTEGER && size == 1) return torch::kByte;
  throw ArchiveError(where + ": unsupported element type");
}

void write_strings(H5::Group& group, const std::string& name, const std::vector<std::string>& values) {
  hsize_t n = values.size();
  H5::DataSpace space(1, &n);
  const std::size_t width = text_width(values);
  group.createDataSet(name, text_type(width), space).write(pack_texts(values, width).data(), text_type(width));
}

// The list `name` of `group` (a rank-1 dataset) and its length, checked
// against what the file stores before anything is allocated for it.
H5::DataSet open_list(const H5::Group& group, const std::string& name, const std::string& file, hsize_t& length) {
  if (!group.nameExists(name)) throw ArchiveError(file + ": checkpoint has no '" + name + "'");
  H5::DataSet dataset = group.openDataSet(name);
  length = stored_extent(dataset, file + ": '" + name + "'", 1)[0];
  return dataset;
}

std::vector<std::string> read_strings(const H5::Group& group, const std::string& name, const std::string& file) {
  hsize_t n = 0;
  const H5::DataSet dataset = open_list(group, name, file, n);
  return read_texts(dataset, n, file + ": '" + name + "'");
}

std::vector<double> read_numbers(const H5::Group& group, const std::string& name, const std::string& file) {
  hsize_t n = 0;
  const H5::DataSet dataset = open_list(group, name, file, n);
  std::vector<double> values(n);
  if (!values.empty()) dataset.read(values.data(), H5::PredType::NATIVE_DOUBLE);
  return values;
}

void fsync_path(const std::string& path, int flags) {
  const int fd = ::open(path.c_str(), flags);
  if (fd < 0) return;
  ::fsync(fd);
  ::close(fd);
}

}  // namespace

void write_checkpoint(const std::string& path, const Checkpoint& checkpoint) {
  H5::Exception::dontPrint();
  const std::string temporary = path + ".tmp";
  std::filesystem::remove(temporary);
  try {
    {
      H5::H5File file = create_checksummed_file(temporary);
      write_int64_attribute(file, "checkpoint_layout", kCheckpointLayout);
      H5::Group tensors = file.createGroup("tensors");
      for (const auto& [name, tensor] : checkpoint.tensors) {
        if (name.find('/') != std::string::npos)
          throw std::invalid_argument("checkpoint tensor name with '/': " + name);
        const torch::Tensor data = tensor.detach().cpu().contiguous();
        std::vector<hsize_t> dims(data.sizes().begin(), data.sizes().end());
        H5::DataSpace space =
            dims.empty() ? H5::DataSpace(H5S_SCALAR) : H5::DataSpace(static_cast<int>(dims.size()), dims.data());
        tensors.createDataSet(name, h5_type(data.scalar_type()), space)
            .write(data.data_ptr(), h5_type(data.scalar_type()));
      }
      H5::Group root = file.openGroup("/");
      std::vector<std::string> names, texts;
      std::vector<double> values;
      for (const auto& [name, value] : checkpoint.scalars) {
        names.push_back(name);
        values.push_back(value);
      }
      write_strings(root, "scalar_names", names);
      hsize_t n = values.size();
      root.createDataSet("scalar_values", H5::PredType::NATIVE_DOUBLE, H5::DataSpace(1, &n))
          .write(values.data(), H5::PredType::NATIVE_DOUBLE);
      names.clear();
      for (const auto& [name, text] : checkpoint.texts) {
        names.push_back(name);
        texts.push_back(text);
      }
      write_strings(root, "text_names", names);
      write_strings(root, "text_values", texts);
      file.flush(H5F_SCOPE_GLOBAL);
    }
    fsync_path(temporary, O_RDONLY);
    std::filesystem::rename(temporary, path);
    fsync_path(std::filesystem::path(path).parent_path().string(), O_RDONLY | O_DIRECTORY);
  } catch (const H5::Exception& e) {
    std::filesystem::remove(temporary);
    throw ArchiveError(path + ": cannot write checkpoint: " + e.getDetailMsg());
  }
}

Checkpoint read_checkpoint(const std::string& path) {
  check_hdf5_file(path, "checkpoint");
  Checkpoint checkpoint;
  try {
    H5::H5File file = open_checksummed_file(path, H5F_ACC_RDONLY);
    check_layout(file, "checkpoint_layout", kCheckpointLayout, path, "checkpoint");
    if (!file.nameExists("tensors")) throw ArchiveError(path + ": checkpoint has no 'tensors'");
    H5::Group tensors = file.openGroup("tensors");
    for (const std::string& name : link_names(tensors)) {
      H5::DataSet dataset = tensors.openDataSet(name);
      const std::string where = path + ": tensor '" + name + "'";
      const std::vector<hsize_t> dims = stored_extent(dataset, where);
      const torch::ScalarType type = torch_type(dataset, where);
      torch::Tensor tensor = torch::empty(std::vector<std::int64_t>(dims.begin(), dims.end()), type);
      dataset.read(tensor.data_ptr(), h5_type(type));
      checkpoint.tensors[name] = tensor;
    }
    H5::Group root = file.openGroup("/");
    const auto names = read_strings(root, "scalar_names", path);
    const auto values = read_numbers(root, "scalar_values", path);
    if (values.size() != names.size()) throw ArchiveError(path + ": scalar names and values differ in number");
    for (std::size_t i = 0; i < names.size(); ++i) checkpoint.scalars[names[i]] = values[i];
    const auto text_names = read_strings(root, "text_names", path);
    const auto text_values = read_strings(root, "text_values", path);
    if (text_names.size() != text_values.size()) throw ArchiveError(path + ": text names and values differ in number");
    for (std::size_t i = 0; i < text_names.size(); ++i) checkpoint.texts[text_names[i]] = text_values[i];
  } catch (const H5::Exception& e) {
    throw ArchiveError(path + ": unreadable checkpoint: " + e.getDetailMsg());
  }
  return checkpoint;
}

namespace {

// "epoch-000012" + `suffix` + ".h5" in `dir`.
std::string epoch_file(const std::string& dir, std::int64_t epoch, const std::string& suffix) {
  char name[32];
  std::snprintf(name, sizeof name, "epoch-%06lld", static_cast<long long>(epoch));
  return (std::filesystem::path(dir) / (name + suffix + ".h5")).string();
}

}  // namespace

std::string checkpoint_path(const std::string& dir, std::int64_t epoch) { return epoch_file(dir, epoch, ""); }

std::string in_epoch_checkpoint_path(const std::string& dir, std::int64_t epoch, std::int64_t phase,
                                     std::int64_t done) {
  char suffix[48];
  std::snprintf(suffix, sizeof suffix, "-p%02lld-%09lld", static_cast<long long>(phase), static_cast<long long>(done));
  return epoch_file(dir, epoch, suffix);
}

void prune_checkpoints(const std::string& dir, const std::string& newest, std::int64_t keep_epoch_ends) {
  const std::string newest_name = std::filesystem::path(newest).filename().string();
  std::vector<std::string> epoch_ends;
  for (const std::string& path : list_checkpoints(dir)) {
    const std::string name = std::filesystem::path(path).filename().string();
    if (name.find("-p") == std::string::npos) {
      epoch_ends.push_back(path);
    } else if (name < newest_name) {
      std::filesystem::remove(path);
    }
  }
  if (keep_epoch_ends <= 0) return;
  const auto keep = static_cast<std::size_t>(keep_epoch_ends);
  for (std::size_t i = 0; i + keep < epoch_ends.size(); ++i) {
    if (epoch_ends[i] != newest) std::filesystem::remove(epoch_ends[i]);
  }
}

std::vector<std::string> list_checkpoints(const std::string& dir) {
  std::vector<std::string> paths;
  if (!std::filesystem::exists(dir)) return paths;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    const std::string name = entry.path().filename().string();
    if (name.rfind("epoch-", 0) == 0 && entry.path().extension() == ".h5") paths.push_back(entry.path().string());
  }
  std::sort(paths.begin(), paths.end());
  return paths;
}

}  // namespace experiments
