#!/usr/bin/env bash
# Data exchange benchmark (see bench/README.md, "Data exchange"): signed (ES256), logged
# (hash-chained, in the answering transaction) and time-stamp-batched (RFC 3161, one token
# per ONEWINDOW_XLOG_STAMP_EVERY_ENTRIES entries) exchange queries per second, answered from
# the legal-person base, by the demo department system (client credentials, a grant for
# SCJG-QY-001) against the same server's plain authenticated GET with the same token
# (GET /api/v1/exchange/resources/SCJG-QY-001), alternating, ROUNDS times. Goal: >= 5,000
# queries/s. After the runs: the message log holds one entry per answered query and
# `onewindow verify-exchange-log` finds the chain and every time-stamp intact.
# On SQLite and, unless SKIP_POSTGRES=1, on a throwaway PostgreSQL 15 cluster.
#
#   bash bench/exchange.sh          # about 2 minutes per store
#
# Knobs: BIN (build/release/onewindow), SECONDS_PER_RUN (6), ROUNDS (2), CONNECTIONS (50), SKIP_SQLITE=1,
# STAMP_EVERY (1000), PERF (1 when perf is installed: one more query run under
# `perf record -g`, its top functions in perf-query.txt), SKIP_POSTGRES=1, SKIP_BUILD=1.
# Needs wrk, curl, node; psql for PostgreSQL. Only 127.0.0.1 is contacted; every process
# started here is stopped on exit.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
BIN=${BIN:-$ROOT/build/release/onewindow}
SECONDS_PER_RUN=${SECONDS_PER_RUN:-6}
ROUNDS=${ROUNDS:-2}
CONNECTIONS=${CONNECTIONS:-50}
STAMP_EVERY=${STAMP_EVERY:-1000}
PERF=${PERF:-$(command -v perf >/dev/null && echo 1 || echo 0)}
STAMP=$(date -u +%Y%m%dT%H%M%SZ)-exchange
OUT=$ROOT/bench/results/$STAMP
mkdir -p "$OUT"
ln -sfn "$STAMP" "$ROOT/bench/results/latest"
SUMMARY=$OUT/summary.md
TMP=$(mktemp -d /tmp/ow-bench-exchange.XXXXXX)
chmod 755 "$TMP"  # the throwaway PostgreSQL runs as the postgres user under it
# shellcheck source=bench/lib.sh
source "$ROOT/bench/lib.sh"  # helpers, and the traps that stop everything started here
say() { echo "$*" | tee -a "$SUMMARY"; }

if [[ -z "${SKIP_BUILD:-}" && "$BIN" == "$ROOT/build/release/onewindow" ]]; then
  log "building the release preset (onewindow)"
  { cmake --preset release && cmake --build --preset release --target onewindow; } \
    >"$OUT/build.log" 2>&1 || { tail -n 30 "$OUT/build.log" >&2; die "build (see $OUT/build.log)"; }
fi
[[ -x "$BIN" ]] || die "$BIN is missing"
{
  echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo "host: $(nproc) cores, $(uname -r)"
  echo "binary: $BIN ($(grep -s CMAKE_BUILD_TYPE "$(dirname "$BIN")/CMakeCache.txt" "$(dirname "$BIN")/../CMakeCache.txt" | head -n1 | cut -d= -f2))"
  echo "commit: $(git rev-parse --short HEAD)$(git diff --quiet || echo ' (with uncommitted changes)')"
  echo "loadavg at start: $(loadavg)"
  echo "busiest processes at start:"
  top -bn1 -o %CPU 2>/dev/null | sed -n '7,14p'
} >"$OUT/environment.txt"
: >"$SUMMARY"
say "# OneWindow data exchange benchmark $STAMP"
say ""
say '```'
cat "$OUT/environment.txt" >>"$SUMMARY"
say '```'
say ""
say "| store | round | plain GET req/s | queries/s | ratio | query p50 ms | query p99 ms | non-2xx |"
say "|---|---|---|---|---|---|---|---|"

SUBJECT=91330102MA2H00001L  # demo/exchange.json legal_person
CLIENT=demo-zwfw-330102
SECRET=OneWindow-demo-exchange-2026

