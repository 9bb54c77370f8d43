// Coverage for libFuzzer from gcc's instrumentation.
//
// libFuzzer reads clang's -fsanitize=fuzzer counters; gcc offers
// -fsanitize-coverage=trace-pc (a call per basic block) and trace-cmp (the
// operands of each comparison). libFuzzer 14 still takes trace-cmp's hooks
// (its comparison tables), but its __sanitizer_cov_trace_pc now only
// refuses to run. This file replaces that hook (fuzz targets link with
// --allow-multiple-definition, this object first) with one that counts
// each basic block's return address, hashed into libFuzzer's "extra
// counters" section, which libFuzzer reads as coverage features after
// every input. It also defines gcc's float and double comparison hooks,
// which libFuzzer lacks and could not use.
//
// Not instrumented itself (no_sanitize_coverage: the hook must not call
// itself; no_sanitize: the counters are written from every block).

#include <cstdint>

namespace {

constexpr std::uintptr_t kCounters = 1 << 16;
__attribute__((section("__libfuzzer_extra_counters"), used)) std::uint8_t block_counters[kCounters];

}  // namespace

extern "C" {

__attribute__((no_sanitize_coverage, no_sanitize("address", "undefined"))) void __sanitizer_cov_trace_pc() {
  const auto pc = reinterpret_cast<std::uintptr_t>(__builtin_return_address(0));
  ++block_counters[(pc ^ (pc >> 16)) & (kCounters - 1)];
}

__attribute__((no_sanitize_coverage)) void __sanitizer_cov_trace_cmpf(float, float) {}
__attribute__((no_sanitize_coverage)) void __sanitizer_cov_trace_cmpd(double, double) {}
}
