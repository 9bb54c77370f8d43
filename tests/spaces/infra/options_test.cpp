#include "spaces/infra/options.h"

#include <gtest/gtest.h>

#include "spaces/infra/errors.h"

namespace spaces {
namespace {

// Options structs as the libraries write them (TORCH_ARG there; plain members here, as spaces/ has no libtorch).
struct InnerOptions {
  std::string kind = "lstm";
  double lr = 0.01;
};

struct OuterOptions {
  std::int64_t width = 64;
  bool flag = true;
  InnerOptions inner;
};

OptionSchema<OuterOptions> outer_schema() {
  const auto inner =
      OptionSchema<InnerOptions>()
          .field("kind", [](InnerOptions & o) -> auto& { return o.kind; }, "model", 0, 0, {"lstm", "mlp"})
          .field(
              "lr", [](InnerOptions & o) -> auto& { return o.lr; }, "learning rate", 0, 1);
  return OptionSchema<OuterOptions>()
      .field(
          "width", [](OuterOptions & o) -> auto& { return o.width; }, "layer width", 1, 4096)
      .field(
          "flag", [](OuterOptions & o) -> auto& { return o.flag; }, "a switch")
      .nested([](OuterOptions & o) -> auto& { return o.inner; }, inner, {{"kind", "model"}});
}

TEST(OptionSchema, TheSpecsCarryTheStructsDefaultsOnce) {
  const std::vector<ParamSpec> specs = outer_schema().specs();
  ASSERT_EQ(specs.size(), 4u);
  EXPECT_EQ(specs[0].name, "width");
  EXPECT_EQ(std::get<std::int64_t>(specs[0].default_value), 64);
  EXPECT_EQ(specs[0].max, 4096);
  EXPECT_EQ(std::get<bool>(specs[1].default_value), true);
  EXPECT_EQ(specs[2].name, "model");  // renamed from the nested struct's "kind"
  EXPECT_EQ(std::get<std::string>(specs[2].default_value), "lstm");
  EXPECT_EQ(specs[2].choices, (std::vector<std::string>{"lstm", "mlp"}));
  EXPECT_DOUBLE_EQ(std::get<double>(specs[3].default_value), 0.01);
}

TEST(OptionSchema, ReadsResolvedParamsIntoTheStruct) {
  const OptionSchema<OuterOptions> schema = outer_schema();
  const Params params = Params::resolve("test", schema.specs(), {{"width", std::string("8")}, {"model", "mlp"}});
  const OuterOptions options = schema.read(params);
  EXPECT_EQ(options.width, 8);
  EXPECT_TRUE(options.flag);
  EXPECT_EQ(options.inner.kind, "mlp");
  EXPECT_DOUBLE_EQ(options.inner.lr, 0.01);
  EXPECT_THROW(Params::resolve("test", schema.specs(), {{"model", "gru"}}), OptionError);
  EXPECT_THROW(schema.read(Params()), std::logic_error);  // unresolved: a programming error
}

}  // namespace
}  // namespace spaces
