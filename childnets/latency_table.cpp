#include "childnets/latency_table.h"

#include "spaces/infra/atomic_file.h"

#include <torch/torch.h>
#include <torch/version.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <sstream>
#include <stdexcept>

#include "childnets/child_network.h"
#include "childnets/default_generator_guard.h"
#include "childnets/network_family.h"
#include "spaces/arch.h"

namespace childnets {
namespace {

// The median milliseconds of `pass`, after `warmup` unmeasured passes.
double median_ms(const std::function<void()>& pass, const TimingOptions& timing) {
  for (std::int64_t i = 0; i < timing.warmup; ++i) pass();
  std::vector<double> times;
  for (std::int64_t i = 0; i < std::max<std::int64_t>(1, timing.runs); ++i) {
    const auto start = std::chrono::steady_clock::now();
    pass();
    times.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count());
  }
  std::nth_element(times.begin(), times.begin() + long(times.size() / 2), times.end());
  return times[times.size() / 2];
}

std::string network_text(const NetworkOptions& o) {
  return "input_channels=" + std::to_string(o.input_channels()) + " image_size=" + std::to_string(o.image_size()) +
         " classes=" + std::to_string(o.num_classes()) + " channels=" + std::to_string(o.channels()) +
         " cells_per_stage=" + std::to_string(o.cells_per_stage()) +
         " stem_multiplier=" + std::to_string(o.stem_multiplier());
}

}  // namespace

NetworkOptions network_options_of(const LatencyTableKey& key) {
  NetworkOptions options;
  std::map<std::string, std::int64_t> fields;
  std::istringstream words(key.network);
  for (std::string word; words >> word;) {
    const auto equals = word.find('=');
    std::size_t used = 0;
    std::int64_t value = 0;
    try {
      value = std::stoll(word.substr(equals == std::string::npos ? word.size() : equals + 1), &used);
    } catch (const std::exception&) {
      used = 0;
    }
    if (equals == std::string::npos || used == 0 || equals + 1 + used != word.size() || value < 1) {
      throw std::invalid_argument("latency table: unreadable network field '" + word + "'");
    }
    fields[word.substr(0, equals)] = value;
  }
  for (const char* name :
       {"input_channels", "image_size", "classes", "channels", "cells_per_stage", "stem_multiplier"}) {
    if (!fields.count(name)) throw std::invalid_argument(std::string("latency table: the network lacks ") + name);
  }
  return options.input_channels(fields["input_channels"])
      .image_size(fields["image_size"])
      .num_classes(fields["classes"])
      .channels(fields["channels"])
      .cells_per_stage(fields["cells_per_stage"])
      .stem_multiplier(fields["stem_multiplier"]);
}

namespace {

std::string key_text(const std::vector<std::int64_t>& key) {
  std::string text;
  for (std::int64_t k : key) text += (text.empty() ? "" : ",") + std::to_string(k);
  return text;
}

const char* kHeader = "nas-cpp latency table 1";

}  // namespace

double time_network(const spaces::SpacePtr& space, const NetworkOptions& options, const spaces::Arch& arch,
                    std::int64_t batch, const TimingOptions& timing) {
  const DefaultGeneratorGuard keep;
  auto network = ChildNetworkImpl::standalone(space, options, arch);
  network->eval();
  torch::InferenceMode inference;
  const torch::Tensor x = torch::randn({batch, options.input_channels(), options.image_size(), options.image_size()});
  return median_ms([&] { network->forward(x); }, timing);
}

std::string LatencyTableKey::mismatch(const LatencyTableKey& o) const {
  const auto differs = [](const std::string& field, const std::string& table, const std::string& here) {
    return field + ": " + table + " in the table, " + here + " here";
  };
  if (space != o.space) return differs("space", space, o.space);
  if (network != o.network) return differs("network", network, o.network);
  if (threads != o.threads) return differs("threads", std::to_string(threads), std::to_string(o.threads));
  if (torch_build != o.torch_build) return differs("libtorch build", torch_build, o.torch_build);
  if (batch != o.batch) return differs("batch", std::to_string(batch), std::to_string(o.batch));
  if (warmup != o.warmup) return differs("warm-up passes", std::to_string(warmup), std::to_string(o.warmup));
  if (runs != o.runs) return differs("timed passes", std::to_string(runs), std::to_string(o.runs));
  return "";
}

