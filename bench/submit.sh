#!/usr/bin/env bash
# Issue 18's benchmarks of case submission, each a ratio of two figures measured in the
# same run, alternating (ROUNDS times) so that drift on this shared machine hits both:
#   1. durable against durability off, on each store: SQLite WAL synchronous=FULL against
#      synchronous=OFF (the URL's ?synchronous=off), PostgreSQL fsync=on against fsync=off
#      (ALTER SYSTEM + reload on the benchmark's own cluster); target >= 0.8;
#   2. PostgreSQL against SQLite (both durable); target >= 0.7;
#   3. (CLUSTER=1) one server on the Patroni pair with synchronous replication (through
#      HAProxy, scripts/cluster.sh) against the same server on a single PostgreSQL;
#   4. (CLUSTER=1) two nodes against one, on the same cores: the cluster's node1 alone,
#      then node1 and node2 each given half the connections.
# Every load is bench/case_load.cc: CONNECTIONS keep-alive clients POST /api/v1/cases (a
# real submission with three materials) for SECONDS_LOAD seconds. Also reported per
# submission: round trips to the database (the server's onewindow_db_round_trips_total;
# on SQLite, statements), submissions per group commit, and where the CPU went (CPU
# milliseconds per submission of the server(s), of PostgreSQL's processes and of the load
# generator, from /proc and /usr/bin/time).
#
#   SKIP_BUILD=1 bash bench/submit.sh            # stores only (about 3 minutes)
#   SKIP_BUILD=1 CLUSTER=1 bash bench/submit.sh  # and the cluster (scripts/cluster.sh up/down)
#
# Knobs: SECONDS_LOAD (8), CONNECTIONS (64), ROUNDS (2), SKIP_SQLITE=1, SKIP_POSTGRES=1,
# CLUSTER=1, PG_URL (a running PostgreSQL; default: one started here under /tmp; fsync is
# switched on it, so never point it at a shared server). Only 127.0.0.1 is contacted; every
# process started here is stopped on exit (the cluster with scripts/cluster.sh down).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
BIN=${BIN:-$ROOT/build/release/onewindow}  # BIN=... measures another build (e.g. before a change)
LOAD=${LOAD:-$ROOT/build/release/bench/ow_case_load}
SECONDS_LOAD=${SECONDS_LOAD:-8}
CONNECTIONS=${CONNECTIONS:-64}
ROUNDS=${ROUNDS:-2}
STAMP=$(date -u +%Y%m%dT%H%M%SZ)-submit
OUT=$ROOT/bench/results/$STAMP
mkdir -p "$OUT"
SUMMARY=$OUT/summary.md
TMP=$(mktemp -d /tmp/ow-bench-submit.XXXXXX)
DATA=$(mktemp -d /var/tmp/ow-bench-submit.XXXXXX)  # on disk: /tmp may be memory
CLUSTER_DIR=${OW_CLUSTER_DIR:-/tmp/onewindow-cluster}
CLUSTER_STARTED=""
# shellcheck source=bench/lib.sh
source "$ROOT/bench/lib.sh"
finish() {
  cleanup
  rm -rf "$DATA"
  if [[ -n "$CLUSTER_STARTED" ]]; then
    OW_CLUSTER_DIR=$CLUSTER_DIR "$ROOT/scripts/cluster.sh" down >>"$OUT/cluster.log" 2>&1 || true
  fi
}
trap finish EXIT
say() { echo "$*" >>"$SUMMARY"; }

if [[ -z "${SKIP_BUILD:-}" ]]; then
  log "building the release preset (onewindow, ow_case_load)"
  { cmake --preset release && cmake --build --preset release --target onewindow ow_case_load; } \
    >"$OUT/build.log" 2>&1 || { tail -n 30 "$OUT/build.log" >&2; die "build (see $OUT/build.log)"; }
