#!/usr/bin/env bash
# Builds the libFuzzer harnesses (CMake preset "fuzz": clang-14, ASan, UBSan) and fuzzes
# each one in turn for FUZZ_SECONDS (default 300) from its seed corpus and regression
# inputs, FUZZ_JOBS (default 1) harnesses at a time. New corpus entries and crash inputs stay in
# build/fuzz/fuzz/work/<harness>/ (a crash input belongs in fuzz/regressions/<harness>/
# once the bug is fixed). Prints the executions of each harness and exits non-zero if
# any harness crashed. FUZZ_TARGETS="http jws" limits the run to those harnesses.
set -euo pipefail
cd "$(dirname "$0")/.."
FUZZ_SECONDS=${FUZZ_SECONDS:-300}
FUZZ_JOBS=${FUZZ_JOBS:-1}
ALL=$(sed -n 's/^ow_fuzzer(\([a-z_]*\) .*/\1/p' fuzz/CMakeLists.txt)
TARGETS=${FUZZ_TARGETS:-$ALL}

cmake --preset fuzz >/dev/null
targets=()
for t in $TARGETS; do targets+=("${t}_fuzzer"); done
cmake --build build/fuzz --target "${targets[@]}"

# One harness: its summary line goes to $work/summary, its exit status is the harness's.
fuzz_one() {
  local t=$1 work=build/fuzz/fuzz/work/$1 rc=0 execs rate
  mkdir -p "$work/corpus" "$work/artifacts"
  local log=$work/fuzz.log
  echo "fuzz: $t for ${FUZZ_SECONDS}s (log: $log)"
  build/fuzz/fuzz/${t}_fuzzer -max_total_time="$FUZZ_SECONDS" -timeout=10 -rss_limit_mb=4096 \
    -print_final_stats=1 -artifact_prefix="$work/artifacts/" \
    "$work/corpus" "fuzz/corpus/$t" "fuzz/regressions/$t" >"$log" 2>&1 || rc=$?
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
  if ((rc != 0)); then
    printf '%-16s %12s execs %8s exec/s  CRASHED (see %s)\n' "$t" "${execs:-?}" "${rate:-?}" \
      "$work/artifacts" >"$work/summary"
    grep -m1 -E 'ERROR: (AddressSanitizer|libFuzzer|UndefinedBehaviorSanitizer)|runtime error' "$log" || true
  else
    printf '%-16s %12s execs %8s exec/s  ok\n' "$t" "${execs:-?}" "${rate:-?}" >"$work/summary"
  fi
  return $rc
}

status=0
running=0
for t in $TARGETS; do
  if ((running >= FUZZ_JOBS)); then
    wait -n || status=1
    running=$((running - 1))
  fi
  fuzz_one "$t" &
  running=$((running + 1))
done
while ((running > 0)); do
  wait -n || status=1
  running=$((running - 1))
done
echo "fuzz summary (${FUZZ_SECONDS}s each, $FUZZ_JOBS at a time):"
for t in $TARGETS; do printf '  %s' "$(cat "build/fuzz/fuzz/work/$t/summary")"; echo; done
exit $status
