#pragma once
// Dataset: labelled images held in memory as they were read (uint8), so a
// 60,000-image set costs 47 MB, and converted to float batch by batch; or
// tabular rows (csv_reader.h) as float features [N, features, 1, 1].

#include <torch/torch.h>

#include <stdexcept>
#include <string>

namespace experiments {

struct Dataset {
  std::string name;      // "fashion-mnist train", "cifar10 test", ...
  torch::Tensor images;  // uint8 [N, C, H, W], or float [N, features, 1, 1] for tabular data
  torch::Tensor labels;  // int64 [N]
  std::int64_t num_classes = 10;

  std::int64_t size() const { return images.defined() ? images.size(0) : 0; }
  std::int64_t channels() const { return images.size(1); }
  std::int64_t image_size() const { return images.size(2); }
  // The subset at `indices` (int64 [M]), in that order.
  Dataset subset(const torch::Tensor& indices, const std::string& subset_name) const;
};

// A data file that is missing, truncated, of a foreign format or
// inconsistent; the message names the file and what is wrong.
class DataError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace experiments
