#pragma once
// StateDict: the saved state of anything that resumes (a controller, a
// search loop, a training run): named tensors, scalars and texts. It is
// both a controller's state() and a checkpoint file's content, so the
// same type travels from a controller into a file and back.
//
// StateFields: the one list of an object's saved fields. An object writes
// `void state_fields(StateFields& fields)` naming each field once; the
// same function saves (fields.saving()) and loads, so no field can be
// saved under one key and read under another. Nested objects bind under a
// prefix ("controller.", "train_batches.").
//
// Both are templates over the tensor type so this lowest folder needs no
// libtorch: controllers/torch_state.h instantiates them with torch::Tensor
// and adds the bindings of libtorch objects (modules, optimizers,
// generators). Tensors are bound by handle here; the libtorch bindings
// copy where a snapshot must not change with later training.

#include <cstdint>
#include <map>
#include <stdexcept>
#include <string>
#include <utility>

namespace spaces {

// A state that lacks a field, or holds one of the wrong kind or shape.
class StateError : public std::invalid_argument {
 public:
  using std::invalid_argument::invalid_argument;
};

template <class Tensor>
struct StateDict {
  std::map<std::string, Tensor> tensors;
  std::map<std::string, double> scalars;
  std::map<std::string, std::string> texts;

  bool empty() const { return tensors.empty() && scalars.empty() && texts.empty(); }
};

template <class Tensor>
class StateFields {
 public:
  // Saving writes into `dict`; loading reads from it. `owner` names the
  // object in every StateError ("enas controller state: missing scalar 'baseline'").
  static StateFields saver(StateDict<Tensor>& dict, std::string owner) { return StateFields(dict, true, owner, ""); }
  static StateFields loader(const StateDict<Tensor>& dict, std::string owner) {
    return StateFields(const_cast<StateDict<Tensor>&>(dict), false, owner, "");  // never written when loading
  }

  bool saving() const { return saving_; }
  bool loading() const { return !saving_; }
  const std::string& owner() const { return owner_; }
  // The dictionary key of a field named `key` here: the prefix, then the key.
  std::string key(const std::string& name) const { return prefix_ + name; }

  // The fields of a nested object, under "<name>.".
  StateFields scope(const std::string& name) const { return StateFields(dict_, saving_, owner_, prefix_ + name + "."); }

  void scalar(const std::string& name, double& value) { value = bind(dict_.scalars, name, value, "scalar"); }
  // Integers and flags are stored as scalars (exact up to 2^53).
  void integer(const std::string& name, std::int64_t& value) {
    double stored = static_cast<double>(value);
    scalar(name, stored);
    value = static_cast<std::int64_t>(stored);
  }
  void flag(const std::string& name, bool& value) {
    double stored = value ? 1.0 : 0.0;
    scalar(name, stored);
    value = stored != 0.0;
  }
  void text(const std::string& name, std::string& value) { value = bind(dict_.texts, name, value, "text"); }
  void tensor(const std::string& name, Tensor& value) { value = bind(dict_.tensors, name, value, "tensor"); }

  // A whole saved state under "<name>." (a controller's state() inside a
  // checkpoint): saving copies `value`'s entries in, loading extracts them.
  void dict(const std::string& name, StateDict<Tensor>& value) {
    const std::string prefix = key(name) + ".";
    if (saving_) {
      nest(prefix, value.tensors, dict_.tensors);
      nest(prefix, value.scalars, dict_.scalars);
      nest(prefix, value.texts, dict_.texts);
      return;
    }
    value = {};
    extract(prefix, dict_.tensors, value.tensors);
    extract(prefix, dict_.scalars, value.scalars);
    extract(prefix, dict_.texts, value.texts);
  }

  // Whether the state holds a tensor named `name` (for optional fields,
  // such as an optimizer's moments before its first step).
  bool has_tensor(const std::string& name) const { return dict_.tensors.count(key(name)) > 0; }
  // Whether the state holds a scalar (or integer, or flag) named `name`.
  bool has_scalar(const std::string& name) const { return dict_.scalars.count(key(name)) > 0; }

  // Throws StateError "<owner>: <what>".
  [[noreturn]] void fail(const std::string& what) const { throw StateError(owner_ + ": " + what); }

 private:
  StateFields(StateDict<Tensor>& dict, bool saving, std::string owner, std::string prefix)
      : dict_(dict), saving_(saving), owner_(std::move(owner)), prefix_(std::move(prefix)) {}

  template <class Map>
  static void nest(const std::string& prefix, const Map& from, Map& to) {
    for (const auto& [k, v] : from) to[prefix + k] = v;
  }
  template <class Map>
  static void extract(const std::string& prefix, const Map& from, Map& to) {
    for (auto it = from.lower_bound(prefix); it != from.end() && it->first.compare(0, prefix.size(), prefix) == 0;
         ++it) {
      to[it->first.substr(prefix.size())] = it->second;
    }
  }

  template <class Map, class Value>
  Value bind(Map& map, const std::string& name, const Value& value, const char* kind) {
    if (saving_) {
      map[key(name)] = value;
      return value;
    }
    const auto it = map.find(key(name));
    if (it == map.end()) fail(std::string("missing ") + kind + " '" + key(name) + "'");
    return it->second;
  }

  StateDict<Tensor>& dict_;
  bool saving_;
  std::string owner_;
  std::string prefix_;
};

}  // namespace spaces
