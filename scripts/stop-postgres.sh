#!/usr/bin/env bash
# Stops a cluster started by start-postgres.sh and removes its folder.
#   scripts/stop-postgres.sh DIR
set -uo pipefail
DIR=${1:?usage: stop-postgres.sh DIR}
BIN=/usr/lib/postgresql/15/bin
[[ -d "$DIR/data" ]] || exit 0
if [[ $(id -u) -eq 0 ]]; then
  runuser -u postgres -- "$BIN/pg_ctl" -D "$DIR/data" -m fast -w stop >/dev/null 2>&1
else
  "$BIN/pg_ctl" -D "$DIR/data" -m fast -w stop >/dev/null 2>&1
fi
rm -rf "$DIR"
