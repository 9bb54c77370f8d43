#!/usr/bin/env bash
# Runs every fuzz target of the fuzz preset (or the TARGETs named) for
# SECONDS each (default 600), JOBS at a time (default 2), from the seed
# corpus make_fuzz_corpus writes.
#   cmake --workflow --preset fuzz && tests/fuzz/run_fuzzers.sh [SECONDS] [JOBS] [TARGET...]
# Per target, under build/fuzz/fuzzing/: corpus/<target>/ (grown corpus,
# kept between runs), findings/<target>/ (crash-*, leak-*, timeout-*,
# oom-* inputs) and <target>.log. Prints executions per target; exits 1
# when any target found something.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
seconds="${1:-600}"
jobs="${2:-2}"
shift $(( $# < 2 ? $# : 2 ))
bin=build/fuzz/bin
out=build/fuzz/fuzzing
[[ -x "$bin/make_fuzz_corpus" ]] || { echo "run_fuzzers: build first: cmake --workflow --preset fuzz" >&2; exit 2; }
rm -rf "$out/seeds.$$"
"$bin/make_fuzz_corpus" "$out/seeds.$$"
rm -rf "$out/seeds" && mv "$out/seeds.$$" "$out/seeds"

targets=("$@")
if ((${#targets[@]} == 0)); then
  for exe in "$bin"/fuzz_*; do targets+=("$(basename "$exe")"); done
fi

# libhdf5 leaks on some failure paths (suppressed, lsan_suppressions.txt),
# and each leak makes libFuzzer scan the whole heap (libtorch's ~750 MB):
# 28 instead of 420 executions a second. The HDF5 readers' targets
# therefore fuzz without leak checks and then replay their whole grown
# corpus with them.
replay_for_leaks=" fuzz_checkpoint_reader fuzz_archive_reader "

run_one() {
  local target="$1" seconds="$2" bin="$3" out="$4" replay_for_leaks="$5"
  mkdir -p "$out/corpus/$target" "$out/findings/$target"
  # Inputs may grow to twice the largest seed (HDF5 files are ~100 kB).
  local largest
  largest="$(find "$out/seeds/$target" -type f -printf '%s\n' | sort -n | tail -1)"
  local max_len=$(( 2 * ${largest:-0} > 65536 ? 2 * ${largest:-0} : 65536 ))
  # -timeout: one input running longer is a hang; -rss_limit_mb: a reader
  # that allocates what the file merely announces is a finding.
  local common=(-timeout=10 -rss_limit_mb=2048 -max_len="$max_len" -artifact_prefix="$out/findings/$target/")
  if [[ "$replay_for_leaks" == *" $target "* ]]; then
    "$bin/$target" "$out/corpus/$target" "$out/seeds/$target" -max_total_time="$seconds" "${common[@]}" \
      -detect_leaks=0 -print_final_stats=1 >"$out/$target.log" 2>&1 || true
    "$bin/$target" "$out/corpus/$target" -runs=0 "${common[@]}" >"$out/$target.leaks.log" 2>&1 || true
  else
    "$bin/$target" "$out/corpus/$target" "$out/seeds/$target" -max_total_time="$seconds" "${common[@]}" \
      -print_final_stats=1 >"$out/$target.log" 2>&1 || true
  fi
}
export -f run_one
export LSAN_OPTIONS="suppressions=$PWD/tests/fuzz/lsan_suppressions.txt"
export ASAN_OPTIONS="allocator_may_return_null=1"
printf '%s\n' "${targets[@]}" | xargs -P "$jobs" -I{} bash -c 'run_one "$@"' _ {} "$seconds" "$bin" "$out" "$replay_for_leaks"

status=0
printf '%-24s %12s %10s %s\n' target executions exec/s findings
for target in "${targets[@]}"; do
  log="$out/$target.log"
  runs="$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' || true)"
  rate="$(grep -o 'stat::average_exec_per_sec: *[0-9]*' "$log" | grep -o '[0-9]*$' || true)"
  found=()
  while IFS= read -r finding; do found+=("$finding"); done < <(find "$out/findings/$target" -type f)
  printf '%-24s %12s %10s %s\n' "$target" "${runs:-?}" "${rate:-?}" "${#found[@]}"
  for finding in "${found[@]}"; do echo "  $finding"; done
  if ((${#found[@]} > 0)) || ! grep -qE 'Done [0-9]* runs|INFO: exiting: 0' "$log"; then status=1; fi
done
exit "$status"
