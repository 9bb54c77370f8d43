#include "experiments/data/dataset.h"

namespace experiments {

Dataset Dataset::subset(const torch::Tensor& indices, const std::string& subset_name) const {
  return Dataset{subset_name, images.index_select(0, indices), labels.index_select(0, indices), num_classes};
}

}  // namespace experiments
