#!/usr/bin/env bash
# Starts a throwaway PostgreSQL 15 cluster for tests and benchmarks.
#   scripts/start-postgres.sh DIR [PORT]
# Prints the connection URL on stdout. Stop it with scripts/stop-postgres.sh DIR.
# ONEWINDOW_PG_NO_FSYNC=1 (make test sets it) trades crash safety of the PostgreSQL
# server itself for speed: fsync, synchronous_commit and full_page_writes off. Each test
# migrates a fresh schema (some thirty transactions): with fsync on that was 2 of a
# PostgreSQL test's 3 seconds. Nothing in the tests crashes PostgreSQL (they kill our
# server, whose commits PostgreSQL still holds). Benchmarks keep fsync on.
# As root the cluster runs as the postgres user (initdb refuses root).
set -euo pipefail
DIR=${1:?usage: start-postgres.sh DIR [PORT]}
PORT=${2:-}
BIN=/usr/lib/postgresql/15/bin
if [[ -z "$PORT" ]]; then
  # A random high port that nothing answers on.
  for _ in $(seq 50); do
    PORT=$((20000 + RANDOM % 40000))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null; then break; fi
  done
fi
as_owner() {
  if [[ $(id -u) -eq 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi
}
mkdir -p "$DIR"
if [[ $(id -u) -eq 0 ]]; then chown postgres:postgres "$DIR"; fi
if [[ ! -f "$DIR/data/PG_VERSION" ]]; then
  as_owner "$BIN/initdb" -D "$DIR/data" --auth=trust -U postgres -E UTF8 --locale=C.UTF-8 >"$DIR/initdb.log" 2>&1 \
    || { cat "$DIR/initdb.log" >&2; exit 1; }
fi
# fsync stays on unless asked: the durability benchmarks measure real commits.
OPTS="-p $PORT -k $DIR -c listen_addresses=127.0.0.1 -c max_connections=300 -c shared_buffers=256MB"
if [[ "${ONEWINDOW_PG_NO_FSYNC:-}" == 1 ]]; then
  OPTS+=" -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
fi
as_owner "$BIN/pg_ctl" -D "$DIR/data" -l "$DIR/server.log" -w -t 60 \
  -o "$OPTS" start >/dev/null \
  || { cat "$DIR/server.log" >&2; exit 1; }
echo "$PORT" >"$DIR/port"
echo "postgresql://postgres@127.0.0.1:$PORT/postgres"
