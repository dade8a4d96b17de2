#!/usr/bin/env bash
# Workflow engine benchmark (see bench/README.md, "Workflow engine"): ow::workflow against
# npm bpmn-engine, in the same run, on the same BPMN file (src/workflow/testdata/
# parallel_approval.bpmn: fork -> two departments approve -> join -> end), in memory, one
# instance after another, start to completion with both user tasks completed through each
# engine's API. Target: ours at least 10 times faster per instance.
#
#   bash bench/workflow.sh          # alone (about 1 minute), or called by bench/run.sh
#
# The two sides alternate, ROUNDS times: build/release/bench/ow_workflow_bench
# (bench/workflow_bench.cc) then node bench/workflow/bpmn_engine_bench.mjs, each measuring
# two modes: "preparsed" (the definition parsed once, every instance started from it: the
# target's figure) and "parse" (the XML parsed again for every instance). Every loop is
# bounded in count and time.
# Knobs: ROUNDS (2), WF_SECONDS (3, per mode and side), WF_MAX_OURS (2000000),
# WF_MAX_NODE (20000), WF_FILE, SKIP_BUILD=1. From bench/run.sh: OUT, SUMMARY.
# Needs node 20 and bench/workflow/node_modules (installed here with `npm ci` from the
# committed lock file when missing). Starts no server; contacts nothing.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
BIN=$ROOT/build/release/bench/ow_workflow_bench
ROUNDS=${ROUNDS:-2}
WF_SECONDS=${WF_SECONDS:-3}
WF_MAX_OURS=${WF_MAX_OURS:-2000000}
WF_MAX_NODE=${WF_MAX_NODE:-20000}
WF_FILE=${WF_FILE:-$ROOT/src/workflow/testdata/parallel_approval.bpmn}
STANDALONE=""
if [[ -z "${OUT:-}" ]]; then
  STANDALONE=1
  STAMP=$(date -u +%Y%m%dT%H%M%SZ)-workflow
  OUT=$ROOT/bench/results/$STAMP
  mkdir -p "$OUT"
  ln -sfn "$STAMP" "$ROOT/bench/results/latest"
fi
SUMMARY=${SUMMARY:-$OUT/summary.md}
TMP=$(mktemp -d /tmp/ow-bench-workflow.XXXXXX)
# shellcheck source=bench/lib.sh
source "$ROOT/bench/lib.sh"  # log, die, div, verdict, loadavg; removes TMP on exit
say() { echo "$*" >>"$SUMMARY"; }
((ROUNDS >= 1 && ROUNDS <= 10)) || die "ROUNDS must be 1 to 10"

if [[ -n "$STANDALONE" ]]; then
  if [[ -z "${SKIP_BUILD:-}" ]]; then
    log "building ow_workflow_bench (release preset)"
    { cmake --preset release && cmake --build --preset release --target ow_workflow_bench; } \
      >"$OUT/build.log" 2>&1 || { tail -n 30 "$OUT/build.log" >&2; die "build (see $OUT/build.log)"; }
  fi
  : >"$SUMMARY"
  say "# OneWindow workflow benchmark $STAMP"
  say ""
  say '```'
  {
    echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
    echo "host: $(nproc) cores, $(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo), $(uname -r)"
    echo "commit: $(git rev-parse --short HEAD 2>/dev/null || echo unknown)$(git diff --quiet 2>/dev/null || echo ' (with uncommitted changes)')"
    echo "loadavg at start: $(loadavg)"
  } | tee "$OUT/workflow-environment.txt" >>"$SUMMARY"
  say '```'
fi
[[ -x "$BIN" ]] || die "$BIN is missing (cmake --build --preset release --target ow_workflow_bench)"
[[ -f "$WF_FILE" ]] || die "$WF_FILE is missing"
if [[ ! -f bench/workflow/node_modules/bpmn-engine/package.json ]]; then
  log "installing bench/workflow's npm packages (npm ci, the committed lock file)"
  (cd bench/workflow && npm ci --no-audit --no-fund --loglevel=error >/dev/null) || die "npm ci in bench/workflow"
