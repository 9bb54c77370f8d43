#include "experiments/data/idx_reader.h"

#include <zlib.h>

#include <algorithm>
#include <filesystem>
#include <iomanip>
#include <memory>
#include <sstream>
#include <vector>

namespace experiments {
namespace {

struct GzCloser {
  void operator()(gzFile_s* file) const { gzclose(file); }
};
using GzFile = std::unique_ptr<gzFile_s, GzCloser>;

GzFile open_file(const std::string& path) {
  if (!std::filesystem::exists(path)) throw DataError(path + ": no such file");
  GzFile file(gzopen(path.c_str(), "rb"));
  if (!file) throw DataError(path + ": cannot open");
  return file;
}

// Appends exactly `bytes` bytes of `file` to `out`, or throws naming what
// was expected. `out` grows as the bytes arrive, 16 MB at a time, so a size
// a header merely announces (a torn download, a foreign file) costs no more
// memory than the file holds.
void read_exact(gzFile_s* file, const std::string& path, std::vector<std::uint8_t>& out, std::uint64_t bytes,
                const std::string& what) {
  constexpr std::uint64_t kChunk = std::uint64_t{1} << 24;
  const std::size_t start = out.size();
  for (std::uint64_t done = 0; done < bytes;) {
    const auto chunk = static_cast<unsigned>(std::min(bytes - done, kChunk));
    out.resize(start + done + chunk);
    const int got = gzread(file, out.data() + start + done, chunk);
    if (got < 0) {
      int code = 0;
      throw DataError(path + ": read error in " + what + ": " + gzerror(file, &code));
    }
    out.resize(start + done + static_cast<std::size_t>(got));
    if (got == 0) {
      throw DataError(path + ": truncated: " + what + " needs " + std::to_string(bytes) + " bytes, the file has " +
                      std::to_string(done));
    }
    done += static_cast<std::uint64_t>(got);
  }
}

// The next big-endian 32-bit field of the IDX header.
std::uint32_t read_header_field(gzFile_s* file, const std::string& path) {
  std::vector<std::uint8_t> field;
  read_exact(file, path, field, 4, "the IDX header");
  return (std::uint32_t{field[0]} << 24) | (std::uint32_t{field[1]} << 16) | (std::uint32_t{field[2]} << 8) | field[3];
}

std::string hex(std::uint32_t value) {
  std::ostringstream text;
  text << "0x" << std::hex << std::setw(8) << std::setfill('0') << value;
  return text.str();
}

// Larger data than any IDX file holds (MNIST's train images: 47 MB).
constexpr std::uint64_t kMaxIdxBytes = std::uint64_t{1} << 40;

// Reads an IDX ubyte file with `dims` dimensions; returns its shape and bytes.
torch::Tensor read_idx(const std::string& path, int dims) {
  GzFile file = open_file(path);
  const std::uint32_t magic = read_header_field(file.get(), path);
  const std::uint32_t expected = 0x00000800U | static_cast<std::uint32_t>(dims);
  if (magic != expected) {
    throw DataError(path + ": wrong magic number " + hex(magic) + ", expected " + hex(expected) + " (IDX ubyte, " +
                    std::to_string(dims) + " dimension" + (dims > 1 ? "s" : "") + ")");
  }
  std::vector<std::int64_t> shape;
  std::uint64_t total = 1;
  for (int d = 0; d < dims; ++d) {
    const std::uint32_t size = read_header_field(file.get(), path);
    if (size == 0 || size > (1U << 28)) throw DataError(path + ": implausible dimension " + std::to_string(size));
    if (total > kMaxIdxBytes / size) {
      throw DataError(path + ": implausible shape: its header announces more than " + std::to_string(kMaxIdxBytes) +
                      " data bytes");
    }
    shape.push_back(size);
    total *= size;
  }
  auto bytes = std::make_unique<std::vector<std::uint8_t>>();
  read_exact(file.get(), path, *bytes, total, "the data");
  unsigned char extra = 0;
  if (gzread(file.get(), &extra, 1) != 0) {
    throw DataError(path + ": longer than its header announces (" + std::to_string(total) + " data bytes)");
  }
  std::vector<std::uint8_t>* owner = bytes.release();  // the tensor owns the bytes, uncopied
  return torch::from_blob(
      owner->data(), shape, [owner](void*) { delete owner; }, torch::kUInt8);
}

std::string find_file(const std::string& dir, const std::string& stem) {
  for (const std::string& candidate : {dir + "/" + stem + ".gz", dir + "/" + stem}) {
    if (std::filesystem::exists(candidate)) return candidate;
  }
  throw DataError(dir + "/" + stem + "[.gz]: no such file");
}

}  // namespace

Dataset read_idx_dataset(const std::string& images_path, const std::string& labels_path, const std::string& name) {
  torch::Tensor images = read_idx(images_path, 3);
  torch::Tensor labels = read_idx(labels_path, 1).to(torch::kInt64);
  if (labels.size(0) != images.size(0)) {
    throw DataError(labels_path + ": has " + std::to_string(labels.size(0)) + " labels, but " + images_path + " has " +
                    std::to_string(images.size(0)) + " images");
  }
  const std::int64_t max_label = labels.max().item<std::int64_t>();
  if (max_label > 9) throw DataError(labels_path + ": label " + std::to_string(max_label) + " outside 0..9");
  return Dataset{name, images.unsqueeze(1), labels, 10};
}

Dataset load_mnist_format(const std::string& dir, const std::string& split, const std::string& name) {
  if (split != "train" && split != "test")
    throw std::invalid_argument("split must be 'train' or 'test', got '" + split + "'");
  const std::string prefix = split == "train" ? "train" : "t10k";
  return read_idx_dataset(find_file(dir, prefix + "-images-idx3-ubyte"), find_file(dir, prefix + "-labels-idx1-ubyte"),
                          name + " " + split);
}

}  // namespace experiments
