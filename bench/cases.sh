#!/usr/bin/env bash
# Durability benchmark of case submission (issue 5; see bench/README.md, "Cases"):
#   1. reference: the disk's one-fsync-per-commit rate, measured in the same run on the
#      same database by build/release/bench/ow_commit_bench (one thread, one row per
#      transaction; SQLite WAL with synchronous=FULL, PostgreSQL with fsync on);
#   2. throughput: CONNECTIONS clients POST /api/v1/cases (a real submission: form
#      validated against the item's schema, acceptance task, event, message) for SECONDS;
#      target >= 10x the reference (group commit);
#   3. kill -9: the same load for KILL_SECONDS, the server killed with SIGKILL after
#      KILL_AFTER seconds, restarted on the same database; every tracking number answered
#      201 (recorded and flushed by the client before its next request) is looked up
#      again: the count of lost ones must be 0.
# On SQLite (a file under /var/tmp, on disk) and, unless SKIP_POSTGRES=1, PostgreSQL.
#
#   bash bench/cases.sh             # alone (about 2 minutes), or called by bench/run.sh
#
# Knobs: SECONDS_LOAD (8), CONNECTIONS (64), KILL_SECONDS (10), KILL_AFTER (4),
# SKIP_POSTGRES=1, SKIP_BUILD=1; from bench/run.sh: OUT, SUMMARY, PG_URL.
# Only 127.0.0.1 is contacted; every process started here is stopped on exit.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
BIN=$ROOT/build/release/onewindow
COMMIT=$ROOT/build/release/bench/ow_commit_bench
LOAD=$ROOT/build/release/bench/ow_case_load
SECONDS_LOAD=${SECONDS_LOAD:-8}
CONNECTIONS=${CONNECTIONS:-64}
KILL_SECONDS=${KILL_SECONDS:-10}
KILL_AFTER=${KILL_AFTER:-4}
STANDALONE=""
if [[ -z "${OUT:-}" ]]; then
  STANDALONE=1
  STAMP=$(date -u +%Y%m%dT%H%M%SZ)-cases
  OUT=$ROOT/bench/results/$STAMP
  mkdir -p "$OUT"
  ln -sfn "$STAMP" "$ROOT/bench/results/latest"
fi
SUMMARY=${SUMMARY:-$OUT/summary.md}
TMP=$(mktemp -d /tmp/ow-bench-cases.XXXXXX)
DATA=$(mktemp -d /var/tmp/ow-bench-cases.XXXXXX)  # on disk: /tmp may be memory
# shellcheck source=bench/lib.sh
source "$ROOT/bench/lib.sh"
trap 'cleanup; rm -rf "$DATA"' EXIT
say() { echo "$*" >>"$SUMMARY"; }

if [[ -n "$STANDALONE" ]]; then
  if [[ -z "${SKIP_BUILD:-}" ]]; then
    log "building the release preset (onewindow, ow_commit_bench, ow_case_load)"
    { cmake --preset release && cmake --build --preset release --target onewindow ow_commit_bench ow_case_load; } \
      >"$OUT/build.log" 2>&1 || { tail -n 30 "$OUT/build.log" >&2; die "build (see $OUT/build.log)"; }
  fi
  {
    echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
    echo "host: $(nproc) cores, $(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo), $(uname -r)"
    echo "commit: $(git rev-parse --short HEAD 2>/dev/null || echo unknown)$(git diff --quiet 2>/dev/null || echo ' (with uncommitted changes)')"
    echo "loadavg at start: $(loadavg)"
  } >"$OUT/environment.txt"
  : >"$SUMMARY"
  say "# OneWindow case durability benchmark $STAMP"
  say ""
  say '```'
  cat "$OUT/environment.txt" >>"$SUMMARY"
  say '```'
fi
for b in "$BIN" "$COMMIT" "$LOAD"; do [[ -x "$b" ]] || die "$b is missing"; done

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
# the load applies for and prints them as the JSON array of the application's materials
# (the server refuses applications without them).
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

