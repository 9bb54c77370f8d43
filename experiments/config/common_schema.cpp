#include "experiments/config/common_schema.h"

#include <cstdint>

namespace experiments {

ConfigSection run_section(const std::string& default_dir) {
  using spaces::ParamSpec;
  using I = std::int64_t;
  return {
      "run",
      {ParamSpec{"dir", default_dir, "run directory (run.h5, checkpoints/, log.txt); {time} becomes the start time"},
       ParamSpec{"seed", I{0}, "seed of every generator of the run", 0, 1e18},
       ParamSpec{"threads", I{2}, "intra-op threads", 1, 256},
       ParamSpec{"checkpoint_every", I{1}, "epochs between checkpoints", 1, 1e6}}};
}

std::vector<spaces::ParamSpec> data_set_keys() {
  using spaces::ParamSpec;
  using I = std::int64_t;
  return {ParamSpec{"dataset",
                    std::string("fashion-mnist"),
                    "fashion-mnist, mnist or cifar10",
                    0,
                    0,
                    {"fashion-mnist", "mnist", "cifar10"}},
          ParamSpec{"path", std::string(""), "directory of the data files; empty: Debian's fashion-mnist"},
          ParamSpec{"train_limit", I{0}, "use only this many training images (0: all)", 0, 1e7},
          ParamSpec{"crop_padding", I{0}, "random-crop padding (CIFAR: 4)", 0, 64},
          ParamSpec{"horizontal_flip", false, "random horizontal flips"},
          ParamSpec{"cutout", I{0}, "cutout square side (0: off)", 0, 64}};
}

}  // namespace experiments