fi
for b in "$BIN" "$LOAD"; do [[ -x "$b" ]] || die "$b is missing"; done
{
  echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo "host: $(nproc) cores, $(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo), $(uname -r)"
  echo "commit: $(git rev-parse --short HEAD 2>/dev/null || echo unknown)$(git diff --quiet 2>/dev/null || echo ' (with uncommitted changes)')"
  echo "loadavg at start: $(loadavg)"
  echo "connections: $CONNECTIONS, seconds per load: $SECONDS_LOAD, rounds: $ROUNDS"
} >"$OUT/environment.txt"
: >"$SUMMARY"
say "# OneWindow case submission benchmark $STAMP"
say ""
say '```'
cat "$OUT/environment.txt" >>"$SUMMARY"
say '```'

# login PORT: prints "COOKIE CSRF" of a session of the demo resident zhangsan.
login() {
  local port=$1 headers body cookie csrf
  headers=$TMP/login.headers
  body=$(curl -sS -D "$headers" -H 'Content-Type: application/json' \
    -d '{"username":"zhangsan","password":"OneWindow-demo-2026"}' "http://127.0.0.1:$port/api/v1/session")
  cookie=$(sed -n 's/^[Ss]et-[Cc]ookie: \(ow_session=[^;]*\).*/\1/p' "$headers" | head -n1)
  csrf=$(sed -n 's/.*"csrf_token":"\([^"]*\)".*/\1/p' <<<"$body")
  [[ -n "$cookie" && -n "$csrf" ]] || die "login failed: $body"
  echo "$cookie $csrf"
}

# materials PORT COOKIE CSRF: uploads a small PDF for each required material of the item
# and prints them as the application's JSON array of materials.
materials() {
  node -e '
const [port, cookie, csrf] = process.argv.slice(1);
const base = `http://127.0.0.1:${port}`;
(async () => {
  const item = await (await fetch(`${base}/api/v1/catalog/items/3301-SCJG-GTDJ`)).json();
  const out = [];
  for (const m of item.item.materials) {
    if (!m.required || m.form === "paper") continue;
    const r = await fetch(`${base}/api/v1/materials?filename=copy.pdf`, {
      method: "POST",
      headers: { Cookie: cookie, "X-CSRF-Token": csrf, "Content-Type": "application/pdf" },
      body: "%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n",
    });
    if (r.status !== 201) throw new Error(`upload: ${r.status} ${await r.text()}`);
    out.push({ id: (await r.json()).id, name: m.name });
  }
  console.log(JSON.stringify(out));
})().catch((e) => { console.error(e.message); process.exit(1); });' "$@"
}

# ticks PID...: CPU time (user + system, in clock ticks, all threads) used so far by PIDs.
ticks() {
  local p t=0 v
  for p in "$@"; do
    v=$(awk '{ print $14 + $15 }' "/proc/$p/stat" 2>/dev/null || echo 0)
    t=$((t + v))
  done
  echo "$t"
}
# pg_pids POSTMASTER_PID: the postmaster and its children (backends, WAL writer, ...).
pg_pids() {
  local pm=$1
  echo "$pm"
  awk -v pm="$pm" '{ if ($4 == pm) print $1 }' /proc/[0-9]*/stat 2>/dev/null || true
}
metric() {  # metric PORT NAME: the counter's value, 0 when the server has no such metric
  curl -s "http://127.0.0.1:$1/metrics" | awk -v n="$2" '$1 == n { v = $2 } END { printf "%d\n", v + 0 }'
}