LatencyTableKey current_latency_key(const spaces::SpacePtr& space, const NetworkOptions& options,
                                    const TimingOptions& timing) {
  std::ostringstream build;
  build << TORCH_VERSION << " #" << std::hex << std::hash<std::string>{}(at::show_config());
  return {space->spec(), network_text(options), static_cast<std::int64_t>(torch::get_num_threads()),
          build.str(),   timing.batch,          timing.warmup,
          timing.runs};
}

LatencyTable LatencyTable::measure(const spaces::SpacePtr& space, const NetworkOptions& options,
                                   const TimingOptions& timing) {
  const std::unique_ptr<NetworkFamily> family = make_network_family(space, options);
  const LayerwiseFamily* layers = family->layerwise();
  if (layers == nullptr) {
    throw std::invalid_argument(
        "latency table: the networks of space " + space->spec() +
        " are not a chain of searched layers (a lookup table needs one; FBNet's and SPOS's are)");
  }
  if (timing.batch < 1 || timing.runs < 1 || timing.warmup < 0) {
    throw std::invalid_argument("latency table: batch and runs must be at least 1, warm-up at least 0");
  }
  const DefaultGeneratorGuard keep;
  ParameterStore store = make_shared_store(space, options);
  store->eval();
  torch::InferenceMode inference;
  LatencyTable table;
  table.key_ = current_latency_key(space, options, timing);
  table.entries_.resize(static_cast<std::size_t>(layers->num_searched_layers()));
  for (const bool at_batch : {false, true}) {
    const std::int64_t batch = at_batch ? timing.batch : 1;
    const torch::Tensor x = torch::randn({batch, options.input_channels(), options.image_size(), options.image_size()});
    double fixed = median_ms([&] { layers->stem(*store, x); }, timing);
    torch::Tensor current = layers->stem(*store, x);
    for (int l = 0; l < layers->num_searched_layers(); ++l) {
      const auto candidates = layers->layer_candidates(l);
      for (const auto& candidate : candidates) {
        const double ms = median_ms([&] { layers->layer(*store, l, candidate, current); }, timing);
        Times& times = table.entries_[static_cast<std::size_t>(l)][candidate];
        (at_batch ? times.batch_n : times.batch1) = ms;
      }
      current = layers->layer(*store, l, candidates.front(), current);  // every candidate's output has one shape
    }
    fixed += median_ms([&] { layers->head(*store, current); }, timing);
    (at_batch ? table.fixed_.batch_n : table.fixed_.batch1) = fixed;
  }
  return table;
}

double LatencyTable::predict_ms(const spaces::SpacePtr& space, const NetworkOptions& options, const spaces::Arch& arch,
                                bool at_batch) const {
  const std::unique_ptr<NetworkFamily> family = make_network_family(space, options);
  const LayerwiseFamily* layers = family->layerwise();
  if (layers == nullptr || space->spec() != key_.space) {
    throw std::invalid_argument("latency table of " + key_.space + ": no prediction for space " + space->spec());
  }
  if (static_cast<std::size_t>(layers->num_searched_layers()) != entries_.size()) {
    throw std::invalid_argument("latency table: " + std::to_string(entries_.size()) + " layers, the network has " +
                                std::to_string(layers->num_searched_layers()));
  }
  const spaces::ArchGraph graph = space->decode(arch);
  double ms = at_batch ? fixed_.batch_n : fixed_.batch1;
  for (int l = 0; l < layers->num_searched_layers(); ++l) {
    const std::vector<std::int64_t> chosen = layers->chosen_candidate(graph, l);
    const auto it = entries_[static_cast<std::size_t>(l)].find(chosen);
    if (it == entries_[static_cast<std::size_t>(l)].end()) {
      throw std::invalid_argument("latency table: no entry for candidate " + key_text(chosen) + " of layer " +
                                  std::to_string(l));
    }
    ms += at_batch ? it->second.batch_n : it->second.batch1;
  }
  return ms;
}

