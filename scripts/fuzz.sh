#!/usr/bin/env bash
# Builds the libFuzzer harnesses (CMake preset "fuzz": clang-14, ASan, UBSan) and fuzzes
# each one in turn for FUZZ_SECONDS (default 300) from its seed corpus and regression
# inputs, one process at a time. New corpus entries and crash inputs stay in
# build/fuzz/fuzz/work/<harness>/ (a crash input belongs in fuzz/regressions/<harness>/
# once the bug is fixed). Prints the executions of each harness and exits non-zero if
# any harness crashed. FUZZ_TARGETS="http jws" limits the run to those harnesses.
set -euo pipefail
cd "$(dirname "$0")/.."
FUZZ_SECONDS=${FUZZ_SECONDS:-300}
ALL=$(sed -n 's/^ow_fuzzer(\([a-z_]*\) .*/\1/p' fuzz/CMakeLists.txt)
TARGETS=${FUZZ_TARGETS:-$ALL}

cmake --preset fuzz >/dev/null
targets=()
for t in $TARGETS; do targets+=("${t}_fuzzer"); done
cmake --build build/fuzz --target "${targets[@]}"

status=0
summary=()
for t in $TARGETS; do
  work=build/fuzz/fuzz/work/$t
  mkdir -p "$work/corpus" "$work/artifacts"
  log=$work/fuzz.log
  echo "fuzz: $t for ${FUZZ_SECONDS}s (log: $log)"
  rc=0
  build/fuzz/fuzz/${t}_fuzzer -max_total_time="$FUZZ_SECONDS" -timeout=10 -rss_limit_mb=4096 \
    -print_final_stats=1 -artifact_prefix="$work/artifacts/" \
    "$work/corpus" "fuzz/corpus/$t" "fuzz/regressions/$t" >"$log" 2>&1 || rc=$?
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
  if ((rc != 0)); then
    status=1
    summary+=("$(printf '%-16s %12s execs %8s exec/s  CRASHED (see %s)' "$t" "${execs:-?}" "${rate:-?}" "$work/artifacts")")
    grep -m1 -E 'ERROR: (AddressSanitizer|libFuzzer|UndefinedBehaviorSanitizer)|runtime error' "$log" || true
  else
    summary+=("$(printf '%-16s %12s execs %8s exec/s  ok' "$t" "${execs:-?}" "${rate:-?}")")
  fi
done
echo "fuzz summary (${FUZZ_SECONDS}s each):"
printf '  %s\n' "${summary[@]}"
exit $status