# load TAG PG_POSTMASTER "PORT..." : the load spread over the servers on PORTs (which must
# have logged in as COOKIE/CSRF and hold MATS). Prints
#   "rate errors round_trips_per_submission per_commit server_ms pg_ms load_ms".
load() {
  local tag=$1 pm=$2 ports n per p i rate=0 errors=0 subs=0 rt0=0 rt1=0 g0=0 g1=0 b0=0 b1=0
  local server_pids=() pgp=() s0 s1 q0 q1 lms=0
  read -r -a ports <<<"$3"
  n=${#ports[@]}
  per=$((CONNECTIONS / n))
  for p in "${ports[@]}"; do
    server_pids+=("$(ss -Htlnp "sport = :$p" | sed -n 's/.*pid=\([0-9]*\).*/\1/p' | head -n1)")
    rt0=$((rt0 + $(metric "$p" onewindow_db_round_trips_total)))
    g0=$((g0 + $(metric "$p" onewindow_db_group_commit_transactions_total)))
    b0=$((b0 + $(metric "$p" onewindow_db_group_commit_batches_total)))
  done
  [[ -n "$pm" ]] && mapfile -t pgp < <(pg_pids "$pm")
  s0=$(ticks "${server_pids[@]}")
  q0=0
  [[ -n "$pm" ]] && q0=$(ticks "${pgp[@]}")
  i=0
  local lpids=()
  for p in "${ports[@]}"; do
    /usr/bin/time -f '%U %S' -o "$TMP/time-$tag-$i" \
      "$LOAD" submit "$p" "$COOKIE" "$CSRF" "$SECONDS_LOAD" "$per" "$TMP/ack-$tag-$i" "$MATS" \
      >"$OUT/load-$tag-$i.txt" &
    lpids+=($!)
    i=$((i + 1))
  done
  for p in "${lpids[@]}"; do wait "$p"; done
  s1=$(ticks "${server_pids[@]}")
  q1=0
  [[ -n "$pm" ]] && q1=$(ticks "${pgp[@]}")
  for ((i = 0; i < n; i++)); do
    read -r -a f <"$OUT/load-$tag-$i.txt"
    subs=$((subs + f[1]))
    errors=$((errors + f[3]))
    rate=$(awk -v a="$rate" -v b="${f[7]}" 'BEGIN { print a + b }')
    lms=$(awk -v a="$lms" -v f="$TMP/time-$tag-$i" 'BEGIN { getline l < f; split(l, x, " "); print a + (x[1] + x[2]) * 1000 }')
  done
  for p in "${ports[@]}"; do
    rt1=$((rt1 + $(metric "$p" onewindow_db_round_trips_total)))
    g1=$((g1 + $(metric "$p" onewindow_db_group_commit_transactions_total)))
    b1=$((b1 + $(metric "$p" onewindow_db_group_commit_batches_total)))
  done
  awk -v rate="$rate" -v e="$errors" -v s="$subs" -v rt=$((rt1 - rt0)) -v g=$((g1 - g0)) \
    -v b=$((b1 - b0)) -v sv=$((s1 - s0)) -v pg=$((q1 - q0)) -v lg="$lms" 'BEGIN {
      if (s < 1) s = 1
      printf "%.0f %d %.1f %.1f %.3f %.3f %.3f\n", rate, e, rt / s, (b > 0 ? g / b : 0),
        sv * 10 / s, pg * 10 / s, lg / s }'
}

# prepare_session PORT: logs in and uploads the materials once (COOKIE, CSRF, MATS).
prepare_session() {
  read -r COOKIE CSRF < <(login "$1")
  MATS=$(materials "$1" "$COOKIE" "$CSRF") || die "uploading the materials failed"
}

ROWS=()  # summary rows
row() { ROWS+=("$*"); }
# fields LINE: "rate errors rt per_commit server_ms pg_ms load_ms" -> table cells
cells() {
  read -r -a f <<<"$1"
  echo "${f[0]} | ${f[1]} | ${f[2]} | ${f[3]} | ${f[4]} | ${f[5]} | ${f[6]}"
}
sum_rate() { awk '{ s += $1 } END { print s + 0 }'; }

declare -A RATE  # RATE[store-mode] = sum of rates over the rounds

store_bench() {  # store_bench NAME DURABLE_URL OFF_URL PG_POSTMASTER
  local name=$1 durable=$2 off=$3 pm=$4 round mode url line
  log "$name: seeding the demo data"
  "$BIN" --database "$durable" seed-demo --dir demo >"$OUT/seed-$name.log" 2>&1 || die "seed-demo $name"
  RATE[$name-durable]=0
  RATE[$name-off]=0
  for ((round = 1; round <= ROUNDS; round++)); do
    for mode in durable off; do
      url=$durable
      if [[ $mode == off ]]; then
        url=$off
        [[ $name == postgres ]] && pg_fsync off
      fi
      start_server "$name-$mode-$round" "$url"
      prepare_session "$SERVER_PORT"
      line=$(load "$name-$mode-$round" "$pm" "$SERVER_PORT")
      stop_pid "$SERVER_PID"
      [[ $name == postgres && $mode == off ]] && pg_fsync on
      log "$name $mode round $round: $line"
      row "| $name | $mode | $round | $(cells "$line") |"
      RATE[$name-$mode]=$(awk -v a="${RATE[$name-$mode]}" -v b="${line%% *}" 'BEGIN { print a + b }')
    done
  done
}

