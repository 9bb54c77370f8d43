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

# libhdf5 1.10.8 itself loops forever on some corrupt files (h5dump too):
# the HDF5 readers' targets run in fork mode, which keeps fuzzing past a
# timeout; each timeout is then checked against h5dump below. It also
# mallocs sizes read from a corrupt file; as in a normal build, such a
# malloc returns NULL (allocator_may_return_null) and HDF5 reports an error
# (sizes up to ASan's 1 TB limit still trip libFuzzer's -malloc_limit_mb).
hdf5_targets=" fuzz_checkpoint_reader fuzz_archive_reader "

run_one() {
  local target="$1" seconds="$2" bin="$3" out="$4" hdf5_targets="$5"
  mkdir -p "$out/corpus/$target" "$out/findings/$target"
  # Inputs may grow to twice the largest seed (HDF5 files are ~100 kB).
  local largest
  largest="$(find "$out/seeds/$target" -type f -printf '%s\n' | sort -n | tail -1)"
  local max_len=$(( 2 * ${largest:-0} > 65536 ? 2 * ${largest:-0} : 65536 ))
  local mode=()
  [[ "$hdf5_targets" == *" $target "* ]] && mode=(-fork=1 -ignore_timeouts=1)
  # -timeout: one input running longer is a hang; -rss_limit_mb: a reader
  # that allocates what the file merely announces is a finding.
  "$bin/$target" "$out/corpus/$target" "$out/seeds/$target" "${mode[@]}" -max_total_time="$seconds" -timeout=10 \
    -rss_limit_mb=2048 -max_len="$max_len" -print_final_stats=1 -artifact_prefix="$out/findings/$target/" \
    >"$out/$target.log" 2>&1 || true
}
export -f run_one
export LSAN_OPTIONS="suppressions=$PWD/tests/fuzz/lsan_suppressions.txt"
export ASAN_OPTIONS="allocator_may_return_null=1"
printf '%s\n' "${targets[@]}" | xargs -P "$jobs" -I{} bash -c 'run_one "$@"' _ {} "$seconds" "$bin" "$out" "$hdf5_targets"

status=0
printf '%-24s %12s %10s %s\n' target executions exec/s findings
for target in "${targets[@]}"; do
  log="$out/$target.log"
  if grep -q 'stat::number_of_executed_units' "$log"; then
    runs="$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$')"
    rate="$(grep -o 'stat::average_exec_per_sec: *[0-9]*' "$log" | grep -o '[0-9]*$')"
  else  # fork mode: the last "#N: cov ... exec/s R" line
    runs="$(grep -o '^#[0-9]*:' "$log" | tail -1 | tr -d '#:')"
    rate="$(grep -o 'exec/s [0-9]*' "$log" | tail -1 | grep -o '[0-9]*$')"
  fi
  found=()
  while IFS= read -r finding; do
    if [[ "$(basename "$finding")" == timeout-* && "$hdf5_targets" == *" $target "* ]]; then
      rc=0
      timeout 30 h5dump "$finding" >/dev/null 2>&1 || rc=$?
      if ((rc == 124)); then
        echo "  $target: $(basename "$finding"): h5dump hangs on it too (libhdf5's own loop)"
        continue
      fi
    fi
    found+=("$finding")
  done < <(find "$out/findings/$target" -type f)
  printf '%-24s %12s %10s %s\n' "$target" "${runs:-?}" "${rate:-?}" "${#found[@]}"
  for finding in "${found[@]}"; do echo "  $finding"; done
  if ((${#found[@]} > 0)) || ! grep -qE 'Done [0-9]* runs|INFO: exiting: 0' "$log"; then status=1; fi
done
exit "$status"
