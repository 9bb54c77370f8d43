#include "spaces/presets.h"

#include <cctype>

namespace spaces {

const std::vector<ArchPreset>& arch_presets() {
  static const std::vector<ArchPreset> presets = {
      {"enas_micro_final",
       "enas_micro(nodes=5)",
       "0 2 0 0 0 4 0 1 0 4 1 1 1 0 0 1 0 2 1 1 1 0 1 0 0 3 0 2 1 1 3 1 1 0 0 4 0 3 1 1",
       "Pham et al. 2018, ENAS micro final CIFAR-10 cells (public code's fixed_arc)",
       {},
       "",
       true},
      {"enas_macro_final",
       "enas_macro(layers=24)",
       "0 3 0 0 1 0 2 0 0 1 2 0 0 0 0 3 1 1 0 1 0 2 0 0 0 0 0 1 2 0 1 1 0 1 1 1 1 0 1 1 1 0 1 0 1 0 0 0 0 0 0 0 0 0 0 "
       "2 0 0 0 0 0 1 0 0 0 0 0 1 0 0 1 1 0 0 0 0 1 1 2 0 1 0 0 0 0 0 1 0 1 1 0 1 0 0 1 0 0 0 1 1 1 0 1 0 1 0 1 1 0 1 "
       "0 1 0 0 0 0 0 1 0 0 2 0 0 1 0 0 0 0 0 0 0 1 0 1 0 1 2 0 1 0 0 0 1 0 0 1 1 1 1 0 0 1 0 2 0 0 0 0 1 0 1 0 1 0 0 "
       "1 0 1 0 0 1 3 0 1 1 0 1 0 0 0 0 0 1 0 1 0 1 0 0 0 3 0 1 1 0 0 0 0 0 0 0 0 0 1 1 0 0 0 0 1 0 1 0 0 1 0 1 1 0 0 "
       "0 1 0 0 0 0 0 1 1 0 0 3 0 1 0 1 1 0 0 1 0 1 1 0 1 1 0 1 0 0 1 0 0 0 1 0 1 0 1 0 0 0 0 0 0 0 0 1 0 1 0 0 1 0 0 "
       "0 0 1 1 0 0 0 1 1 1 0 1 0 0 0 1 0 1 0 0 1 1 0 0 0",
       "Pham et al. 2018, ENAS macro final CIFAR-10 network, 24 layers (op id, then the skip bits of each layer)",
       {},
       "",
       true},
      {"nao_ws_final",
       "nao(nodes=5,ops=enas)",
       "0 1 0 4 2 2 1 3 1 0 2 0 2 3 1 3 1 2 0 4 1 1 0 3 2 3 2 3 1 0 0 1 0 4 2 4 2 3 2 3",
       "Luo et al. 2018, NAO-WS final CIFAR-10 cells in the ENAS encoding",
       {},
       "",
       true},
      {"naonet",
       "nao(nodes=5,ops=nao16)",
       "{\"conv_dag\": {\"node_1\": [\"node_1\", null, null, null, null], \"node_2\": [\"node_2\", null, null, null, "
       "null], \"node_3\": [\"node_3\", \"node_1\", \"node_2\", \"conv 3x3\", \"avg_pool 5x5\"], \"node_4\": "
       "[\"node_4\", "
       "\"node_3\", \"node_2\", \"conv 1x3+3x1\", \"conv 3x3\"], \"node_5\": [\"node_5\", \"node_1\", \"node_2\", "
       "\"conv "
       "1x1\", \"conv 3x3\"], \"node_6\": [\"node_6\", \"node_1\", \"node_5\", \"conv 1x3+3x1\", \"conv 3x3\"], "
       "\"node_7\": [\"node_7\", \"node_2\", \"node_1\", \"identity\", \"conv 3x3\"]}, \"reduc_dag\": {\"node_1\": "
       "[\"node_1\", null, null, null, null], \"node_2\": [\"node_2\", null, null, null, null], \"node_3\": "
       "[\"node_3\", "
       "\"node_1\", \"node_2\", \"conv 3x3\", \"avg_pool 2x2\"], \"node_4\": [\"node_4\", \"node_1\", \"node_1\", "
       "\"conv "
       "1x1\", \"avg_pool 3x3\"], \"node_5\": [\"node_5\", \"node_2\", \"node_1\", \"conv 1x7+7x1\", \"max_pool "
       "2x2\"], "
       "\"node_6\": [\"node_6\", \"node_1\", \"node_3\", \"avg_pool 3x3\", \"conv 1x1\"], \"node_7\": [\"node_7\", "
       "\"node_2\", \"node_1\", \"max_pool 3x3\", \"conv 3x3\"]}}",
       "Luo et al. 2018, NAONet CIFAR-10 cells (NAO_V1), as NAO/cnn/dag.NAONet.json publishes them",
       {"NAONet"},
       "dag_json"},
      {"darts_v1", "darts(nodes=4)",
       "Genotype(normal=[('sep_conv_3x3', 1), ('sep_conv_3x3', 0), ('skip_connect', 0), ('sep_conv_3x3', 1), "
       "('skip_connect', 0), ('sep_conv_3x3', 1), ('sep_conv_3x3', 0), ('skip_connect', 2)], normal_concat=[2, 3, 4, "
       "5], reduce=[('max_pool_3x3', 0), ('max_pool_3x3', 1), ('skip_connect', 2), ('max_pool_3x3', 0), "
       "('max_pool_3x3', 0), ('skip_connect', 2), ('skip_connect', 2), ('avg_pool_3x3', 0)], reduce_concat=[2, 3, 4, "
       "5])",
       "Liu et al. 2019, DARTS (first order), genotypes.py DARTS_V1"},
      {"darts_v2",
       "darts(nodes=4)",
       "Genotype(normal=[('sep_conv_3x3', 0), ('sep_conv_3x3', 1), ('sep_conv_3x3', 0), ('sep_conv_3x3', 1), "
       "('sep_conv_3x3', 1), ('skip_connect', 0), ('skip_connect', 0), ('dil_conv_3x3', 2)], normal_concat=[2, 3, 4, "
       "5], reduce=[('max_pool_3x3', 0), ('max_pool_3x3', 1), ('skip_connect', 2), ('max_pool_3x3', 1), "
       "('max_pool_3x3', 0), ('skip_connect', 2), ('skip_connect', 2), ('max_pool_3x3', 1)], reduce_concat=[2, 3, 4, "
       "5])",
       "Liu et al. 2019, DARTS (second order), genotypes.py DARTS_V2 (= DARTS)",
       {"DARTS"}},
  };
  return presets;
}

namespace {

std::string folded(const std::string& name) {
  std::string result;
  for (const char c : name) result += c == '-' ? '_' : static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return result;
}

}  // namespace

const ArchPreset* find_arch_preset(const std::string& name) {
  const std::string wanted = folded(name);
  for (const ArchPreset& preset : arch_presets()) {
    if (folded(preset.name) == wanted) return &preset;
    for (const std::string& alias : preset.aliases) {
      if (alias == name) return &preset;  // as its code spells it ("DARTS", not the space "darts")
    }
  }
  return nullptr;
}

std::string preset_space_name(const ArchPreset& preset) { return preset.space.substr(0, preset.space.find('(')); }

}  // namespace spaces