fi
echo "node: $(node --version); $(cd bench/workflow && node -e 'console.log("bpmn-engine " + require("./node_modules/bpmn-engine/package.json").version)')" \
  >>"$OUT/workflow-environment.txt"

field() { sed -n "s/.*\"mode\":\"$2\".*\"$3\":\\([0-9.]*\\).*/\\1/p" "$1"; }

declare -A SUM=([ours-preparsed]=0 [ours-parse]=0 [node-preparsed]=0 [node-parse]=0)
: >"$TMP/rows.md"
WF_T0=$(now)
for round in $(seq "$ROUNDS"); do
  log "workflow round $round: ow::workflow"
  echo "# loadavg before: $(loadavg)" >"$OUT/workflow-$round-ours.txt"
  "$BIN" "$WF_FILE" "$WF_MAX_OURS" "$WF_SECONDS" >>"$OUT/workflow-$round-ours.txt" \
    || die "ow_workflow_bench (see $OUT/workflow-$round-ours.txt)"
  log "workflow round $round: bpmn-engine"
  echo "# loadavg before: $(loadavg)" >"$OUT/workflow-$round-node.txt"
  node bench/workflow/bpmn_engine_bench.mjs "$WF_FILE" "$WF_MAX_NODE" "$WF_SECONDS" \
    >>"$OUT/workflow-$round-node.txt" || die "bpmn_engine_bench.mjs (see $OUT/workflow-$round-node.txt)"
  for mode in preparsed parse; do
    o=$(field "$OUT/workflow-$round-ours.txt" "$mode" us_per_instance)
    on=$(field "$OUT/workflow-$round-ours.txt" "$mode" instances)
    n=$(field "$OUT/workflow-$round-node.txt" "$mode" us_per_instance)
    nn=$(field "$OUT/workflow-$round-node.txt" "$mode" instances)
    [[ -n "$o" && -n "$n" ]] || die "round $round $mode: no figure (see $OUT/workflow-$round-*.txt)"
    SUM[ours-$mode]=$(awk -v a="${SUM[ours-$mode]}" -v b="$o" 'BEGIN { print a + b }')
    SUM[node-$mode]=$(awk -v a="${SUM[node-$mode]}" -v b="$n" 'BEGIN { print a + b }')
    printf '| %s | %s | %.2f (%s instances) | %.0f (%s instances) | %s |\n' "$round" "$mode" "$o" "$on" \
      "$n" "$nn" "$(div "$n" "$o")" >>"$TMP/rows.md"
  done
done

RATIO_PRE=$(div "${SUM[node-preparsed]}" "${SUM[ours-preparsed]}")
RATIO_PARSE=$(div "${SUM[node-parse]}" "${SUM[ours-parse]}")
say ""
say "## Workflow engine: ow::workflow against npm bpmn-engine, $(basename "$WF_FILE"), µs per instance start to completion (lower is better)"
say ""
say "$(tail -n1 "$OUT/workflow-environment.txt"). One instance after another in one thread each; every instance starts, both user tasks are completed through the engine's API, and it must complete. preparsed = the definition parsed once (the target's figure); parse = the XML parsed for every instance. ${WF_SECONDS} s per mode and side, alternating, $ROUNDS rounds."
say ""
say "| round | mode | ow::workflow µs | bpmn-engine µs | ratio (bpmn-engine / ours) |"
say "|---|---|---|---|---|"
cat "$TMP/rows.md" >>"$SUMMARY"
say ""
say "| target | figure | verdict |"
say "|---|---|---|"
say "| ours >= 10x faster per instance than bpmn-engine (preparsed, all rounds) | **${RATIO_PRE}x** | $(verdict "$RATIO_PRE >= 10") |"
say "| the same with the XML parsed for every instance (not the target) | ${RATIO_PARSE}x | $(verdict "$RATIO_PARSE >= 10") |"
say ""
say "workflow benchmark took $(since "$WF_T0") s; loadavg at end: $(loadavg)"
log "workflow benchmark done: ratio ${RATIO_PRE}x (preparsed), ${RATIO_PARSE}x (parse); raw outputs in $OUT"
[[ -n "$STANDALONE" ]] && cat "$SUMMARY"
exit 0
