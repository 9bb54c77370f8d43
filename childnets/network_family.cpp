#include "childnets/network_family.h"

#include <stdexcept>

#include "childnets/cell_network.h"
#include "childnets/fbnet_network.h"
#include "childnets/genet_network.h"
#include "childnets/hypernets_enas_network.h"
#include "childnets/macro_network.h"
#include "childnets/sequential_network.h"
#include "childnets/spos_network.h"
#include "spaces/cell_space.h"
#include "spaces/enas_macro_space.h"
#include "spaces/fbnet_space.h"
#include "spaces/genet_space.h"
#include "spaces/hyper_space.h"
#include "spaces/hypernets_enas_space.h"
#include "spaces/spos_space.h"

namespace childnets {

std::unique_ptr<NetworkFamily> make_network_family(const spaces::SpacePtr& space, const NetworkOptions& options) {
  // The fixed-arc form is ENAS's and NAO-WS's final network: the cell and
  // macro networks check it against their space, the others have none.
  const auto refuse_fixed_arc = [&] {
    if (options.fixed_arc_form()) {
      throw std::invalid_argument("the fixed-arc form is ENAS's and NAO-WS's final network; space " + space->spec() +
                                  " has no such form");
    }
  };
  // Before the cell spaces: Hypernets' ENAS micro is one, with a network of its own.
  if (dynamic_cast<const spaces::HypernetsEnasSpace*>(space.get()) != nullptr) {
    refuse_fixed_arc();
    return std::make_unique<HypernetsEnasNetwork>(space, options);
  }
  if (dynamic_cast<const spaces::CellSpace*>(space.get()) != nullptr)
    return std::make_unique<CellNetwork>(space, options);
  if (dynamic_cast<const spaces::EnasMacroSpace*>(space.get()) != nullptr) {
    return std::make_unique<MacroNetwork>(space, options);
  }
  refuse_fixed_arc();
  if (dynamic_cast<const spaces::GenetSpace*>(space.get()) != nullptr)
    return std::make_unique<GenetNetwork>(space, options);
  if (dynamic_cast<const spaces::SposSpace*>(space.get()) != nullptr)
    return std::make_unique<SposNetwork>(space, options);
  if (dynamic_cast<const spaces::FbnetSpace*>(space.get()) != nullptr)
    return std::make_unique<FbnetNetwork>(space, options);
  if (dynamic_cast<const spaces::HyperSpace*>(space.get()) != nullptr)
    return std::make_unique<SequentialNetwork>(space, options);
  throw std::invalid_argument("no child network builds space '" + space->name() + "'");
}

bool has_shared_store(const spaces::SearchSpace& space) {
  return dynamic_cast<const spaces::HyperSpace*>(&space) == nullptr &&
         dynamic_cast<const spaces::HypernetsEnasSpace*>(&space) == nullptr;
}

ChildOutput NetworkFamily::forward_mixed(ParameterStoreImpl&, const torch::Tensor&,
                                         const std::vector<torch::Tensor>&) const {
  throw std::logic_error("this network family has no relaxed (mixed) graph; see childnets/supernet.h");
}

WeightFreeOps::WeightFreeOps(const std::vector<std::string>& ops, const std::vector<std::int64_t>& strides) {
  for (const auto& op : ops) {
    for (std::int64_t stride : strides) {
      // Weight-free ops do not depend on the channel count.
      if (!op_has_weights(op, stride)) ops_[{op, stride}] = make_cell_op(op, /*channels=*/1, stride);
    }
  }
}

CellOpImpl& WeightFreeOps::at(const std::string& op, std::int64_t stride) const {
  const auto it = ops_.find({op, stride});
  if (it == ops_.end()) throw std::out_of_range("no weight-free op '" + op + "' at stride " + std::to_string(stride));
  return *it->second;
}

torch::Tensor sum_all(const std::vector<torch::Tensor>& terms) {
  if (terms.empty()) throw std::logic_error("sum of no tensors");
  torch::Tensor sum = terms[0];
  for (std::size_t i = 1; i < terms.size(); ++i) sum = sum + terms[i];
  return sum;
}

}  // namespace childnets
