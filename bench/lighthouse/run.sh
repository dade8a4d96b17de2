#!/usr/bin/env bash
# Lighthouse scores of the portal (docs/lighthouse.md): installs lighthouse 12.2.3 here from
# package-lock.json when missing, builds the server and the portal when out of date, and
# runs run.mjs against a fresh demo server. Usage: bench/lighthouse/run.sh [PRESET [run.mjs
# options]] (dev; say --runs 5 or --pages apply,case).
set -euo pipefail
cd "$(dirname "$0")"
here=$PWD
root=$(cd ../.. && pwd)
PRESET=${1:-dev}
shift || true
[[ -d node_modules/lighthouse ]] || npm ci --no-audit --no-fund --loglevel=error
(cd "$root" && cmake --preset "$PRESET" >/dev/null && cmake --build --preset "$PRESET" --target onewindow >/dev/null)
bash "$root/scripts/build-web.sh"
node "$here/run.mjs" --binary "$root/build/$PRESET/onewindow" --source "$root" --out "$root/build/lighthouse" "$@"
