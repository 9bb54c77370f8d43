// Fuzz target: the CIFAR-10 binary batch reader
// (experiments/data/cifar10_reader.h).
//
// Input: one batch file. Refusal allowed: experiments::DataError. On every
// accepted file: images are uint8 [N, 3, 32, 32] with N the file's record
// count and labels int64 [N] in [0, 10).

#include <cstdint>
#include <string>

#include "experiments/data/cifar10_reader.h"
#include "tests/fuzz/fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string path = fuzz::input_file("data_batch_1.bin", data, size);
  experiments::Dataset dataset;
  try {
    dataset = experiments::read_cifar10_batches({path}, "fuzz");
  } catch (const experiments::DataError&) {
    return 0;
  }
  constexpr std::size_t kRecordBytes = 1 + 3 * 32 * 32;
  fuzz::require(
      dataset.images.dtype() == torch::kUInt8 &&
          dataset.images.sizes() == torch::IntArrayRef({static_cast<std::int64_t>(size / kRecordBytes), 3, 32, 32}),
      "images are uint8 [records, 3, 32, 32]");
  fuzz::require(dataset.labels.dtype() == torch::kInt64 && dataset.labels.size(0) == dataset.size(),
                "labels are int64 [N]");
  fuzz::require(dataset.size() == 0 ||
                    (dataset.labels.min().item<std::int64_t>() >= 0 && dataset.labels.max().item<std::int64_t>() < 10),
                "labels are classes");
  return 0;
}