pg_fsync() {  # pg_fsync on|off on the benchmark's own PostgreSQL
  psql -q "$PG_ADMIN_URL" -c "ALTER SYSTEM SET fsync = $1" -c "SELECT pg_reload_conf()" >/dev/null
  sleep 0.3
  local now
  now=$(psql -Atq "$PG_ADMIN_URL" -c "SHOW fsync")
  [[ $now == "$1" ]] || die "fsync is $now, not $1"
}

if [[ -z "${SKIP_SQLITE:-}" ]]; then
  store_bench sqlite "sqlite:$DATA/cases.db" "sqlite:$DATA/cases.db?synchronous=off" ""
fi
PG_PM=""
if [[ -z "${SKIP_POSTGRES:-}" ]]; then
  if [[ -z "${PG_URL:-}" ]]; then
    PGDIR=$(mktemp -d /tmp/ow-bench-pg.XXXXXX)
    PG_URL=$(scripts/start-postgres.sh "$PGDIR") || die "start-postgres"
  fi
  PG_ADMIN_URL=$PG_URL
  psql -q "$PG_URL" -c "ALTER SYSTEM SET fsync = on" -c "SELECT pg_reload_conf()" >/dev/null
  psql -q "$PG_URL" -c "DROP DATABASE IF EXISTS submit_bench" -c "CREATE DATABASE submit_bench" >/dev/null
  PG_PM=$(psql -Atq "$PG_URL" -c "SELECT pid FROM pg_stat_activity WHERE backend_type = 'checkpointer'" | head -n1)
  PG_PM=$(awk '{ print $4 }' "/proc/$PG_PM/stat")  # the checkpointer's parent: the postmaster
  store_bench postgres "${PG_URL%/*}/submit_bench" "${PG_URL%/*}/submit_bench" "$PG_PM"
fi

say ""
say "## Case submissions, $CONNECTIONS connections, ${SECONDS_LOAD} s per load, $ROUNDS rounds alternating"
say ""
say "CPU columns: milliseconds of CPU per submission (server process; PostgreSQL's postmaster and backends; the load generator)."
say ""
say "| store | durability | round | submissions/s | errors | round trips per submission | submissions per commit | server CPU ms | PostgreSQL CPU ms | load generator CPU ms |"
say "|---|---|---|---|---|---|---|---|---|---|"
for r in "${ROWS[@]}"; do say "$r"; done
say ""
verdict() { awk -v x="$1" -v t="$2" 'BEGIN { if (x == "n/a") print "n/a"; else if (x >= t) print "met"; else print "not met" }'; }
if [[ -z "${SKIP_SQLITE:-}" ]]; then
  r=$(div "${RATE[sqlite-durable]}" "${RATE[sqlite-off]}")
  say "- SQLite durable / synchronous=OFF: **${r}x** (target >= 0.8: $(verdict "$r" 0.8))"
fi
if [[ -z "${SKIP_POSTGRES:-}" ]]; then
  r=$(div "${RATE[postgres-durable]}" "${RATE[postgres-off]}")
  say "- PostgreSQL durable / fsync=off: **${r}x** (target >= 0.8: $(verdict "$r" 0.8))"
fi
if [[ -z "${SKIP_SQLITE:-}" && -z "${SKIP_POSTGRES:-}" ]]; then
  r=$(div "${RATE[postgres-durable]}" "${RATE[sqlite-durable]}")
  say "- PostgreSQL / SQLite, both durable: **${r}x** (target >= 0.7: $(verdict "$r" 0.7))"
fi

