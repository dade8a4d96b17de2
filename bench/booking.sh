#!/usr/bin/env bash
# Booking throughput (issue 15; see bench/README.md, "Appointments"):
#   1. bookings/s: CONNECTIONS wrk connections book random open slots of a bench hall for
#      PERSONS verified residents (POST /api/v1/bookings: the person's row lock, the limits,
#      the slot's conditional counter, the booking row, the notification, one transaction),
#      against the same server's plain authenticated write (a counter clerk's walk-in
#      number: one transaction, two rows), alternating, ROUNDS times: reported as a ratio;
#   2. contention: the integration test's 10,000 concurrent attempts on slots of known
#      capacity (appointments_test, DISABLED_TenThousandAttempts), on SQLite and, when
#      ONEWINDOW_TEST_PG_URL is set, PostgreSQL: 0 over-booked, 0 double-booked, every
#      refusal a 409.
#
#   bash bench/booking.sh     # about 2 minutes
#
# Knobs: BIN (build/release/onewindow), TESTS (build/dev/tests: where appointments_test is),
# SECONDS_LOAD (6), CONNECTIONS (16), PERSONS (64), ROUNDS (2), PG_URL (a PostgreSQL for a
# second server; empty: SQLite only), SKIP_CONTENTION=1.
# Only 127.0.0.1 is contacted; every process started here is stopped on exit.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
BIN=${BIN:-$ROOT/build/release/onewindow}
TESTS=${TESTS:-$ROOT/build/dev/tests}
SECONDS_LOAD=${SECONDS_LOAD:-6}
CONNECTIONS=${CONNECTIONS:-16}
PERSONS=${PERSONS:-64}
ROUNDS=${ROUNDS:-2}
PG_URL=${PG_URL:-}
STAMP=$(date -u +%Y%m%dT%H%M%SZ)-booking
OUT=$ROOT/bench/results/$STAMP
mkdir -p "$OUT"
ln -sfn "$STAMP" "$ROOT/bench/results/latest"
SUMMARY=$OUT/summary.md
TMP=$(mktemp -d /tmp/ow-bench-booking.XXXXXX)
# shellcheck source=bench/lib.sh
source "$ROOT/bench/lib.sh"
say() { echo "$*" >>"$SUMMARY"; }
ADMIN=bench-admin-token-0123456789
status_of() { awk -v s="status $2:" '$1" "$2 == s { print $3 }' "$1"; }

[[ -x "$BIN" ]] || die "no $BIN (build it, or set BIN)"
say "# Appointments: bookings/s against a plain authenticated write"
say ""
say "date: $(date -u +%Y-%m-%dT%H:%M:%SZ), binary: $BIN, $(nproc) cores, wrk -t1 -c$CONNECTIONS -d${SECONDS_LOAD}s, $PERSONS residents"
say ""
say "| store | round | booking attempts/s | answers 201 / 409 | walk-ins/s (reference) | ratio |"
say "|---|---|---|---|---|---|"

run_store() {
  local store=$1 url=$2 dir=$TMP/$1
  mkdir -p "$dir"
  ONEWINDOW_KEY_FILE=$dir/keys.json "$BIN" --database "$url" seed-demo >"$OUT/seed-$store.txt" 2>&1 ||
    die "seed-demo on $store (see $OUT/seed-$store.txt)"
  start_server "$store" "$url" ONEWINDOW_KEY_FILE="$dir/keys.json" ONEWINDOW_ADMIN_TOKEN=$ADMIN \
    ONEWINDOW_REGISTRATION_IP_LIMIT=100000 ONEWINDOW_BOOKING_MAX_ACTIVE=100 \
    ONEWINDOW_BOOKING_PER_ITEM_PER_DAY=100
  local base=http://127.0.0.1:$SERVER_PORT
  node "$ROOT/bench/booking-setup.mjs" "$base" "$ADMIN" "$PERSONS" "$dir" >>"$OUT/setup-$store.txt"
  local r book walk ok
  for r in $(seq "$ROUNDS"); do
    wrk_run "$OUT/book-$store-$r.txt" -t1 -c"$CONNECTIONS" -d"${SECONDS_LOAD}s" --latency \
      -s "$ROOT/bench/booking.lua" "$base" -- book "$dir"
    wrk_run "$OUT/walkin-$store-$r.txt" -t1 -c"$CONNECTIONS" -d"${SECONDS_LOAD}s" --latency \
      -s "$ROOT/bench/booking.lua" "$base" -- walkin "$dir"
    book=$(rps "$OUT/book-$store-$r.txt")
    walk=$(rps "$OUT/walkin-$store-$r.txt")
    ok=$(status_of "$OUT/book-$store-$r.txt" 201)
    local other
    other=$(awk '/^status / && $2 != "201:" && $2 != "409:" { n += $3 } END { print n + 0 }' "$OUT/book-$store-$r.txt")
    [[ "$other" == 0 ]] || die "$other booking answers other than 201 and 409 (see $OUT/book-$store-$r.txt)"
    say "| $store | $r | $book | ${ok:-0} / $(status_of "$OUT/book-$store-$r.txt" 409) | $walk | **$(div "$book" "$walk")** |"
  done
  stop_pid "$SERVER_PID"
  forget "$SERVER_PID"
}

run_store sqlite "sqlite:$TMP/bench.db"
if [[ -n "$PG_URL" ]]; then run_store postgres "$PG_URL"; fi

if [[ -z "${SKIP_CONTENTION:-}" ]]; then
  say ""
  say "## Contention: 10,000 concurrent booking attempts"
  say ""
  log "contention: 10,000 attempts (appointments_test)"
  start=$(now)
  "$TESTS/appointments_test" --gtest_also_run_disabled_tests --gtest_filter='*AppointmentsBench*' \
    >"$OUT/contention.txt" 2>&1 || die "contention test failed (see $OUT/contention.txt)"
  say '```'
  grep -E '^\[ +(OK|SKIPPED|FAILED) +\]' "$OUT/contention.txt" >>"$SUMMARY" || true
  say '```'
  say "wall time: $(since "$start") s"
fi
cat "$SUMMARY"
