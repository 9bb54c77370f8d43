#include "experiments/data/cifar10_reader.h"

#include <filesystem>
#include <fstream>

namespace experiments {
namespace {

constexpr std::int64_t kImageBytes = 3 * 32 * 32;
constexpr std::int64_t kRecordBytes = 1 + kImageBytes;

}  // namespace

Dataset read_cifar10_batches(const std::vector<std::string>& paths, const std::string& name) {
  std::vector<torch::Tensor> images, labels;
  for (const std::string& path : paths) {
    if (!std::filesystem::exists(path)) throw DataError(path + ": no such file");
    const auto bytes = static_cast<std::int64_t>(std::filesystem::file_size(path));
    if (bytes == 0 || bytes % kRecordBytes != 0) {
      throw DataError(path + ": " + std::to_string(bytes) + " bytes is not a whole number of CIFAR-10 records (" +
                      std::to_string(kRecordBytes) + " bytes each); truncated or not a CIFAR-10 binary batch");
    }
    const std::int64_t records = bytes / kRecordBytes;
    torch::Tensor raw = torch::empty({records, kRecordBytes}, torch::kUInt8);
    std::ifstream file(path, std::ios::binary);
    file.read(reinterpret_cast<char*>(raw.data_ptr<std::uint8_t>()), bytes);
    if (file.gcount() != bytes)
      throw DataError(path + ": read " + std::to_string(file.gcount()) + " of " + std::to_string(bytes) + " bytes");
    torch::Tensor label = raw.select(1, 0).to(torch::kInt64);
    const std::int64_t max_label = label.max().item<std::int64_t>();
    if (max_label > 9)
      throw DataError(path + ": label " + std::to_string(max_label) + " outside 0..9; not a CIFAR-10 batch");
    labels.push_back(label);
    images.push_back(raw.narrow(1, 1, kImageBytes).reshape({records, 3, 32, 32}));
  }
  return Dataset{name, torch::cat(images), torch::cat(labels), 10};
}

Dataset load_cifar10(const std::string& dir, const std::string& split) {
  std::vector<std::string> paths;
  if (split == "train") {
    for (int i = 1; i <= 5; ++i) paths.push_back(dir + "/data_batch_" + std::to_string(i) + ".bin");
  } else if (split == "test") {
    paths.push_back(dir + "/test_batch.bin");
  } else {
    throw std::invalid_argument("split must be 'train' or 'test', got '" + split + "'");
  }
  return read_cifar10_batches(paths, "cifar10 " + split);
}

}  // namespace experiments