if [[ -n "${CLUSTER:-}" ]]; then
  log "cluster: scripts/cluster.sh up --nodes 2 --seed-demo"
  CLUSTER_STARTED=1
  OW_CLUSTER_DIR=$CLUSTER_DIR OW_CLUSTER_BINARY=$BIN "$ROOT/scripts/cluster.sh" up --nodes 2 --seed-demo \
    >"$OUT/cluster.log" 2>&1 || { tail -n 20 "$OUT/cluster.log" >&2; die "cluster up"; }
  # shellcheck disable=SC1091
  source "$CLUSTER_DIR/secrets.env"
  CLUSTER_URL="postgresql://onewindow:${PG_APP_PASSWORD}@127.0.0.1:${OW_CLUSTER_HAPROXY_PORT:-54400}/onewindow"
  primary_pm() {  # the postmaster of the member Patroni reports as primary
    local n
    for n in 1 2; do
      if curl -sf -m 2 "http://127.0.0.1:$((58010 + n))/primary" >/dev/null 2>&1; then
        head -n1 "$CLUSTER_DIR/pg/pg$n/postmaster.pid"
        return
      fi
    done
  }
  CROWS=()
  declare -A CR
  CR[single]=0 CR[cluster]=0 CR[one]=0 CR[two]=0
  [[ -n "$PG_PM" ]] || die "CLUSTER=1 needs the single PostgreSQL (do not set SKIP_POSTGRES)"
  for ((round = 1; round <= ROUNDS; round++)); do
    # 3. The same server (this script's settings) on the single PostgreSQL, then on the cluster.
    start_server "single-$round" "${PG_URL%/*}/submit_bench"
    prepare_session "$SERVER_PORT"
    line=$(load "single-$round" "$PG_PM" "$SERVER_PORT")
    stop_pid "$SERVER_PID"
    CROWS+=("| single PostgreSQL (fsync on) | 1 | $round | $(cells "$line") |")
    CR[single]=$(awk -v a="${CR[single]}" -v b="${line%% *}" 'BEGIN { print a + b }')
    log "single round $round: $line"
    start_server "cluster-$round" "$CLUSTER_URL" ONEWINDOW_DATA_KEYS="$ONEWINDOW_DATA_KEYS" \
      ONEWINDOW_INDEX_KEY="$ONEWINDOW_INDEX_KEY"
    prepare_session "$SERVER_PORT"
    line=$(load "cluster-$round" "$(primary_pm)" "$SERVER_PORT")
    stop_pid "$SERVER_PID"
    CROWS+=("| Patroni pair, synchronous replication, via HAProxy | 1 | $round | $(cells "$line") |")
    CR[cluster]=$(awk -v a="${CR[cluster]}" -v b="${line%% *}" 'BEGIN { print a + b }')
    log "cluster round $round: $line"
    # 4. The cluster's own nodes (2 handler threads, 1 I/O thread, 8 connections each):
    #    node1 alone, then node1 and node2 with half the connections each.
    prepare_session 18081
    line=$(load "one-node-$round" "$(primary_pm)" "18081")
    CROWS+=("| cluster, node1 alone | 1 | $round | $(cells "$line") |")
    CR[one]=$(awk -v a="${CR[one]}" -v b="${line%% *}" 'BEGIN { print a + b }')
    log "one node round $round: $line"
    line=$(load "two-nodes-$round" "$(primary_pm)" "18081 18082")
    CROWS+=("| cluster, node1 + node2 | 2 | $round | $(cells "$line") |")
    CR[two]=$(awk -v a="${CR[two]}" -v b="${line%% *}" 'BEGIN { print a + b }')
    log "two nodes round $round: $line"
  done
  say ""
  say "## The cluster (scripts/cluster.sh: etcd, Patroni pair in synchronous mode, HAProxy; nodes on the same 2 cores)"
  say ""
  say "| database | nodes | round | submissions/s | errors | round trips per submission | submissions per commit | server CPU ms | PostgreSQL (primary) CPU ms | load generator CPU ms |"
  say "|---|---|---|---|---|---|---|---|---|---|"
  for r in "${CROWS[@]}"; do say "$r"; done
  say ""
  say "- cluster (synchronous replication) / single PostgreSQL: **$(div "${CR[cluster]}" "${CR[single]}")x**"
  say "- two nodes / one node: **$(div "${CR[two]}" "${CR[one]}")x**"
fi
log "summary: $SUMMARY"
cat "$SUMMARY"