store_run() {
  local name=$1 url=$2 serial line rate errors ratio port cookie csrf kill_line acked lost per_batch mats
  log "$name: seeding the demo data"
  "$BIN" --database "$url" seed-demo --dir demo >"$OUT/seed-$name.log" 2>&1 || die "seed-demo $name"
  line=$("$COMMIT" "$url" 3 16 | tee "$OUT/commit-$name.txt" | sed -n 's/.* serial: \([0-9]*\) commits.*/\1/p')
  serial=${line:-0}
  log "$name: one fsync per commit: $serial commits/s"

  start_server "$name" "$url"
  port=$SERVER_PORT
  read -r cookie csrf < <(login "$port")
  mats=$(materials "$port" "$cookie" "$csrf") || die "uploading the materials failed"
  "$LOAD" submit "$port" "$cookie" "$csrf" "$SECONDS_LOAD" "$CONNECTIONS" "$TMP/ack-$name-load" \
    "$mats" >"$OUT/load-$name.txt"
  line=$(cat "$OUT/load-$name.txt")
  rate=$(awk '{ print $8 }' <<<"$line")
  errors=$(awk '{ print $4 }' <<<"$line")
  ratio=$(div "$rate" "$serial")
  per_batch=$(curl -s "http://127.0.0.1:$port/metrics" | awk '
    /^onewindow_db_group_commit_transactions_total/ { t = $2 }
    /^onewindow_db_group_commit_batches_total/ { b = $2 }
    END { if (b > 0) printf "%.1f", t / b; else print "n/a" }')
  log "$name: $line -> ${ratio}x, $per_batch submissions per commit"

  log "$name: kill -9 after $KILL_AFTER s of a $KILL_SECONDS s load"
  "$LOAD" submit "$port" "$cookie" "$csrf" "$KILL_SECONDS" "$CONNECTIONS" "$TMP/ack-$name-kill" \
    "$mats" >"$OUT/kill-load-$name.txt" &
  local load_pid=$!
  sleep "$KILL_AFTER"
  kill -KILL "$SERVER_PID"
  wait "$SERVER_PID" 2>/dev/null || true
  forget "$SERVER_PID"
  wait "$load_pid"
  start_server "$name-restarted" "$url"
  "$LOAD" verify "$SERVER_PORT" "$cookie" "$TMP/ack-$name-kill" >"$OUT/verify-$name.txt" \
    2>"$OUT/verify-$name.stderr"
  kill_line=$(cat "$OUT/kill-load-$name.txt")
  acked=$(awk '{ print $2 }' "$OUT/verify-$name.txt")
  lost=$(awk '{ print $6 }' "$OUT/verify-$name.txt")
  log "$name: killed mid-load: $kill_line; after restart: $(cat "$OUT/verify-$name.txt")"
  stop_pid "$SERVER_PID"
  say "| $name | $serial | $rate | $per_batch | $errors | **${ratio}x** ($(verdict "$ratio >= 10")) | $acked | $(awk '{ print $4 }' <<<"$kill_line") | **$lost** ($(verdict "$lost == 0")) |"
}

say ""
say "## Case submission: group commit and kill -9 ($CONNECTIONS connections, ${SECONDS_LOAD} s; kill after ${KILL_AFTER} s)"
say ""
say "| store | one fsync per commit (commits/s) | submissions/s | submissions per commit | errors | ratio (>= 10) | 201s before kill -9 | failed requests during the kill | lost after restart (= 0) |"
say "|---|---|---|---|---|---|---|---|---|"
store_run sqlite "sqlite:$DATA/cases.db"
if [[ -z "${SKIP_POSTGRES:-}" ]]; then
  if [[ -z "${PG_URL:-}" ]]; then
    PGDIR=$(mktemp -d /tmp/ow-bench-pg.XXXXXX)
    PG_URL=$(scripts/start-postgres.sh "$PGDIR") || die "start-postgres"
  fi
  psql -q "$PG_URL" -c "DROP DATABASE IF EXISTS cases_bench" -c "CREATE DATABASE cases_bench" >/dev/null
  store_run postgres "${PG_URL%/*}/cases_bench"
fi
log "summary: $SUMMARY"
cat "$SUMMARY"
