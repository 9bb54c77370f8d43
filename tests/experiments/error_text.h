#pragma once
// Test helper: the message of the `Error` that `f` throws, or "no error"
// when it throws nothing. Any other exception propagates and fails the test.

#include <functional>
#include <string>

namespace experiments::testing {

template <class Error>
std::string error_text(const std::function<void()>& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.what();
  }
  return "no error";
}

}  // namespace experiments::testing
