// The conformance suite: every registered space (with default options, plus
// small and non-default variants) must satisfy the SearchSpace contract.

#include <gtest/gtest.h>

#include <algorithm>
#include <set>

#include "spaces/cell_space.h"
#include "spaces/infra/errors.h"
#include "spaces/registry.h"

namespace spaces {
namespace {

std::vector<std::string> conformance_specs() {
  std::vector<std::string> specs = space_registry().names();  // defaults of every registered space
  for (const char* variant :
       {"enas_micro(nodes=2)", "enas_macro(layers=3)", "nao(ops=nao16)", "nao(ops=epd)", "darts(allow_none=true)",
        "darts(nodes=2)", "fbnet(stage_channels=[4,8],stage_repeats=[1,2],stage_strides=[1,2],stem_channels=4)",
        "genet(stages=[2,3])", "pnas(blocks=1)",
        "spos(stage_repeats=[1,2],stage_channels=[8,16],stem_channels=4,channel_search=true)"}) {
    specs.emplace_back(variant);
  }
  return specs;
}

std::string test_name(const ::testing::TestParamInfo<std::string>& info) {
  std::string name;
  for (char c : info.param) name += std::isalnum(static_cast<unsigned char>(c)) ? c : '_';
  return name;
}

class SpaceConformance : public ::testing::TestWithParam<std::string> {
 protected:
  SpacePtr space = make_space(GetParam());
  Rng rng{1234};
  static constexpr int kSamples = 200;
};

TEST_P(SpaceConformance, RandomSamplesAreValidAndDecode) {
  for (int i = 0; i < kSamples; ++i) {
    const Arch arch = space->random(rng);
    ASSERT_EQ(arch.tokens.size(), space->num_tokens());
    ASSERT_NO_THROW(space->validate(arch)) << join_tokens(arch.tokens);
    const ArchGraph graph = space->decode(arch);
    EXPECT_FALSE(graph.cells.empty());
    for (const CellGraph& cell : graph.cells) {
      for (auto [it, end] = boost::edges(cell); it != end; ++it) {
        EXPECT_LT(boost::source(*it, cell), boost::target(*it, cell)) << "vertices must be in topological order";
      }
      EXPECT_EQ(cell[output_vertex(cell)].kind, NodeKind::kOutput);
    }
  }
}

TEST_P(SpaceConformance, RandomSamplingReachesEveryValueOfEveryDecision) {
  std::vector<std::set<std::int64_t>> seen(space->num_tokens());
  for (int i = 0; i < 2000; ++i) {
    const Arch arch = space->random(rng);
    for (std::size_t p = 0; p < arch.tokens.size(); ++p) seen[p].insert(arch.tokens[p]);
  }
  for (std::size_t p = 0; p < seen.size(); ++p) {
    EXPECT_EQ(static_cast<std::int64_t>(seen[p].size()), space->decisions()[p].num_choices) << "position " << p;
  }
}

TEST_P(SpaceConformance, DecodeThenEncodeGivesTheSameTokens) {
  for (int i = 0; i < kSamples; ++i) {
    const Arch arch = space->random(rng);
    EXPECT_EQ(space->encode(space->decode(arch)), arch) << join_tokens(arch.tokens);
  }
}

// Whether two of the space's tokens name one op (NAO_V1's 16-op list names
// identity and the 3x3 pools twice): a form that spells ops by what they
// compute (NAO's epd, dag json) then reads both back as the first.
bool names_an_op_twice(const SearchSpace& space) {
  const auto* cells = dynamic_cast<const CellSpace*>(&space);
  if (cells == nullptr) return false;
  std::vector<std::string> functions = cells->layout().op_functions;
  std::sort(functions.begin(), functions.end());
  return std::adjacent_find(functions.begin(), functions.end()) != functions.end();
}

// Token-exact, except that a space naming one op twice may read a form back
// as another token of the same op: the same function, printed the same.
TEST_P(SpaceConformance, EveryTextFormatRoundTrips) {
  ASSERT_FALSE(space->formats().empty());
  const bool may_merge_repeated_ops = names_an_op_twice(*space);
  for (int i = 0; i < kSamples; ++i) {
    const Arch arch = space->random(rng);
    for (const std::string& format : space->formats()) {
      const std::string text = space->to_string(arch, format);
      const Arch back = space->parse(text);
      if (may_merge_repeated_ops && back != arch) {
        EXPECT_EQ(space->canonical_hash(back), space->canonical_hash(arch)) << format << ": " << text;
        EXPECT_EQ(space->to_string(back, format), text);
      } else {
        EXPECT_EQ(back, arch) << format << ": " << text;
      }
    }
    EXPECT_EQ(space->to_string(arch), space->to_string(arch, space->formats().front()));
  }
}

// Every format, as researchers paste it: quoted for a shell, assigned in
// Python or a config, after a command-line flag, with a trailing comma
// and comment, and as a Python list where the format is plain integers.
TEST_P(SpaceConformance, EveryTextFormatParsesAsPastedFromScriptsAndLogs) {
  for (int i = 0; i < 20; ++i) {
    const Arch arch = space->random(rng);
    for (const std::string& format : space->formats()) {
      const std::string text = space->to_string(arch, format);
      for (const std::string& pasted : {"\"" + text + "\"", "'" + text + "'", "  genotype = " + text + "\n",
                                        "DARTS_V2 = " + text + ",  # found", "--fixed_arc \"" + text + "\"",
                                        "--arc=" + text, "fixed_arc: '" + text + "';", "\"\"\"" + text + "\"\"\""}) {
        EXPECT_EQ(space->parse(pasted), space->parse(text)) << format << ": " << pasted;
      }
    }
    if (space->formats().front() == "arc" && space->name() != "genet") {
      std::string list;
      for (const std::int64_t t : arch.tokens) list += (list.empty() ? "[" : ", ") + std::to_string(t);
      EXPECT_EQ(space->parse("arc = " + list + "]"), arch) << list;
    }
  }
}

// Text that is no architecture is refused with the forms the space reads.
TEST_P(SpaceConformance, UnreadableTextNamesTheFormsThatAreRead) {
  for (const std::string text : {"hello world", "arc = \"0 x 1\"", "[0, 1, oops]"}) {
    try {
      space->parse(text);
      ADD_FAILURE() << "accepted '" << text << "'";
    } catch (const ArchParseError& e) {
      EXPECT_NE(std::string(e.what()).find("integers separated by spaces or commas"), std::string::npos) << e.what();
    }
  }
}

TEST_P(SpaceConformance, MutationsAreValidAndChangeTheArchitecture) {
  Arch arch = space->random(rng);
  for (int i = 0; i < kSamples; ++i) {
    const Arch child = space->mutate(arch, rng);
    ASSERT_TRUE(space->is_valid(child)) << join_tokens(child.tokens);
    EXPECT_NE(child, arch);
    arch = child;
  }
}

// SPOS's mutation: each token redrawn with the given probability, so the
// expected share of changed tokens grows with it; never an invalid child.
TEST_P(SpaceConformance, ResamplingIsValidAndChangesTokensAsOftenAsAsked) {
  const Arch parent = space->random(rng);
  EXPECT_EQ(space->resample(parent, 0.0, rng), parent);
  int changed_low = 0, changed_high = 0;
  for (int i = 0; i < kSamples; ++i) {
    const Arch low = space->resample(parent, 0.1, rng), high = space->resample(parent, 1.0, rng);
    ASSERT_TRUE(space->is_valid(low)) << join_tokens(low.tokens);
    ASSERT_TRUE(space->is_valid(high)) << join_tokens(high.tokens);
    for (std::size_t t = 0; t < parent.tokens.size(); ++t) {
      changed_low += low.tokens[t] != parent.tokens[t];
      changed_high += high.tokens[t] != parent.tokens[t];
    }
  }
  EXPECT_LT(changed_low, changed_high);
  EXPECT_THROW(space->resample(parent, 1.5, rng), std::invalid_argument);
}

TEST_P(SpaceConformance, CrossoverIsValidAndTakesEveryNodeFromAParent) {
  for (int i = 0; i < kSamples; ++i) {
    const Arch a = space->random(rng);
    const Arch b = space->random(rng);
    const Arch child = space->crossover(a, b, rng);
    ASSERT_TRUE(space->is_valid(child)) << join_tokens(child.tokens);
    // Outside prefix-dependent repairs, each token comes from a parent.
    const bool has_repairs =
        GetParam().starts_with("darts") || GetParam().starts_with("hyper_dnn") || GetParam().starts_with("hyper_cnn");
    if (!has_repairs) {
      for (std::size_t p = 0; p < child.tokens.size(); ++p) {
        EXPECT_TRUE(child.tokens[p] == a.tokens[p] || child.tokens[p] == b.tokens[p]);
      }
    }
  }
}

TEST_P(SpaceConformance, CanonicalHashIgnoresTheOrderOfANodesInputs) {
  // Swap the two (input, op) pairs of one node, wherever a node has two.
  const auto& decisions = space->decisions();
  auto swap_pairs_of_node = [&](Arch arch, const Decision& node) {
    for (std::size_t p = 0; p < decisions.size(); ++p) {
      for (std::size_t q = 0; q < decisions.size(); ++q) {
        const Decision &a = decisions[p], &b = decisions[q];
        const bool same_node = a.cell == node.cell && a.node == node.node && b.cell == node.cell && b.node == node.node;
        const bool pair_kind = a.kind == DecisionKind::kInputIndex || a.kind == DecisionKind::kOp;
        if (same_node && pair_kind && a.kind == b.kind && a.slot == 0 && b.slot == 1) {
          std::swap(arch.tokens[p], arch.tokens[q]);
        }
      }
    }
    return arch;
  };
  int swaps = 0;
  for (int i = 0; i < kSamples; ++i) {
    const Arch arch = space->random(rng);
    for (const Decision& d : decisions) {
      if (d.kind != DecisionKind::kInputIndex || d.slot != 1) continue;
      const Arch swapped = swap_pairs_of_node(arch, d);
      if (swapped == arch) continue;
      ASSERT_TRUE(space->is_valid(swapped)) << join_tokens(swapped.tokens);
      EXPECT_EQ(space->canonical_hash(swapped), space->canonical_hash(arch)) << join_tokens(arch.tokens);
      ++swaps;
    }
  }
  const bool has_pairs = std::any_of(decisions.begin(), decisions.end(), [](const Decision& d) {
    return d.slot == 1 && d.kind == DecisionKind::kInputIndex;
  });
  EXPECT_EQ(swaps > 0, has_pairs);
}

TEST_P(SpaceConformance, CanonicalHashSeparatesMostRandomArchitectures) {
  std::set<std::uint64_t> hashes;
  std::set<Arch, bool (*)(const Arch&, const Arch&)> archs(
      [](const Arch& a, const Arch& b) { return a.tokens < b.tokens; });
  for (int i = 0; i < kSamples; ++i) {
    const Arch arch = space->random(rng);
    archs.insert(arch);
    hashes.insert(space->canonical_hash(arch));
  }
  // Functionally equal pairs are rare among random samples of these sizes,
  // but collisions of distinct functions would make this ratio collapse.
  EXPECT_GE(hashes.size() * 10, archs.size() * 6);
  EXPECT_LE(hashes.size(), archs.size());
}

TEST_P(SpaceConformance, ValidateNamesTheBadPositionAndItsRange) {
  const Arch arch = space->random(rng);
  for (std::size_t p = 0; p < arch.tokens.size(); ++p) {
    for (std::int64_t bad : {std::int64_t{-1}, space->decisions()[p].num_choices}) {
      Arch broken = arch;
      broken.tokens[p] = bad;
      try {
        space->validate(broken);
        ADD_FAILURE() << "token " << p << " = " << bad << " accepted";
      } catch (const InvalidArchError& e) {
        EXPECT_EQ(e.position(), p);
        EXPECT_EQ(e.value(), bad);
        EXPECT_EQ(e.legal_max(), space->decisions()[p].num_choices - 1);
        EXPECT_NE(std::string(e.what()).find("token " + std::to_string(p)), std::string::npos) << e.what();
      }
    }
  }
}

TEST_P(SpaceConformance, ValidateRejectsWrongLengths) {
  Arch arch = space->random(rng);
  arch.tokens.push_back(0);
  EXPECT_THROW(space->validate(arch), InvalidArchError);
  arch.tokens.resize(arch.tokens.size() - 2);
  EXPECT_THROW(space->validate(arch), InvalidArchError);
  EXPECT_THROW(space->parse(""), ArchParseError);
  EXPECT_THROW(space->parse("0 x 1"), ArchParseError);
}

TEST_P(SpaceConformance, SizeIsTheProductOfItsParts) {
  const auto parts = space->size_parts();
  if (parts.empty()) {
    EXPECT_FALSE(space->size().is_zero());
    return;
  }
  BigCount product(1);
  for (const auto& [name, count] : parts) product *= count;
  EXPECT_EQ(product, space->size());
}

TEST_P(SpaceConformance, SpecRebuildsAnEqualSpace) {
  const SpacePtr rebuilt = make_space(space->spec());
  EXPECT_EQ(rebuilt->spec(), space->spec());
  EXPECT_EQ(rebuilt->num_tokens(), space->num_tokens());
  EXPECT_EQ(rebuilt->size(), space->size());
}

INSTANTIATE_TEST_SUITE_P(AllSpaces, SpaceConformance, ::testing::ValuesIn(conformance_specs()), test_name);

}  // namespace
}  // namespace spaces
