#include "spaces/infra/state_dict.h"

#include <gtest/gtest.h>

#include <string>

namespace spaces {
namespace {

// A stand-in tensor type: the infrastructure never looks inside tensors.
using Dict = StateDict<std::string>;
using Fields = StateFields<std::string>;

struct Counter {
  double mean = 0.5;
  std::int64_t count = 3;
  bool done = true;
  std::string name = "n";
  std::string weights = "w";
  void state_fields(Fields& fields) {
    fields.scalar("mean", mean);
    fields.integer("count", count);
    fields.flag("done", done);
    fields.text("name", name);
    fields.tensor("weights", weights);
    Fields inner = fields.scope("inner");
    inner.integer("count", count);
  }
};

TEST(StateFields, OneListOfFieldsSavesAndLoads) {
  Counter original;
  Dict dict;
  Fields saver = Fields::saver(dict, "counter");
  original.state_fields(saver);
  EXPECT_EQ(dict.scalars.at("count"), 3.0);
  EXPECT_EQ(dict.scalars.at("inner.count"), 3.0);
  EXPECT_EQ(dict.tensors.at("weights"), "w");
  Counter copy{0, 0, false, "", ""};
  Fields loader = Fields::loader(dict, "counter");
  copy.state_fields(loader);
  EXPECT_EQ(copy.mean, 0.5);
  EXPECT_EQ(copy.count, 3);
  EXPECT_TRUE(copy.done);
  EXPECT_EQ(copy.name, "n");
  EXPECT_EQ(copy.weights, "w");
}

TEST(StateFields, AMissingFieldIsRefusedByNameAndNestedDictsRoundTrip) {
  Dict dict;
  Fields saver = Fields::saver(dict, "counter");
  Counter().state_fields(saver);
  dict.scalars.erase("inner.count");
  Counter copy;
  Fields loader = Fields::loader(dict, "counter");
  try {
    copy.state_fields(loader);
    FAIL() << "no error";
  } catch (const StateError& e) {
    EXPECT_EQ(std::string(e.what()), "counter: missing scalar 'inner.count'");
  }
  // A whole state under a prefix (a controller's inside a checkpoint).
  Dict inner{{{"t", "x"}}, {{"s", 1.0}}, {{"u", "v"}}}, outer, back;
  Fields outer_saver = Fields::saver(outer, "checkpoint");
  outer_saver.dict("controller", inner);
  EXPECT_EQ(outer.scalars.at("controller.s"), 1.0);
  Fields outer_loader = Fields::loader(outer, "checkpoint");
  outer_loader.dict("controller", back);
  EXPECT_EQ(back.tensors, inner.tensors);
  EXPECT_EQ(back.scalars, inner.scalars);
  EXPECT_EQ(back.texts, inner.texts);
}

}  // namespace
}  // namespace spaces
