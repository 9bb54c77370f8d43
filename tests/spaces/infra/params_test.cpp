#include "spaces/infra/params.h"

#include <gtest/gtest.h>

#include <cmath>

#include "spaces/infra/errors.h"

namespace spaces {
namespace {

const std::vector<ParamSpec> kSpecs = {
    ParamSpec{"nodes", std::int64_t{5}, "nodes", 1, 12},
    ParamSpec{"lr", 0.001, "learning rate", 0, 1},
    ParamSpec{"flag", false, "a flag"},
    ParamSpec{"ops", std::string("enas"), "vocabulary", 0, 0, {"enas", "nao16"}},
    ParamSpec{"stages", std::vector<std::int64_t>{3, 4}, "nodes per stage", 2, 10},
};

TEST(Params, FillsDefaultsForKeysNotGiven) {
  const Params params = Params::resolve("thing", kSpecs, {});
  EXPECT_EQ(params.get_int("nodes"), 5);
  EXPECT_DOUBLE_EQ(params.get_double("lr"), 0.001);
  EXPECT_FALSE(params.get_bool("flag"));
  EXPECT_EQ(params.get_string("ops"), "enas");
  EXPECT_EQ(params.get_int_list("stages"), (std::vector<std::int64_t>{3, 4}));
}

TEST(Params, ReadsTextValuesAsTheSpecsType) {
  const Params params = Params::resolve(
      "thing", kSpecs, {{"nodes", "7"}, {"lr", "0.5"}, {"flag", "true"}, {"stages", "[2,3,5]"}, {"ops", "nao16"}});
  EXPECT_EQ(params.get_int("nodes"), 7);
  EXPECT_DOUBLE_EQ(params.get_double("lr"), 0.5);
  EXPECT_TRUE(params.get_bool("flag"));
  EXPECT_EQ(params.get_int_list("stages"), (std::vector<std::int64_t>{2, 3, 5}));
  EXPECT_EQ(params.to_string(), "flag=true,lr=0.5,nodes=7,ops=nao16,stages=[2,3,5]");
}

TEST(Params, AcceptsAnIntegerWhereANumberIsExpected) {
  EXPECT_DOUBLE_EQ(Params::resolve("thing", kSpecs, {{"lr", std::int64_t{1}}}).get_double("lr"), 1.0);
}

void expect_error(const std::map<std::string, ParamValue>& given, const std::string& message) {
  try {
    Params::resolve("space 'x'", kSpecs, given);
    ADD_FAILURE() << "accepted; expected: " << message;
  } catch (const OptionError& e) {
    EXPECT_EQ(std::string(e.what()), message);
  }
}

TEST(Params, RejectsUnknownKeysWrongTypesAndOutOfRangeValues) {
  expect_error({{"node", "5"}}, "space 'x': unknown option 'node' (known: nodes, lr, flag, ops, stages)");
  expect_error({{"nodes", "five"}}, "space 'x': option 'nodes' must be an integer, got 'five'");
  expect_error({{"nodes", std::int64_t{0}}}, "space 'x': option 'nodes' is 0, must be in [1, 12]");
  expect_error({{"nodes", 2.5}}, "space 'x': option 'nodes' must be an integer, got '2.5'");
  expect_error({{"ops", "big"}}, "space 'x': option 'ops' is 'big', must be one of: enas, nao16");
  expect_error({{"stages", "[3,1]"}}, "space 'x': option 'stages' is [3,1], must be in [2, 10]");
  expect_error({{"stages", "[3,x]"}}, "space 'x': option 'stages' must be a list of integers, got '[3,x]'");
  expect_error({{"flag", "maybe"}}, "space 'x': option 'flag' must be a boolean, got 'maybe'");
}

// A bound that cannot work (dropping every activation, an Adam beta of 1)
// is excluded: the value just inside is legal, the bound and NaN are not.
TEST(Params, ExcludedBoundsRefuseTheBoundAndSayTheIntervalIsOpen) {
  const std::vector<ParamSpec> specs = {ParamSpec{"dropout", 0.0, "dropout", 0, 1}.open_above(),
                                        ParamSpec{"clip", 5.0, "clip", 0, 10}.open_below()};
  EXPECT_DOUBLE_EQ(Params::resolve("child", specs, {{"dropout", 0.0}}).get_double("dropout"), 0.0);
  EXPECT_DOUBLE_EQ(Params::resolve("child", specs, {{"dropout", 0.999}}).get_double("dropout"), 0.999);
  EXPECT_DOUBLE_EQ(Params::resolve("child", specs, {{"clip", 10.0}}).get_double("clip"), 10.0);
  auto error_of = [&](const std::string& key, const ParamValue& value) {
    try {
      Params::resolve("child", specs, {{key, value}});
    } catch (const OptionError& e) {
      return std::string(e.what());
    }
    return std::string("accepted");
  };
  EXPECT_EQ(error_of("dropout", 1.0), "child: option 'dropout' is 1, must be in [0, 1)");
  EXPECT_EQ(error_of("dropout", "1.0"), "child: option 'dropout' is 1, must be in [0, 1)");
  EXPECT_EQ(error_of("clip", 0.0), "child: option 'clip' is 0, must be in (0, 10]");
  EXPECT_EQ(error_of("dropout", std::nan("")), "child: option 'dropout' is nan, must be in [0, 1)");
  EXPECT_EQ(range_text(specs[0]), "[0, 1)");
  EXPECT_EQ(range_text(kSpecs[0]), "[1, 12]");
}

TEST(NamedSpec, SplitsNameAndOptions) {
  const NamedSpec plain = parse_named_spec("enas_micro");
  EXPECT_EQ(plain.name, "enas_micro");
  EXPECT_TRUE(plain.given.empty());
  const NamedSpec spec = parse_named_spec(" genet(stages=[3,4,5], extra = 2) ");
  EXPECT_EQ(spec.name, "genet");
  EXPECT_EQ(std::get<std::string>(spec.given.at("stages")), "[3,4,5]");
  EXPECT_EQ(std::get<std::string>(spec.given.at("extra")), "2");
}

TEST(NamedSpec, RejectsMalformedText) {
  EXPECT_THROW(parse_named_spec("(nodes=3)"), OptionError);
  EXPECT_THROW(parse_named_spec("enas_micro(nodes=3"), OptionError);
  EXPECT_THROW(parse_named_spec("enas_micro(nodes)"), OptionError);
  EXPECT_THROW(parse_named_spec("genet(stages=[3,4)"), OptionError);
}

}  // namespace
}  // namespace spaces

namespace spaces {
namespace {

TEST(Params, RefusesNanAndRepeatedOptionsAndPrintsNumbersThatRoundTrip) {
  EXPECT_THROW(Params::resolve("x", kSpecs, {{"lr", "nan"}}), OptionError);
  EXPECT_THROW(parse_named_spec("enas_micro(nodes=4,nodes=5)"), OptionError);
  const Params params = Params::resolve("x", kSpecs, {{"lr", 0.1 + 0.2}});
  const NamedSpec again = parse_named_spec("x(" + params.to_string() + ")");
  EXPECT_EQ(Params::resolve("x", kSpecs, again.given).get_double("lr"), 0.1 + 0.2);
}

}  // namespace
}  // namespace spaces
