#!/usr/bin/env bash
# Issue 17's indicator benchmark (bench/README.md, "Indicators"), per store:
#   1. a fresh database: `onewindow seed-demo`, then `ow_gen_cases --count CASES` (cases,
#      their events and ratings, and the indicator rollups they leave, in batches of 2,000
#      cases, one transaction each), timed;
#   2. `ow_indicators_bench` on it: the query mix of GET /api/v1/indicators (month, week and
#      day x child region, department and item, with the previous period and the ranking)
#      with p50 / p99, the query plans, and a case's transitions with and without keeping
#      the aggregates (same process, same database, alternating).
#
#   bash bench/indicators.sh                              # both stores, 1,000,000 cases
#   CASES=100000 STORES=sqlite bash bench/indicators.sh   # a quick run
#
# Knobs: CASES (1000000), STORES ("sqlite postgres"), READS (200 per query), LIVES (200
# case lives each way), END (2026-11-30: the last day of the generated year), BUILD
# (build/release), SKIP_BUILD=1, PG_URL (a PostgreSQL server to create the database
# indicators_bench in; empty: a throwaway cluster with fsync on, stopped at the end).
# Prints the load average before and after each step: the machine is shared.
# Only 127.0.0.1 is contacted; every process started here is stopped on exit.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
CASES=${CASES:-1000000}
STORES=${STORES:-sqlite postgres}
READS=${READS:-200}
LIVES=${LIVES:-200}
END=${END:-2026-11-30}
BUILD=${BUILD:-$ROOT/build/release}
PG_URL=${PG_URL:-}
STAMP=$(date -u +%Y%m%dT%H%M%SZ)-indicators
OUT=$ROOT/bench/results/$STAMP
mkdir -p "$OUT"
ln -sfn "$STAMP" "$ROOT/bench/results/latest"
TMP=$(mktemp -d /tmp/ow-bench-indicators.XXXXXX)
BIN=$BUILD/onewindow
# shellcheck source=bench/lib.sh
source "$ROOT/bench/lib.sh"

if [[ -z "${SKIP_BUILD:-}" ]]; then
  log "building the release preset (onewindow, ow_gen_cases, ow_indicators_bench)"
  { cmake --preset release && cmake --build --preset release --target onewindow ow_gen_cases \
    ow_indicators_bench; } >"$OUT/build.log" 2>&1 || die "build (see $OUT/build.log)"
fi
for b in "$BIN" "$BUILD/bench/ow_gen_cases" "$BUILD/bench/ow_indicators_bench"; do
  [[ -x "$b" ]] || die "no $b (build it, or set BUILD)"
done

run_store() {
  local store=$1 url=$2 t
  export ONEWINDOW_KEY_FILE=$TMP/keys-$store.json
  log "$store: seed-demo (load $(loadavg))"
  "$BIN" --database "$url" seed-demo --dir demo >"$OUT/seed-$store.txt" 2>&1 ||
    die "seed-demo on $store (see $OUT/seed-$store.txt)"
  log "$store: ow_gen_cases --count $CASES (load $(loadavg))"
  t=$(now)
  "$BUILD/bench/ow_gen_cases" --database "$url" --count "$CASES" --seed 1 --end "$END" \
    >"$OUT/gen-$store.txt" 2>&1 || die "ow_gen_cases on $store (see $OUT/gen-$store.txt)"
  echo "wall time $(since "$t") s, load average after: $(loadavg)" >>"$OUT/gen-$store.txt"
  if [[ $store == postgres ]]; then
    psql -q "$url" -c "VACUUM ANALYZE" -c "CHECKPOINT" >>"$OUT/gen-$store.txt" 2>&1
  fi
  log "$store: ow_indicators_bench (load $(loadavg))"
  {
    echo "load average before: $(loadavg)"
    "$BUILD/bench/ow_indicators_bench" "$url" --reads "$READS" --lives "$LIVES"
    echo "load average after: $(loadavg)"
  } >"$OUT/bench-$store.txt" 2>&1 || die "ow_indicators_bench on $store (see $OUT/bench-$store.txt)"
  echo "=== $store"
  cat "$OUT/gen-$store.txt" "$OUT/bench-$store.txt"
}

# Everything below is also written to summary.txt (no pipe: PGDIR must stay in this shell
# for the cleanup trap).
exec > >(tee -a "$OUT/summary.txt") 2>&1
echo "# Indicators: $CASES generated cases, $(date -u +%Y-%m-%dT%H:%M:%SZ), $(nproc) cores, commit $(git rev-parse --short HEAD 2>/dev/null || echo '?')"
echo "uptime: $(uptime)"
for store in $STORES; do
  case $store in
    sqlite) run_store sqlite "sqlite:$TMP/indicators.db" ;;
    postgres)
      command -v psql >/dev/null || die "psql is needed for PostgreSQL"
      if [[ -z "$PG_URL" ]]; then
        PGDIR=$(mktemp -d /tmp/ow-bench-pg.XXXXXX)
        PG_URL=$(scripts/start-postgres.sh "$PGDIR") || die "start-postgres"
      fi
      psql -q "$PG_URL" -c "DROP DATABASE IF EXISTS indicators_bench" \
        -c "CREATE DATABASE indicators_bench" >/dev/null
      run_store postgres "${PG_URL%/*}/indicators_bench"
      psql -q "$PG_URL" -c "DROP DATABASE IF EXISTS indicators_bench" >/dev/null || true
      ;;
    *) die "unknown store $store" ;;
  esac
done
echo "uptime at the end: $(uptime)"
log "results in $OUT"
