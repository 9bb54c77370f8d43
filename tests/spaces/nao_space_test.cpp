#include <gtest/gtest.h>

#include <algorithm>

#include "spaces/cell_space.h"
#include "spaces/infra/errors.h"
#include "spaces/presets.h"
#include "spaces/registry.h"

namespace spaces {
namespace {

TEST(NaoSpace, PublishedNaoWsArcParsesAndRoundTrips) {
  const SpacePtr space = make_space("nao");
  const Arch arch = space->parse(find_arch_preset("nao_ws_final")->text);
  EXPECT_EQ(space->to_string(arch), find_arch_preset("nao_ws_final")->text);
  EXPECT_EQ(space->parse(space->to_string(arch, "genotype")), arch);
}

TEST(NaoSpace, SharesTheEnasMicroGrammar) {
  const SpacePtr nao = make_space("nao");
  const SpacePtr enas = make_space("enas_micro");
  EXPECT_EQ(nao->size(), enas->size());
  EXPECT_EQ(nao->op_names(), enas->op_names());
  ASSERT_EQ(nao->num_tokens(), enas->num_tokens());
  for (std::size_t i = 0; i < nao->num_tokens(); ++i) {
    EXPECT_EQ(nao->decisions()[i].num_choices, enas->decisions()[i].num_choices);
  }
}

TEST(NaoSpace, SixteenOpVocabularyFollowsNaoV1) {
  const SpacePtr space = make_space("nao(ops=nao16)");
  ASSERT_EQ(space->op_names().size(), 16u);
  EXPECT_EQ(space->op_names()[4], "identity");
  EXPECT_EQ(space->op_names()[7], "conv_3x3");
  EXPECT_EQ(space->op_names()[15], "avg_pool_5x5");
  const auto cell = std::dynamic_pointer_cast<const CellSpace>(space)->cell_size();
  BigCount expected(1);
  for (std::uint64_t j = 0; j < 5; ++j) expected *= BigCount((j + 2) * (j + 2) * 16 * 16);
  EXPECT_EQ(cell, expected);
}

TEST(NaoSpace, RepeatedOpsOfTheSixteenHashAsOneFunction) {
  const SpacePtr space = make_space("nao(ops=nao16,nodes=1)");
  // identity is token 4 and token 5; max_pool_3x3 is 3 and 11.
  const Arch small = space->parse("0 4 1 3 0 0 1 0");
  const Arch large = space->parse("0 5 1 11 0 0 1 0");
  const Arch other = space->parse("0 6 1 11 0 0 1 0");
  EXPECT_EQ(space->canonical_hash(small), space->canonical_hash(large));
  EXPECT_NE(space->canonical_hash(small), space->canonical_hash(other));
  EXPECT_EQ(space->parse(space->to_string(large, "genotype")), large);
}

// NAO_V1's NAO/cnn/epd/vocab.py publishes four architectures in its
// encoder-predictor-decoder sequence (60 tokens: node kind size, twice per
// node). Its ENAS line is ENAS's final cell, the enas_micro_final preset.
const std::string kEpdEnas =
    "1 11 16 1 8 16 1 7 14 1 8 17 1 7 14 2 8 17 2 8 16 1 8 17 1 11 16 2 8 17 2 8 16 2 8 16 1 12 16 1 11 16 2 8 17 "
    "4 8 17 2 8 16 1 7 14 1 12 16 2 8 17";
const std::string kEpdAmoebaNetA =
    "1 11 16 1 12 16 3 11 16 1 8 16 4 11 16 1 8 16 2 8 16 2 7 14 2 11 16 1 7 14 1 11 16 2 8 16 1 12 16 3 8 18 1 8 18 "
    "2 11 16 2 12 16 1 12 16 6 8 16 1 9 20";
const std::string kEpdAmoebaNetB =
    "1 8 16 2 7 14 2 12 16 2 9 14 2 9 14 1 8 16 4 7 14 4 9 14 2 11 16 6 9 14 1 12 15 1 12 16 3 10 17 3 12 16 3 7 14 "
    "2 9 16 4 11 16 5 9 14 5 7 14 2 8 16";
const std::string kEpdNasNet =
    "2 8 16 2 7 14 1 8 16 2 8 17 2 11 16 1 7 14 1 11 16 1 11 16 1 8 17 1 8 16 1 8 18 2 8 17 2 12 16 1 8 18 2 11 16 "
    "1 8 17 2 12 16 3 8 16 3 11 16 4 7 14";

TEST(NaoSpace, ReadsNaoV1sEpdSequenceOfEnasAsTheEnasArc) {
  const SpacePtr space = make_space("nao");
  const Arch arch = space->parse(kEpdEnas);
  EXPECT_EQ(space->to_string(arch), find_arch_preset("enas_micro_final")->text);
  EXPECT_EQ(space->to_string(arch, "epd"), kEpdEnas);
  EXPECT_EQ(space->parse("\"" + kEpdEnas + "\""), arch);
}

// Every published sequence reads in the EPD vocabulary and prints back as
// published; the ones using ops outside the 16 are refused there, naming
// the op and the vocabulary that has it.
TEST(NaoSpace, EveryPublishedEpdSequenceReadsInTheEpdVocabularyAndPrintsBack) {
  const SpacePtr epd = make_space("nao(ops=epd)");
  const SpacePtr nao16 = make_space("nao(ops=nao16)");
  for (const std::string& text : {kEpdEnas, kEpdAmoebaNetA, kEpdAmoebaNetB, kEpdNasNet}) {
    const Arch arch = epd->parse(text);
    EXPECT_EQ(epd->to_string(arch, "epd"), text);
    EXPECT_EQ(epd->parse(epd->to_string(arch)), arch);
  }
  EXPECT_EQ(epd->to_string(epd->parse(kEpdAmoebaNetA), "genotype").find("('sep_conv_7x7', 2)") != std::string::npos,
            true);
  try {
    nao16->parse(kEpdAmoebaNetA);
    ADD_FAILURE() << "nao16 has no sep_conv_7x7";
  } catch (const ArchParseError& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("'sep_conv_7x7'"), std::string::npos) << what;
    EXPECT_NE(what.find("ops=epd"), std::string::npos) << what;
  }
  // AmoebaNet-B's dil_sep_conv 5x5 (10 17): not DARTS's dil_conv.
  EXPECT_NE(epd->to_string(epd->parse(kEpdAmoebaNetB), "genotype").find("dil_sep_conv_5x5"), std::string::npos);
}

TEST(NaoSpace, EpdErrorsNameThePositionAndWhatIsLegal) {
  const SpacePtr space = make_space("nao(ops=epd)");
  auto error_of = [&](std::string text) {
    try {
      space->parse(text);
    } catch (const ArchParseError& e) {
      return std::string(e.what());
    }
    return std::string("accepted");
  };
  std::string bad_op = kEpdEnas;
  bad_op.replace(0, 7, "1 11 19");  // avg_pool 1x3+3x1
  EXPECT_NE(error_of(bad_op).find("epd tokens 1-2 are 11 19"), std::string::npos) << error_of(bad_op);
  std::string forward = kEpdEnas;
  forward.replace(0, 1, "3");  // node_3 is the node itself
  EXPECT_NE(error_of(forward).find("not an earlier vertex"), std::string::npos) << error_of(forward);
  std::string zero = kEpdEnas;
  zero.replace(0, 1, "0");  // <sos>
  EXPECT_NE(error_of(zero).find("legal inputs [0, 1]"), std::string::npos) << error_of(zero);
  const std::string short_text = kEpdEnas.substr(0, kEpdEnas.rfind(' '));
  const std::string what = error_of(short_text);
  EXPECT_NE(what.find("59 tokens"), std::string::npos) << what;
  EXPECT_NE(what.find("40 (arc"), std::string::npos) << what;
  EXPECT_NE(what.find("60 (NAO's epd"), std::string::npos) << what;
}

// VOCAB1 names inputs node_1 .. node_6 only: cells of 6 nodes have no epd
// form (their last node's input 7 would read as the identity kind).
TEST(NaoSpace, CellsOfMoreThanFiveNodesHaveNoEpdForm) {
  const SpacePtr six = make_space("nao(nodes=6)");
  const auto formats = six->formats();
  EXPECT_EQ(std::find(formats.begin(), formats.end(), "epd"), formats.end());
  Rng rng(1);
  EXPECT_THROW(six->to_string(six->random(rng), "epd"), OptionError);
  std::string tokens;
  for (int i = 0; i < 72; ++i) tokens += "1 ";
  EXPECT_THROW(six->parse(tokens), ArchParseError);
}

// NAONet as NAO_V1 publishes it (NAO/cnn/dag.NAONet.json) is a preset in
// that form; the dag json of any architecture reads back.
TEST(NaoSpace, ReadsAndWritesNaoV1DagJson) {
  const ArchPreset& naonet = *find_arch_preset("NAONet");
  const SpacePtr space = make_space(naonet.space);
  const Arch arch = space->parse(naonet.text);
  EXPECT_EQ(space->to_string(arch, "dag_json"), naonet.text);
  // node_3 = conv 3x3(node_1) + avg_pool 5x5(node_2): tokens 0 7 1 15 in the 16-op list.
  EXPECT_EQ(std::vector<std::int64_t>(arch.tokens.begin(), arch.tokens.begin() + 4),
            (std::vector<std::int64_t>{0, 7, 1, 15}));
  // Key order and whitespace are the json's business, not the architecture's.
  std::string reordered = naonet.text;
  const auto reduc = reordered.find(", \"reduc_dag\"");
  reordered = "{" + reordered.substr(reduc + 2, reordered.size() - reduc - 3) + ", " +
              reordered.substr(1, reduc - 1) + "}";
  EXPECT_EQ(space->parse(reordered), arch);
}

TEST(NaoSpace, DagJsonErrorsNameTheKey) {
  const SpacePtr space = make_space("nao(ops=nao16)");
  const std::string text = find_arch_preset("naonet")->text;
  auto error_of = [&](const std::string& from, const std::string& to) {
    std::string changed = text;
    changed.replace(changed.find(from), from.size(), to);
    try {
      space->parse(changed);
    } catch (const ArchParseError& e) {
      return std::string(e.what());
    }
    return std::string("accepted");
  };
  EXPECT_NE(error_of("\"conv 1x3+3x1\"", "\"conv 2x2\"").find("conv_dag.node_4 op 'conv 2x2'"), std::string::npos);
  EXPECT_NE(error_of("\"node_4\", \"node_3\"", "\"node_4\", \"node_5\"").find("not an earlier vertex"),
            std::string::npos);
  EXPECT_NE(error_of("\"reduc_dag\"", "\"reduce_dag\"").find("no \"reduc_dag\""), std::string::npos);
  EXPECT_NE(error_of("]}}", "]").find("NAO dag json, line 1"), std::string::npos);
  // NAONet's conv 1x7+7x1 has no token among the 5 ENAS ops.
  try {
    make_space("nao")->parse(text);
    ADD_FAILURE();
  } catch (const ArchParseError& e) {
    EXPECT_NE(std::string(e.what()).find("ops=enas does not have"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace spaces
