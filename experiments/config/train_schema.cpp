#include "experiments/config/train_schema.h"

#include <cstdint>

#include "experiments/config/common_schema.h"

namespace experiments {

const ConfigSchema& train_schema() {
  using spaces::ParamSpec;
  using I = std::int64_t;
  static const ConfigSchema schema = {
      run_section("runs/train-{time}"),
      {"data",
       [] {
         std::vector<ParamSpec> keys = data_set_keys();
         keys.push_back(ParamSpec{"test_limit", I{0}, "evaluate on only this many test images (0: all)", 0, 1e7});
         return keys;
       }()},
      {"arch",
       {ParamSpec{"space", std::string(""), "registry spec of the architecture's space (empty: the preset's)"},
        ParamSpec{"arch", std::string(""), "architecture text in any format of the space, or a preset name"}}},
      {"network",
       {ParamSpec{"channels", I{16}, "channels of the first stage (ENAS out_filters, DARTS C)", 1, 4096},
        ParamSpec{"cells_per_stage", I{1}, "normal cells per stage (cell spaces)", 0, 64},
        ParamSpec{"stem_multiplier", I{3}, "stem width in units of channels (cell spaces)", 1, 16},
        ParamSpec{
            "form",
            std::string("auto"),
            "fixed_arc: enas_micro, nao and enas_macro networks as ENAS's and NAO-WS's final-training code builds "
            "a fixed arc (cells: loose ends concatenated, a ReLU-1x1-BN on input 1, the auxiliary head after "
            "the first normal cell past the second reduction; macro: 1x1 then full kxk convs, skips "
            "concatenated and projected; no classifier bias); search: as their search code and the shared "
            "store build it; auto: fixed_arc for the presets their authors trained so (enas_micro_final, "
            "enas_macro_final, nao_ws_final), search otherwise",
            0,
            0,
            {"auto", "fixed_arc", "search"}},
        ParamSpec{"auxiliary", false, "auxiliary head after the second reduction (2/3 depth)"},
        ParamSpec{"aux_weight", 0.4, "weight of the auxiliary head's loss", 0, 10},
        ParamSpec{"dropout", 0.0, "dropout before the classifier (ENAS: 1 - keep_prob)", 0, 1}.open_above()}},
      {"train",
       [] {
         std::vector<ParamSpec> keys = {
             ParamSpec{"epochs", I{6}, "training epochs", 1, 1e6},
             ParamSpec{"batch_size", I{128}, "training batch", 1, 100000},
             ParamSpec{"eval_batch_size", I{500}, "test evaluation batch", 1, 100000},
             ParamSpec{"test_every", I{1},
                       "epochs between test-set evaluations; the last epoch is always tested (0: the last only)", 0,
                       1e6},
             ParamSpec{"steps_per_epoch", I{0}, "steps per epoch (0: one pass over the training set)", 0, 1e9},
             ParamSpec{"lr_schedule",
                       std::string("cosine"),
                       "cosine (DARTS) or cosine_restarts (ENAS's SGDR)",
                       0,
                       0,
                       {"cosine", "cosine_restarts"}},
             ParamSpec{"drop_path", 0.0, "drop-path probability reached at the last epoch (linear from 0)", 0, 1}
                 .open_above()};
         for (ParamSpec& key : sgd_keys(3e-4)) keys.push_back(std::move(key));
         return keys;
       }()},
  };
  return schema;
}

}  // namespace experiments
