// Fuzz target: the MNIST-format (IDX) reader (experiments/data/idx_reader.h),
// plain or gzip-compressed.
//
// Input: 4 bytes, big-endian, the length L of the images file (clamped to
// what follows), then the images file's L bytes, then the labels file.
// Refusal allowed: experiments::DataError. On every accepted pair: images
// are uint8 [N, 1, H, W] and labels int64 [N] in [0, 10).

#include <algorithm>
#include <cstdint>
#include <string>

#include "experiments/data/idx_reader.h"
#include "tests/fuzz/fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 4) return 0;
  const std::size_t announced =
      (std::size_t{data[0]} << 24) | (std::size_t{data[1]} << 16) | (std::size_t{data[2]} << 8) | std::size_t{data[3]};
  const std::size_t images_size = std::min(announced, size - 4);
  const std::string images = fuzz::input_file("images-idx3-ubyte", data + 4, images_size);
  const std::string labels = fuzz::input_file("labels-idx1-ubyte", data + 4 + images_size, size - 4 - images_size);
  experiments::Dataset dataset;
  try {
    dataset = experiments::read_idx_dataset(images, labels, "fuzz");
  } catch (const experiments::DataError&) {
    return 0;
  }
  fuzz::require(dataset.images.dtype() == torch::kUInt8 && dataset.images.dim() == 4 && dataset.images.size(1) == 1,
                "images are uint8 [N, 1, H, W]");
  fuzz::require(dataset.labels.dtype() == torch::kInt64 && dataset.labels.dim() == 1 &&
                    dataset.labels.size(0) == dataset.images.size(0),
                "labels are int64 [N]");
  fuzz::require(dataset.size() == 0 || (dataset.labels.min().item<std::int64_t>() >= 0 &&
                                        dataset.labels.max().item<std::int64_t>() < dataset.num_classes),
                "labels are classes");
  return 0;
}
