#include "experiments/config/common_schema.h"

#include <cstdint>
#include <iterator>
#include <sstream>
#include <utility>

namespace experiments {

ConfigSection run_section(const std::string& default_dir, std::vector<spaces::ParamSpec> extra) {
  using spaces::ParamSpec;
  using I = std::int64_t;
  std::vector<ParamSpec> keys = {
      ParamSpec{"dir", default_dir, "run directory (run.h5, checkpoints/, log.txt); {time} becomes the start time"},
      ParamSpec{"seed", I{0}, "seed of every generator of the run", 0, 1e18},
      ParamSpec{"threads", I{2}, "intra-op threads", 1, 256},
      ParamSpec{"checkpoint_every", I{1}, "epochs between checkpoints", 1, 1e6},
      ParamSpec{"keep_checkpoints", I{2},
                "epoch-end checkpoints kept, newest first (0: all); the newest, which a resume reads, is never deleted",
                0, 1e6}};
  keys.insert(keys.end(), std::make_move_iterator(extra.begin()), std::make_move_iterator(extra.end()));
  return {"run", std::move(keys)};
}

std::vector<spaces::ParamSpec> data_set_keys() {
  using spaces::ParamSpec;
  using I = std::int64_t;
  return {
      ParamSpec{"dataset",
                std::string("fashion-mnist"),
                "fashion-mnist, mnist, cifar10 or csv (tabular: a header line, one row per example)",
                0,
                0,
                {"fashion-mnist", "mnist", "cifar10", "csv"}},
      ParamSpec{"path", std::string(""), "directory of the data files (csv: the file); empty: Debian's fashion-mnist"},
      ParamSpec{"label", std::string("label"), "csv: the column holding the class"},
      ParamSpec{"test_fraction", 0.2, "csv: the share of rows held out as the test split", 0, 1}
          .open_below()
          .open_above(),
      ParamSpec{"split_seed", I{0}, "csv: the seed of the permutation that picks the test rows", 0, 1e18},
      ParamSpec{"ignore_columns", std::string(""),
                "csv: columns that are neither label nor feature (dates, ids), comma-separated"},
      ParamSpec{"train_limit", I{0}, "use only this many training images (0: all)", 0, 1e7},
      ParamSpec{"crop_padding", I{0}, "random-crop padding (CIFAR: 4)", 0, 64},
      ParamSpec{"horizontal_flip", false, "random horizontal flips"},
      ParamSpec{"cutout", I{0}, "cutout square side (0: off)", 0, 64}};
}

std::vector<spaces::ParamSpec> sgd_keys(double weight_decay) {
  using spaces::ParamSpec;
  return {ParamSpec{"lr_max", 0.05, "learning rate at the start (of each cosine period)", 0, 10},
          ParamSpec{"lr_min", 0.0005, "learning rate at the end (of each cosine period)", 0, 10},
          ParamSpec{"lr_t0", 10.0, "warm restarts: first period, epochs", 0, 1e6}.open_below(),
          ParamSpec{"lr_t_mul", 2.0, "warm restarts: period growth at each restart", 1, 100},
          ParamSpec{"momentum", 0.9, "SGD momentum", 0, 1}.open_above(),
          ParamSpec{"nesterov", true, "Nesterov momentum"},
          ParamSpec{"weight_decay", weight_decay, "L2 weight decay", 0, 1},
          ParamSpec{"decay_all", true,
                    "weight decay on every tensor; false: only on tensors of >= 2 dimensions, none on biases and "
                    "batch-norm parameters (SPOS)"},
          ParamSpec{"grad_clip", 5.0, "gradient-norm clip (0: off)", 0, 1e6},
          ParamSpec{"label_smoothing", 0.0, "label smoothing", 0, 1}.open_above()};
}

childnets::SgdOptions sgd_options_of(const spaces::Params& section) {
  return childnets::SgdOptions()
      .lr(section.get_double("lr_max"))
      .momentum(section.get_double("momentum"))
      .nesterov(section.get_bool("nesterov"))
      .weight_decay(section.get_double("weight_decay"))
      .decay_all(section.get_bool("decay_all"));
}

childnets::StepOptions step_options_of(const spaces::Params& section) {
  return childnets::StepOptions()
      .grad_clip(section.get_double("grad_clip"))
      .label_smoothing(section.get_double("label_smoothing"));
}

DataSource data_source_of(const spaces::Params& data) {
  DataSource source;
  source.name = data.get_string("dataset");
  source.path = data.get_string("path");
  source.csv.label = data.get_string("label");
  source.csv.test_fraction = data.get_double("test_fraction");
  source.csv.split_seed = static_cast<std::uint64_t>(data.get_int("split_seed"));
  std::stringstream ignore(data.get_string("ignore_columns"));
  for (std::string name; std::getline(ignore, name, ',');) {
    const auto first = name.find_first_not_of(' '), last = name.find_last_not_of(' ');
    if (first != std::string::npos) source.csv.ignore.push_back(name.substr(first, last - first + 1));
  }
  return source;
}

}  // namespace experiments
