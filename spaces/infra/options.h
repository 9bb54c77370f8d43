#pragma once
// OptionSchema: an options struct described once. The struct keeps each
// option's default (its in-class initialiser, TORCH_ARG style); the schema
// adds, once per option, its name, one-line help and legal range. From that
// one description come the registry's ParamSpecs (what `nas_search --list`
// and the config checker show, each default read off a default-constructed
// struct) and the struct filled from a user's resolved Params:
//
//   struct FooOptions {
//     TORCH_ARG(std::int64_t, width) = 64;  // the default, here only
//   };
//   const OptionSchema<FooOptions>& foo_schema() {
//     static const auto schema = OptionSchema<FooOptions>().field(
//         "width", [](FooOptions& o) -> auto& { return o.width(); }, "layer width", 1, 4096);
//     return schema;
//   }
//   foo_schema().specs();       // {ParamSpec{"width", 64, "layer width", 1, 4096}}
//   foo_schema().read(params);  // FooOptions with params' "width"
//
// Field types: bool, std::int64_t, double, std::string and
// std::vector<std::int64_t> (the ParamValue alternatives). An options
// struct nested in another (a surrogate's options inside a controller's)
// joins the outer schema with `nested`, optionally renaming its fields.

#include <functional>
#include <limits>
#include <map>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "spaces/infra/params.h"

namespace spaces {

template <class Options>
class OptionSchema {
 public:
  struct Field {
    ParamSpec spec;
    std::function<ParamValue(Options&)> get;
    std::function<void(Options&, const ParamValue&)> set;
  };

  // `access` returns a reference to the field inside an Options object.
  template <class Access>
  OptionSchema& field(std::string name, Access access, std::string help,
                      double min = -std::numeric_limits<double>::infinity(),
                      double max = std::numeric_limits<double>::infinity(), std::vector<std::string> choices = {}) {
    using T = std::remove_cvref_t<std::invoke_result_t<Access, Options&>>;
    static_assert(std::is_constructible_v<ParamValue, T>, "an option field must hold a ParamValue alternative");
    Field f;
    f.get = [access](Options& options) { return ParamValue(T(access(options))); };
    f.set = [access](Options& options, const ParamValue& value) { access(options) = std::get<T>(value); };
    Options defaults{};
    f.spec = ParamSpec{std::move(name), f.get(defaults), std::move(help), min, max, std::move(choices)};
    fields_.push_back(std::move(f));
    return *this;
  }

  // Excludes the maximum (minimum) of the field added last from its range:
  // .field("beta1", ..., 0, 1).open_above() is [0, 1).
  OptionSchema& open_above() {
    if (fields_.empty()) throw std::logic_error("open_above() before any field");
    fields_.back().spec.max_excluded = true;
    return *this;
  }
  OptionSchema& open_below() {
    if (fields_.empty()) throw std::logic_error("open_below() before any field");
    fields_.back().spec.min_excluded = true;
    return *this;
  }

  // Adds `inner`'s fields, held by the Inner struct that `access` reaches
  // inside Options; their defaults are those of Options{}'s Inner. `renames`
  // maps an inner field's name to its name here (PNAS calls its
  // surrogate's `kind` "surrogate").
  template <class Inner, class Access>
  OptionSchema& nested(Access access, const OptionSchema<Inner>& inner,
                       const std::map<std::string, std::string>& renames = {}) {
    for (const auto& inner_field : inner.fields()) {
      Field f;
      f.get = [access, get = inner_field.get](Options& options) { return get(access(options)); };
      f.set = [access, set = inner_field.set](Options& options, const ParamValue& value) {
        set(access(options), value);
      };
      f.spec = inner_field.spec;
      if (const auto renamed = renames.find(f.spec.name); renamed != renames.end()) f.spec.name = renamed->second;
      Options defaults{};
      f.spec.default_value = f.get(defaults);
      fields_.push_back(std::move(f));
    }
    return *this;
  }

  // The registry's view: one ParamSpec per field.
  std::vector<ParamSpec> specs() const {
    std::vector<ParamSpec> result;
    for (const auto& f : fields_) result.push_back(f.spec);
    return result;
  }

  // Options{} with every field set from `params`, which must have been
  // resolved against specs() (Params::resolve); throws std::logic_error
  // for a field `params` lacks.
  Options read(const Params& params) const {
    Options options{};
    for (const auto& f : fields_) {
      const auto it = params.values().find(f.spec.name);
      if (it == params.values().end()) throw std::logic_error("options: no value for '" + f.spec.name + "'");
      f.set(options, it->second);
    }
    return options;
  }

  const std::vector<Field>& fields() const { return fields_; }

 private:
  std::vector<Field> fields_;
};

}  // namespace spaces
