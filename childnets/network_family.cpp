#include "childnets/network_family.h"

#include <stdexcept>

#include "childnets/cell_network.h"
#include "childnets/genet_network.h"
#include "childnets/macro_network.h"
#include "spaces/cell_space.h"
#include "spaces/enas_macro_space.h"
#include "spaces/genet_space.h"

namespace childnets {

std::unique_ptr<NetworkFamily> make_network_family(const spaces::SpacePtr& space, const NetworkOptions& options) {
  if (dynamic_cast<const spaces::CellSpace*>(space.get()) != nullptr)
    return std::make_unique<CellNetwork>(space, options);
  if (dynamic_cast<const spaces::EnasMacroSpace*>(space.get()) != nullptr) {
    return std::make_unique<MacroNetwork>(space, options);
  }
  if (dynamic_cast<const spaces::GenetSpace*>(space.get()) != nullptr)
    return std::make_unique<GenetNetwork>(space, options);
  throw std::invalid_argument("no child network builds space '" + space->name() + "'");
}

torch::Tensor sum_all(const std::vector<torch::Tensor>& terms) {
  if (terms.empty()) throw std::logic_error("sum of no tensors");
  torch::Tensor sum = terms[0];
  for (std::size_t i = 1; i < terms.size(); ++i) sum = sum + terms[i];
  return sum;
}

}  // namespace childnets
