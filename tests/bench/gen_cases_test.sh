#!/usr/bin/env bash
# ow_gen_cases on a seeded database: the counts it prints are what the tables hold, the
# ids continue after a second run, the same seed gives the same cases, and the server
# still starts on the result. SQLite always; PostgreSQL too when ONEWINDOW_TEST_PG_URL is
# set (a fresh database in it, dropped at the end).
#   gen_cases_test.sh ONEWINDOW OW_GEN_CASES SOURCE_DIR
set -euo pipefail
BIN=$1 GEN=$2 SRC=$3
TMP=$(mktemp -d)
PGDB=""
cleanup() {
  rm -rf "$TMP"
  if [[ -n "$PGDB" ]]; then psql -q "$ONEWINDOW_TEST_PG_URL" -c "DROP DATABASE IF EXISTS $PGDB" >/dev/null 2>&1 || true; fi
}
trap cleanup EXIT
fail() { echo "gen_cases_test: $*" >&2; exit 1; }

check() {  # check URL QUERY-TOOL...
  local url=$1; shift
  "$BIN" --database "$url" seed-demo --dir "$SRC/demo" >/dev/null 2>&1 || fail "seed-demo $url"
  local out
  out=$("$GEN" --database "$url" --count 400 --seed 7 --end 2026-12-06 --batch 500) || fail "gen $url"
  echo "$out"
  [[ $out == *"generated 400 cases (ids 1 to 400)"* ]] || fail "first run: $out"
  local events ratings
  events=$(sed -n 's/.*cases (ids [0-9]* to [0-9]*), \([0-9]*\) events, \([0-9]*\) ratings.*/\1/p' <<<"$out")
  ratings=$(sed -n 's/.*events, \([0-9]*\) ratings.*/\1/p' <<<"$out")
  [[ $("$@" "SELECT count(*) FROM cases") == 400 ]] || fail "cases count"
  [[ $("$@" "SELECT count(*) FROM case_events") == "$events" ]] || fail "events count"
  [[ $("$@" "SELECT count(*) FROM ratings") == "$ratings" ]] || fail "ratings count"
  [[ $("$@" "SELECT sum(ratings) FROM rating_counts") == "$ratings" ]] || fail "rating_counts"
  (( $("$@" "SELECT count(DISTINCT status) FROM cases") >= 6 )) || fail "statuses"
  (( $("$@" "SELECT count(*) FROM cases WHERE status = 'closed'") > 200 )) || fail "closed"
  [[ $("$@" "SELECT count(*) FROM case_tasks WHERE status = 'open'") == $("$@" "SELECT count(*) FROM cases WHERE status = 'submitted'") ]] || fail "open tasks"
  # The indicators: every kind of rollup holds the same totals as the tables (kind 0 by day,
  # 7 the finest by month): submissions, decisions, deliveries, ratings.
  for kind in 0 7; do
    [[ $("$@" "SELECT sum(submitted) FROM indicator_rollups WHERE kind = $kind") == 400 ]] || fail "indicators submitted (kind $kind)"
    [[ $("$@" "SELECT sum(decided) FROM indicator_rollups WHERE kind = $kind") == $("$@" "SELECT count(*) FROM case_events WHERE action = 'decided'") ]] || fail "indicators decided (kind $kind)"
    [[ $("$@" "SELECT sum(delivered) FROM indicator_rollups WHERE kind = $kind") == $("$@" "SELECT count(*) FROM case_events WHERE action = 'delivered'") ]] || fail "indicators delivered (kind $kind)"
    [[ $("$@" "SELECT sum(ratings) FROM indicator_rollups WHERE kind = $kind") == "$ratings" ]] || fail "indicators ratings (kind $kind)"
  done
  # A second run continues the ids; the same seed makes the same cases.
  out=$("$GEN" --database "$url" --count 100 --seed 7 --end 2026-12-06) || fail "gen again"
  [[ $out == *"(ids 401 to 500)"* ]] || fail "second run: $out"
  [[ $("$@" "SELECT count(*) FROM cases a JOIN cases b ON b.id = a.id + 400 WHERE a.id <= 100 AND a.item_code = b.item_code AND a.created_at = b.created_at AND a.status = b.status") == 100 ]] || fail "same seed, other cases"
  # The server starts on it (migrations see nothing to do) and a new case gets the next id.
  "$BIN" --database "$url" migrate >/dev/null 2>&1 || fail "migrate $url"
}

check "sqlite:$TMP/g.db" sqlite3 "$TMP/g.db"
if [[ -n "${ONEWINDOW_TEST_PG_URL:-}" ]]; then
  PGDB="gen_cases_test_$$"
  psql -q "$ONEWINDOW_TEST_PG_URL" -c "CREATE DATABASE $PGDB" >/dev/null
  base=${ONEWINDOW_TEST_PG_URL%/*}
  check "$base/$PGDB" psql -qtAX "$base/$PGDB" -c
  # The identity sequence is past the ids written.
  [[ $(psql -qtAX "$base/$PGDB" -c "SELECT nextval(pg_get_serial_sequence('cases', 'id'))") == 501 ]] || fail "sequence"
elif [[ -n "${ONEWINDOW_TEST_REQUIRE_PG:-}" ]]; then
  fail "ONEWINDOW_TEST_PG_URL is not set"
fi
echo "gen_cases_test: ok"
