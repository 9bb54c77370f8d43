#include "childnets/parameter_store.h"

#include <stdexcept>

namespace childnets {
namespace {

// Module names may not contain '.', which separates submodules in paths.
std::string module_name(const std::string& key) {
  std::string name = key;
  for (char& c : name) c = c == '.' ? '-' : c;
  return name;
}

}  // namespace

void ParameterStoreImpl::add(const std::string& key, std::shared_ptr<torch::nn::Module> module) {
  if (!modules_.emplace(key, module).second) throw std::logic_error("parameter store: key '" + key + "' added twice");
  register_module(module_name(key), module);
}

torch::nn::Module& ParameterStoreImpl::lookup(const std::string& key) const {
  auto it = modules_.find(key);
  if (it == modules_.end()) {
    throw std::out_of_range("parameter store has no module '" + key +
                            "' (an architecture outside the space or network shape it was built for?)");
  }
  return *it->second;
}

std::vector<std::string> ParameterStoreImpl::keys() const {
  std::vector<std::string> result;
  for (const auto& [key, module] : modules_) result.push_back(key);
  return result;
}

std::int64_t ParameterStoreImpl::num_parameters() const {
  std::int64_t count = 0;
  for (const auto& p : parameters()) count += p.numel();
  return count;
}

std::int64_t ParameterStoreImpl::bytes() const {
  std::int64_t total = 0;
  for (const auto& p : parameters()) total += p.numel() * static_cast<std::int64_t>(p.element_size());
  for (const auto& b : buffers()) total += b.numel() * static_cast<std::int64_t>(b.element_size());
  return total;
}

namespace {

// `to` = the leading block of `from` of to's shape ([:d0, :d1, ...]).
void copy_leading(torch::Tensor& to, const torch::Tensor& from, const std::string& key) {
  torch::Tensor source = from;
  if (from.dim() != to.dim()) throw std::invalid_argument("parameter store: '" + key + "' has another rank");
  for (std::int64_t d = 0; d < to.dim(); ++d) {
    if (from.size(d) < to.size(d)) {
      throw std::invalid_argument("parameter store: '" + key + "' is narrower in the store copied from");
    }
    if (from.size(d) != to.size(d)) source = source.narrow(d, 0, to.size(d));
  }
  to.copy_(source);
}

}  // namespace

void ParameterStoreImpl::copy_matching_from(const ParameterStoreImpl& other) {
  torch::NoGradGuard no_grad;
  const auto theirs_params = other.named_parameters();
  const auto theirs_buffers = other.named_buffers();
  for (auto& item : named_parameters()) {
    if (const auto* source = theirs_params.find(item.key())) copy_leading(item.value(), *source, item.key());
  }
  for (auto& item : named_buffers()) {
    if (const auto* source = theirs_buffers.find(item.key())) copy_leading(item.value(), *source, item.key());
  }
}

void zero_grad_set_to_none(torch::nn::Module& module) {
  for (auto& p : module.parameters()) p.mutable_grad() = torch::Tensor();
}

}  // namespace childnets
