#include "experiments/arch_tool.h"

#include <CLI/CLI.hpp>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <ostream>

#include "childnets/child_network.h"
#include "childnets/latency_table.h"
#include "spaces/infra/atomic_file.h"
#include "experiments/harness/external_command.h"
#include "spaces/infra/errors.h"
#include "spaces/presets.h"
#include "spaces/registry.h"

namespace experiments {
namespace {

namespace fs = std::filesystem;

// Options that select a space: SPACE (maybe with "(k=v)") plus shorthand
// flags for the common sizes and a generic --option key=value.
struct SpaceArgs {
  std::string space;
  std::map<std::string, std::string> shorthands;  // flag name -> value, when given
  std::vector<std::string> options;               // "key=value"

  void add_to(CLI::App& command) {
    command.add_option("space", space, "search space, e.g. enas_micro or 'enas_micro(nodes=4)'")->required();
    for (const char* name : {"nodes", "layers", "blocks", "stages", "ops"}) {
      command.add_option_function<std::string>(
          std::string("--") + name, [this, name](const std::string& v) { shorthands[name] = v; },
          std::string("the space's '") + name + "' option");
    }
    command.add_option("--option", options, "any space option as key=value (repeatable)");
  }

  spaces::SpacePtr make() const {
    spaces::NamedSpec spec = spaces::parse_named_spec(space);
    const auto& entry = spaces::space_registry().find(spec.name);
    auto has_option = [&](const std::string& key) {
      for (const auto& p : entry.params) {
        if (p.name == key) return true;
      }
      return false;
    };
    for (const auto& [key, value] : shorthands) {
      if (!has_option(key))
        throw spaces::OptionError("space '" + spec.name + "' has no option '" + key + "' (--" + key + ")");
      if (!spec.given.emplace(key, value).second) throw spaces::OptionError("option '" + key + "' given twice");
    }
    for (const auto& option : options) {
      const auto eq = option.find('=');
      if (eq == std::string::npos) throw spaces::OptionError("--option '" + option + "' is not key=value");
      if (!spec.given.emplace(option.substr(0, eq), option.substr(eq + 1)).second) {
        throw spaces::OptionError("option '" + option.substr(0, eq) + "' given twice");
      }
    }
    return spaces::make_space(spec.name, spec.given);
  }
};

void export_dot(const spaces::ArchGraph& graph, const fs::path& path) {
  std::ostringstream dot;
  spaces::write_dot(dot, graph);
  const std::string extension = path.extension().string();
  if (extension == ".dot" || extension == ".gv") return spaces::write_file_atomically(path, dot.str());
  if (extension != ".svg" && extension != ".png" && extension != ".pdf") {
    throw spaces::OptionError("-o " + path.string() + ": use a .dot, .gv, .svg, .png or .pdf file");
  }
  spaces::write_file_atomically(path, render_dot(dot.str(), extension.substr(1)));
}

// `nas_arch latency`: each architecture's network built at the table's
// shape, timed end to end at batch 1 with the table's warm-up and runs and
// its thread count, beside the table's prediction, parameters and MACs.
void time_against_table(const std::string& path, const std::vector<std::string>& texts, int random, std::uint64_t seed,
                        std::ostream& out) {
  childnets::LatencyTable table = [&] {
    try {
      return childnets::LatencyTable::read(path);
    } catch (const std::runtime_error& e) {
      throw spaces::OptionError(e.what());
    }
  }();
  const childnets::LatencyTableKey& key = table.key();
  if (key.threads < 1 || key.threads > 4096 || key.runs < 1 || key.warmup < 0 || key.batch < 1) {
    throw spaces::OptionError(path + ": unreadable timing settings (threads " + std::to_string(key.threads) +
                              ", runs " + std::to_string(key.runs) + ", warm-up " + std::to_string(key.warmup) +
                              ", batch " + std::to_string(key.batch) + ")");
  }
  torch::set_num_threads(static_cast<int>(key.threads));  // timed as the table was
  const spaces::SpacePtr space = spaces::make_space(key.space);
  childnets::NetworkOptions network;
  try {
    network = childnets::network_options_of(key);
  } catch (const std::invalid_argument& e) {
    throw spaces::OptionError(path + ": " + e.what());
  }
  const childnets::TimingOptions timing{.batch = key.batch, .warmup = key.warmup, .runs = key.runs};
  const std::string stale = key.mismatch(childnets::current_latency_key(space, network, timing));
  if (!stale.empty()) throw spaces::OptionError(path + " was measured for another setting: " + stale);
  std::vector<std::pair<std::string, spaces::Arch>> archs;
  for (const std::string& text : texts) archs.emplace_back("given", space->parse(text));
  spaces::Rng rng(seed);
  for (int i = 0; i < random; ++i) archs.emplace_back("random", space->random(rng));
  if (archs.empty()) throw spaces::OptionError("latency: give architectures, --random N, or both");
  out << "space " << space->spec() << ", " << key.threads << " threads, median of " << key.runs
      << " passes at batch 1\n";
  out << "source\tmeasured_ms\ttable_ms\terror_pct\tparams\tmacs\tarchitecture\n";
  for (const auto& [source, arch] : archs) {
    const double measured = childnets::time_network(space, network, arch, 1, timing);
    const double predicted = table.predict_ms(space, network, arch);
    const childnets::NetworkCost cost = childnets::measure_network(space, network, arch);
    out << source << "\t" << std::fixed << std::setprecision(3) << measured << "\t" << predicted << "\t"
        << std::setprecision(1) << 100.0 * (predicted - measured) / measured << "\t" << cost.parameters << "\t"
        << cost.macs_per_image << "\t" << space->to_string(arch) << "\n";
    out.unsetf(std::ios::floatfield);
  }
}

}  // namespace

int run_arch_tool(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  CLI::App app{"nas_arch: inspect, validate, draw, sample and convert architectures of the registered spaces"};
  app.require_subcommand(1);

  auto* list = app.add_subcommand("list", "registered spaces, their options and text formats");

  SpaceArgs size_args;
  auto* presets =
      app.add_subcommand("presets", "published architectures by name (usable wherever an architecture goes)");
  auto* size = app.add_subcommand("size", "exact number of architectures (per cell and in all)");
  size_args.add_to(*size);

  SpaceArgs arch_args;
  std::string text;
  auto* check = app.add_subcommand("check", "validate an architecture; exit 2 with the error if invalid");
  auto* show = app.add_subcommand("show", "print the decoded cells");
  std::string dot_path;
  auto* dot = app.add_subcommand("dot", "Graphviz export of the decoded cells");
  std::string to_format;
  auto* convert = app.add_subcommand("convert", "print an architecture in another text format");
  for (CLI::App* command : {check, show, dot, convert}) {
    arch_args.add_to(*command);
    command->add_option("arch", text, "architecture text: tokens, or any format the space parses")->required();
  }
  dot->add_option("-o,--output", dot_path, "output file: .dot/.gv, or .svg/.png/.pdf through Graphviz")->required();
  convert->add_option("--to", to_format, "target format (see `nas_arch list`)")->required();

  SpaceArgs sample_args;
  int count = 1;
  std::uint64_t seed = 0;
  std::string sample_format;
  auto* sample = app.add_subcommand("sample", "uniformly random architectures, one per line");
  sample_args.add_to(*sample);
  sample->add_option("-n,--count", count, "how many")->check(CLI::Range(1, 1000000));
  sample->add_option("--seed", seed, "random seed");
  sample->add_option("--format", sample_format, "text format (default: the space's canonical one)");

  std::string table_path;
  std::vector<std::string> latency_archs;
  int random_archs = 0;
  auto* latency = app.add_subcommand(
      "latency",
      "networks timed end to end on this machine against a latency table's prediction (its space and shape)");
  latency->add_option("--table", table_path, "a latency table a search measured ([search] latency_table)")->required();
  latency->add_option("arch", latency_archs, "architecture texts of the table's space");
  latency->add_option("--random", random_archs, "also this many uniformly random architectures")
      ->check(CLI::Range(0, 100000));
  latency->add_option("--seed", seed, "random seed of --random");

  std::vector<const char*> argv;
  for (const auto& arg : args) argv.push_back(arg.c_str());
  if (argv.empty()) argv.push_back("nas_arch");  // CLI11 reads argv[0]
  try {
    app.parse(static_cast<int>(argv.size()), argv.data());
  } catch (const CLI::CallForHelp& e) {
    out << app.help();
    return 0;
  } catch (const CLI::ParseError& e) {
    err << "nas_arch: " << e.what() << "\n";
    return 2;
  }

  try {
    if (list->parsed()) {
      const auto& registry = spaces::space_registry();
      for (const auto& name : registry.names()) {
        const auto& entry = registry.find(name);
        auto space = spaces::make_space(name, {});
        out << name << ": " << entry.summary << "\n";
        for (const auto& p : entry.params) {
          out << "  " << p.name << " = " << spaces::to_string(p.default_value) << "  (" << p.help << ")\n";
        }
        std::string formats;
        for (const auto& f : space->formats()) formats += (formats.empty() ? "" : ", ") + f;
        out << "  formats: " << formats << "\n";
      }
      return 0;
    }
    if (presets->parsed()) {
      for (const spaces::ArchPreset& preset : spaces::arch_presets()) {
        std::string aliases;
        for (const std::string& alias : preset.aliases) aliases += ", " + alias;
        out << preset.name << aliases << " (" << preset.space << "): " << preset.source << "\n";
      }
      return 0;
    }
    if (size->parsed()) {
      auto space = size_args.make();
      out << space->spec() << "\n";
      for (const auto& [part, n] : space->size_parts()) {
        out << "  " << part << ": " << n.to_string() << "  (10^" << std::fixed << std::setprecision(2) << n.log10()
            << ")\n";
      }
      const spaces::BigCount total = space->size();
      out << "  total: " << total.to_string() << "  (10^" << std::fixed << std::setprecision(2) << total.log10()
          << ")\n";
      return 0;
    }
    if (sample->parsed()) {
      auto space = sample_args.make();
      const std::string format = sample_format.empty() ? space->formats().front() : sample_format;
      space->check_format(format);
      spaces::Rng rng(seed);
      for (int i = 0; i < count; ++i) out << space->to_string(space->random(rng), format) << "\n";
      return 0;
    }
    if (latency->parsed()) {
      time_against_table(table_path, latency_archs, random_archs, seed, out);
      return 0;
    }
    auto space = arch_args.make();
    if (convert->parsed()) space->check_format(to_format);
    const spaces::Arch arch = space->parse(text);
    if (check->parsed()) {
      out << "valid " << space->spec() << ": " << space->to_string(arch) << "\n";
    } else if (show->parsed()) {
      out << space->spec() << ": " << space->to_string(arch) << "\n";
      spaces::describe(out, space->decode(arch));
    } else if (dot->parsed()) {
      export_dot(space->decode(arch), dot_path);
      out << "wrote " << dot_path << "\n";
    } else if (convert->parsed()) {
      out << space->to_string(arch, to_format) << "\n";
    }
    return 0;
  } catch (const spaces::ArchError& e) {
    err << "nas_arch: invalid architecture: " << e.what() << "\n";
    return 2;
  } catch (const spaces::OptionError& e) {
    err << "nas_arch: " << e.what() << "\n";
    return 2;
  } catch (const ToolError& e) {
    err << "nas_arch: " << e.what() << "\n";
    return 2;
  } catch (const std::exception& e) {
    err << "nas_arch: " << e.what() << "\n";
    return 1;
  }
}

}  // namespace experiments