run_store() {
  local store=$1 url=$2 keys=$TMP/keys-$1.json
  log "$store: seed-demo"
  ONEWINDOW_KEY_FILE=$keys "$BIN" --database "$url" seed-demo >"$OUT/seed-$store.txt" 2>&1 || die "seed-demo ($store)"
  start_server "$store" "$url" ONEWINDOW_KEY_FILE="$keys" ONEWINDOW_XLOG_STAMP_EVERY_ENTRIES="$STAMP_EVERY"
  local base=http://127.0.0.1:$SERVER_PORT token
  token=$(curl -sf -u "$CLIENT:$SECRET" -d grant_type=client_credentials "$base/oauth2/token" |
    node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{const b=JSON.parse(s);if(!/exchange:SCJG-QY-001/.test(b.scope))process.exit(1);process.stdout.write(b.access_token)})') ||
    die "no token with the scope exchange:SCJG-QY-001"
  # One query by hand: answered and signed.
  curl -sf -H "Authorization: Bearer $token" -H 'Content-Type: application/json' \
    -d "{\"subject\":\"$SUBJECT\",\"fields\":[\"name\",\"status\"],\"purpose\":\"benchmark\"}" \
    "$base/api/v1/exchange/resources/SCJG-QY-001/query" >"$OUT/sample-answer-$store.json" || die "sample query"
  local get=(-s bench/exchange.lua "$base" -- "$token" GET /api/v1/exchange/resources/SCJG-QY-001)
  local post=(-s bench/exchange.lua "$base" -- "$token" POST SCJG-QY-001 "$SUBJECT")
  wrk -t1 -c"$CONNECTIONS" -d1s "${get[@]}" >/dev/null
  wrk -t1 -c"$CONNECTIONS" -d1s "${post[@]}" >"$OUT/warmup-$store.txt"
  local answered=$(( $(requests "$OUT/warmup-$store.txt") - $(non2xx "$OUT/warmup-$store.txt") + 1 ))
  local round g q
  for round in $(seq "$ROUNDS"); do
    log "$store round $round: plain GET"
    wrk_run "$OUT/$store-$round-get.txt" -t1 -c"$CONNECTIONS" -d"${SECONDS_PER_RUN}s" --latency "${get[@]}"
    log "$store round $round: queries"
    wrk_run "$OUT/$store-$round-query.txt" -t1 -c"$CONNECTIONS" -d"${SECONDS_PER_RUN}s" --latency "${post[@]}"
    g=$(rps "$OUT/$store-$round-get.txt")
    q=$(rps "$OUT/$store-$round-query.txt")
    answered=$((answered + $(requests "$OUT/$store-$round-query.txt") - $(non2xx "$OUT/$store-$round-query.txt")))
    say "| $store | $round | $g | $q | $(div "$q" "$g") | $(pct "$OUT/$store-$round-query.txt" 50) | $(pct "$OUT/$store-$round-query.txt" 99) | $(non2xx "$OUT/$store-$round-query.txt") |"
  done
  if [[ "$PERF" == 1 ]]; then
    log "$store: perf record during one more query run"
    perf record -F 499 -g -p "$SERVER_PID" -o "$TMP/perf-$store.data" -- sleep "$SECONDS_PER_RUN" >/dev/null 2>&1 &
    local perf_pid=$!
    wrk -t1 -c"$CONNECTIONS" -d"${SECONDS_PER_RUN}s" "${post[@]}" >"$OUT/$store-perf-query.txt"
    wait "$perf_pid" || true
    answered=$((answered + $(requests "$OUT/$store-perf-query.txt") - $(non2xx "$OUT/$store-perf-query.txt")))
    perf report -i "$TMP/perf-$store.data" --no-children --sort symbol --stdio 2>/dev/null | grep -v '^#' | grep '%' | head -n 40 >"$OUT/perf-query-$store.txt" || true
  fi
  stop_pid "$SERVER_PID"
  # Every answered query is in the log, chained and time-stamped.
  "$BIN" --database "$url" verify-exchange-log >"$OUT/verify-$store.txt" 2>&1 || die "verify-exchange-log ($store): $(cat "$OUT/verify-$store.txt")"
  say ""
  say "$store: answered at least $answered queries; verify-exchange-log: $(tail -n1 "$OUT/verify-$store.txt")"
  say ""
}

if [[ -z "${SKIP_SQLITE:-}" ]]; then run_store sqlite "sqlite:$TMP/exchange.db"; fi
if [[ -z "${SKIP_POSTGRES:-}" ]]; then
  PGDIR=$TMP/pg
  PG_PORT=$(free_port)
  PG_URL=$("$ROOT/scripts/start-postgres.sh" "$PGDIR" "$PG_PORT" | tail -n1)
  run_store postgres "$PG_URL"
fi
log "summary in $SUMMARY"
