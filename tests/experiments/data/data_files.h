#pragma once
// Test helper: writes small IDX and CIFAR-10 files into a fresh temporary
// directory that is removed with the object.

#include <zlib.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <vector>

namespace experiments::testing {

class TempDir {
 public:
  TempDir() {
    path_ = std::filesystem::temp_directory_path() / ("nas_test_" + std::to_string(std::random_device{}()));
    std::filesystem::create_directories(path_);
  }
  ~TempDir() { std::filesystem::remove_all(path_); }
  std::string file(const std::string& name) const { return (path_ / name).string(); }
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

inline std::vector<unsigned char> idx_bytes(std::uint32_t magic, const std::vector<std::uint32_t>& dims,
                                            const std::vector<unsigned char>& data) {
  std::vector<unsigned char> bytes;
  auto put = [&](std::uint32_t v) {
    for (int shift = 24; shift >= 0; shift -= 8) bytes.push_back(static_cast<unsigned char>(v >> shift));
  };
  put(magic);
  for (auto d : dims) put(d);
  bytes.insert(bytes.end(), data.begin(), data.end());
  return bytes;
}

inline void write_bytes(const std::string& path, const std::vector<unsigned char>& bytes, bool gzip) {
  if (gzip) {
    gzFile file = gzopen(path.c_str(), "wb");
    gzwrite(file, bytes.data(), static_cast<unsigned>(bytes.size()));
    gzclose(file);
  } else {
    std::ofstream(path, std::ios::binary)
        .write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
  }
}

// n images of 28x28 where image i has every pixel equal to i, labels i % 10.
inline void write_mnist_like(const TempDir& dir, const std::string& prefix, std::uint32_t n, bool gzip) {
  std::vector<unsigned char> pixels, labels;
  for (std::uint32_t i = 0; i < n; ++i) {
    pixels.insert(pixels.end(), 28 * 28, static_cast<unsigned char>(i));
    labels.push_back(static_cast<unsigned char>(i % 10));
  }
  const std::string suffix = gzip ? ".gz" : "";
  write_bytes(dir.file(prefix + "-images-idx3-ubyte" + suffix), idx_bytes(0x803, {n, 28, 28}, pixels), gzip);
  write_bytes(dir.file(prefix + "-labels-idx1-ubyte" + suffix), idx_bytes(0x801, {n}, labels), gzip);
}

}  // namespace experiments::testing
