#include "experiments/arch_tool.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "childnets/latency_table.h"
#include "spaces/presets.h"
#include "spaces/registry.h"
#include "tests/experiments/data/data_files.h"

namespace experiments {
namespace {

struct ToolRun {
  int code;
  std::string out, err;
};

ToolRun run(std::vector<std::string> args) {
  args.insert(args.begin(), "nas_arch");
  std::ostringstream out, err;
  const int code = run_arch_tool(args, out, err);
  return {code, out.str(), err.str()};
}

TEST(ArchTool, SizePrintsPerCellAndTotalExactly) {
  const ToolRun r = run({"size", "enas_micro"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("normal cell: 5062500000000"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("total: 25628906250000000000000000"), std::string::npos) << r.out;
  const ToolRun macro = run({"size", "enas_macro", "--layers", "3"});
  EXPECT_NE(macro.out.find("total: 1728"), std::string::npos) << macro.out;  // 6^3 * 2^3
}

TEST(ArchTool, SizeRefusesAnOptionTheSpaceDoesNotHave) {
  const ToolRun r = run({"size", "enas_micro", "--layers", "3"});
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("has no option 'layers'"), std::string::npos) << r.err;
}

TEST(ArchTool, CheckAcceptsValidAndReportsPositionAndRangeOfInvalid) {
  EXPECT_EQ(run({"check", "enas_macro", "--layers", "2", "0 1 1"}).code, 0);
  const ToolRun bad = run({"check", "enas_macro", "--layers", "2", "0 9 1"});
  EXPECT_EQ(bad.code, 2);
  EXPECT_NE(bad.err.find("token 1"), std::string::npos) << bad.err;
  EXPECT_NE(bad.err.find("legal range [0, 5]"), std::string::npos) << bad.err;
  EXPECT_EQ(run({"check", "enas_macro", "--layers", "2", "0 1"}).code, 2);
  EXPECT_EQ(run({"check", "enas_macro", "--layers", "2", "zero one one"}).code, 2);
  EXPECT_EQ(run({"check", "no_such_space", "0"}).code, 2);
}

TEST(ArchTool, ShowPrintsTheDecodedCells) {
  const ToolRun r = run({"show", "pnas(blocks=1)", "0 1 0 7"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("node 2 = sep_conv_3x3(in0) + in1"), std::string::npos) << r.out;
}

TEST(ArchTool, SampleIsReproducibleAndValid) {
  const ToolRun a = run({"sample", "darts", "-n", "5", "--seed", "7"});
  const ToolRun b = run({"sample", "darts", "-n", "5", "--seed", "7"});
  ASSERT_EQ(a.code, 0) << a.err;
  EXPECT_EQ(a.out, b.out);
  std::istringstream lines(a.out);
  std::string line;
  int count = 0;
  const auto space = spaces::make_space("darts");
  while (std::getline(lines, line)) {
    EXPECT_NO_THROW(space->parse(line)) << line;
    ++count;
  }
  EXPECT_EQ(count, 5);
}

TEST(ArchTool, ConvertGoesBetweenArcAndGenotype) {
  const std::string arc = "0 0 1 4 1 3 0 2";
  const ToolRun genotype = run({"convert", "enas_micro", "--nodes", "1", arc, "--to", "genotype"});
  ASSERT_EQ(genotype.code, 0) << genotype.err;
  EXPECT_EQ(genotype.out,
            "Genotype(normal=[('sep_conv_3x3', 0), ('identity', 1)], normal_concat=[2], "
            "reduce=[('max_pool_3x3', 1), ('avg_pool_3x3', 0)], reduce_concat=[2])\n");
  std::string text = genotype.out;
  text.pop_back();
  const ToolRun back = run({"convert", "enas_micro", "--nodes", "1", text, "--to", "arc"});
  EXPECT_EQ(back.out, arc + "\n");
  const ToolRun yaml = run({"convert", "enas_micro", arc, "--to", "yaml"});
  EXPECT_EQ(yaml.code, 2);
  EXPECT_NE(yaml.err.find("formats: arc, genotype"), std::string::npos) << yaml.err;
}

// A preset name goes wherever an architecture text goes, spelt as the
// README or the papers' code spells it; one of another space is refused
// naming both; `presets` lists them all.
TEST(ArchTool, EverySubcommandTakesAPresetName) {
  const ToolRun show = run({"show", "darts", "darts_v2"});
  ASSERT_EQ(show.code, 0) << show.err;
  EXPECT_NE(show.out.find("node 2 = sep_conv_3x3(in0) + sep_conv_3x3(in1)"), std::string::npos) << show.out;
  EXPECT_EQ(run({"show", "darts", "DARTS_V2"}).out, show.out);
  EXPECT_EQ(run({"show", "darts", "DARTS"}).out, show.out);  // genotypes.py: DARTS = DARTS_V2
  const ToolRun convert = run({"convert", "enas_micro", "enas_micro_final", "--to", "genotype"});
  ASSERT_EQ(convert.code, 0) << convert.err;
  EXPECT_EQ(convert.out,
            run({"convert", "enas_micro", spaces::find_arch_preset("enas_micro_final")->text, "--to", "genotype"}).out);
  EXPECT_EQ(convert.out.find("Genotype(normal=[('avg_pool_3x3', 0), ('sep_conv_3x3', 0)"), 0u) << convert.out;
  EXPECT_EQ(run({"check", "nao(nodes=5,ops=enas)", "nao_ws_final"}).code, 0);
  const ToolRun wrong = run({"check", "darts", "enas_micro_final"});
  EXPECT_EQ(wrong.code, 2);
  EXPECT_NE(wrong.err.find("is the preset enas_micro_final, an architecture of enas_micro(nodes=5), not of darts"),
            std::string::npos)
      << wrong.err;
  const ToolRun list = run({"presets"});
  ASSERT_EQ(list.code, 0) << list.err;
  for (const char* name : {"enas_micro_final", "enas_macro_final", "nao_ws_final", "darts_v1", "darts_v2, DARTS"}) {
    EXPECT_NE(list.out.find(name), std::string::npos) << list.out;
  }
}

TEST(ArchTool, DotWritesAGraphvizFile) {
  const auto path = std::filesystem::temp_directory_path() / "nas_arch_test_cell.dot";
  std::filesystem::remove(path);
  const ToolRun r = run({"dot", "genet(stages=[3])", "1-01", "-o", path.string()});
  ASSERT_EQ(r.code, 0) << r.err;
  std::ifstream file(path);
  std::stringstream text;
  text << file.rdbuf();
  EXPECT_EQ(text.str().rfind("digraph", 0), 0u);
  EXPECT_NE(text.str().find("conv_3x3"), std::string::npos);
  std::filesystem::remove(path);
}

TEST(ArchTool, DotRefusesAnUnknownExtensionAndWritesNothing) {
  const auto path = std::filesystem::temp_directory_path() / "nas_arch_test_cell.xyz";
  const ToolRun r = run({"dot", "genet(stages=[3])", "1-01", "-o", path.string()});
  EXPECT_EQ(r.code, 2);
  EXPECT_FALSE(std::filesystem::exists(path));
}

TEST(ArchTool, ListNamesEverySpace) {
  const ToolRun r = run({"list"});
  ASSERT_EQ(r.code, 0);
  for (const auto& name : spaces::space_registry().names()) EXPECT_NE(r.out.find(name + ":"), std::string::npos);
}

TEST(ArchTool, BadFlagsExitWithTwo) {
  EXPECT_EQ(run({}).code, 2);
  std::ostringstream out, err;
  EXPECT_EQ(run_arch_tool({}, out, err), 2);                                // not even a program name
  EXPECT_EQ(run({"size", "enas_micro(nodes=3)", "--nodes", "4"}).code, 2);  // given twice
  EXPECT_EQ(run({"frobnicate"}).code, 2);
  EXPECT_EQ(run({"sample", "darts", "-n", "0"}).code, 2);
}

// `latency`: the table names its space and shape; each architecture (given
// or random) is timed end to end beside the table's prediction; an
// unreadable table or a call without architectures exits 2.
TEST(ArchTool, LatencyTimesNetworksAgainstTheTablesPrediction) {
  testing::TempDir dir;
  const std::string spec =
      "fbnet(head_channels=8,stage_channels=[4,8],stage_repeats=[1,2],stage_strides=[1,2],stem_channels=4,"
      "stem_stride=1)";
  const auto network = childnets::NetworkOptions().input_channels(1).image_size(8).num_classes(3);
  childnets::LatencyTable::measure(spaces::make_space(spec), network, {.warmup = 0, .runs = 2})
      .write(dir.file("table.tsv"));
  const ToolRun r = run({"latency", "--table", dir.file("table.tsv"), "8 1 7", "--random", "2", "--seed", "3"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("space " + spec), std::string::npos) << r.out;
  std::istringstream lines(r.out);
  std::string line;
  std::vector<std::string> rows;
  while (std::getline(lines, line)) rows.push_back(line);
  ASSERT_EQ(rows.size(), 5u) << r.out;  // the header lines, then one row per architecture
  EXPECT_EQ(rows[2].rfind("given\t", 0), 0u) << rows[2];
  EXPECT_NE(rows[2].find("\t8 1 7"), std::string::npos) << rows[2];
  EXPECT_EQ(rows[3].rfind("random\t", 0), 0u) << rows[3];
  double measured = 0, predicted = 0;
  std::istringstream fields(rows[2].substr(6));
  fields >> measured >> predicted;
  EXPECT_GT(measured, 0.0);
  EXPECT_GT(predicted, 0.0);

  EXPECT_EQ(run({"latency", "--table", dir.file("table.tsv")}).code, 2);
  std::ofstream(dir.file("broken.tsv")) << "not a table\n";
  const ToolRun broken = run({"latency", "--table", dir.file("broken.tsv"), "8 1 7"});
  EXPECT_EQ(broken.code, 2);
  EXPECT_NE(broken.err.find("broken.tsv"), std::string::npos) << broken.err;
  EXPECT_EQ(run({"latency", "--table", dir.file("nowhere.tsv"), "8 1 7"}).code, 2);
}

}  // namespace
}  // namespace experiments
