#pragma once
// DefaultGeneratorGuard: restores libtorch's default CPU generator to the
// state it had when the guard was made, when the guard goes out of scope
// (also on an exception). For work whose random draws must not change the
// run's (networks built only to be measured or timed, and thrown away).

#include <torch/torch.h>

namespace childnets {

class DefaultGeneratorGuard {
 public:
  DefaultGeneratorGuard() : generator_(at::detail::getDefaultCPUGenerator()), state_(generator_.get_state()) {}
  ~DefaultGeneratorGuard() { generator_.set_state(state_); }
  DefaultGeneratorGuard(const DefaultGeneratorGuard&) = delete;
  DefaultGeneratorGuard& operator=(const DefaultGeneratorGuard&) = delete;

 private:
  at::Generator generator_;
  torch::Tensor state_;
};

}  // namespace childnets