std::vector<std::map<std::vector<std::int64_t>, double>> LatencyTable::layers_ms(bool at_batch) const {
  std::vector<std::map<std::vector<std::int64_t>, double>> layers(entries_.size());
  for (std::size_t l = 0; l < entries_.size(); ++l) {
    for (const auto& [key, times] : entries_[l]) layers[l][key] = at_batch ? times.batch_n : times.batch1;
  }
  return layers;
}

void LatencyTable::write(const std::string& path) const {
  std::ostringstream out;
  out.precision(17);
  out << kHeader << "\n"
      << "space\t" << key_.space << "\n"
      << "network\t" << key_.network << "\n"
      << "threads\t" << key_.threads << "\n"
      << "torch_build\t" << key_.torch_build << "\n"
      << "batch\t" << key_.batch << "\n"
      << "warmup\t" << key_.warmup << "\n"
      << "runs\t" << key_.runs << "\n"
      << "# milliseconds: at batch 1, at batch " << key_.batch << "\n"
      << "fixed\t" << fixed_.batch1 << "\t" << fixed_.batch_n << "\n";
  for (std::size_t l = 0; l < entries_.size(); ++l) {
    for (const auto& [candidate, times] : entries_[l]) {
      out << "layer\t" << l << "\t" << key_text(candidate) << "\t" << times.batch1 << "\t" << times.batch_n << "\n";
    }
  }
  try {
    spaces::write_file_atomically(path, out.str());
  } catch (const std::runtime_error& e) {
    throw std::runtime_error(std::string(e.what()) + " (the latency table)");
  }
}

LatencyTable LatencyTable::read(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error(path + ": cannot read the latency table");
  LatencyTable table;
  std::string line;
  std::int64_t number = 0;
  const auto fail = [&](const std::string& why) {
    throw std::runtime_error(path + ":" + std::to_string(number) + ": " + why +
                             " (not a latency table this program wrote)");
  };
  std::map<std::string, std::string> fields;
  bool fixed = false;
  while (std::getline(in, line)) {
    ++number;
    if (number == 1) {
      if (line != kHeader) fail("first line is not '" + std::string(kHeader) + "'");
      continue;
    }
    if (line.empty() || line[0] == '#') continue;
    std::vector<std::string> parts;
    std::istringstream words(line);
    for (std::string part; std::getline(words, part, '\t');) parts.push_back(part);
    try {
      if (parts[0] == "fixed" && parts.size() == 3) {
        table.fixed_ = {std::stod(parts[1]), std::stod(parts[2])};
        fixed = true;
      } else if (parts[0] == "layer" && parts.size() == 5) {
        const auto l = static_cast<std::size_t>(std::stoul(parts[1]));
        if (l > 100000) fail("layer index " + parts[1]);
        if (table.entries_.size() <= l) table.entries_.resize(l + 1);
        std::vector<std::int64_t> key;
        std::istringstream items(parts[2]);
        for (std::string item; std::getline(items, item, ',');) key.push_back(std::stoll(item));
        table.entries_[l][key] = {std::stod(parts[3]), std::stod(parts[4])};
      } else if (parts.size() == 2) {
        fields[parts[0]] = parts[1];
      } else {
        fail("unreadable line '" + line + "'");
      }
    } catch (const std::logic_error&) {
      fail("unreadable number in '" + line + "'");
    }
  }
  if (number == 0) fail("empty file");
  for (const char* field : {"space", "network", "threads", "torch_build", "batch", "warmup", "runs"}) {
    if (!fields.count(field)) fail(std::string("no '") + field + "' line");
  }
  if (!fixed || table.entries_.empty()) fail("no 'fixed' or 'layer' lines");
  try {
    table.key_ = {fields["space"],           fields["network"],           std::stoll(fields["threads"]),
                  fields["torch_build"],     std::stoll(fields["batch"]), std::stoll(fields["warmup"]),
                  std::stoll(fields["runs"])};
  } catch (const std::logic_error&) {
    fail("unreadable threads, batch, warm-up or runs");
  }
  for (std::size_t l = 0; l < table.entries_.size(); ++l) {
    if (table.entries_[l].empty()) fail("no entries for layer " + std::to_string(l));
  }
  return table;
}

}  // namespace childnets
