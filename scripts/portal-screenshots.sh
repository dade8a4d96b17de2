#!/usr/bin/env bash
# Regenerates docs/screenshots/*.png: every main page of the portal at 1440x900 and 375x812
# (zh-CN, and the home page in English too), taken by the accessibility tests in Chromium
# against a fresh demo server. Usage: scripts/portal-screenshots.sh [PRESET] (default dev).
set -euo pipefail
cd "$(dirname "$0")/.."
PRESET=${1:-dev}
cmake --preset "$PRESET" >/dev/null
cmake --build --preset "$PRESET" --target onewindow
bash scripts/build-web.sh
bash scripts/install-deps.sh
rm -f docs/screenshots/*.png
(cd tests/tools && node portal-e2e.mjs a11y --binary "../../build/$PRESET/onewindow" --source "$PWD/../.." \
  --screenshots "$PWD/../../docs/screenshots")
# The pages of bookings, service halls, notifications, tickets and the supervisor console, taken by their own browser
# tests where they run axe (zh-CN at both sizes, and the elderly mode on the desktop).
(cd tests/tools && for t in e2e-booking.mjs e2e-halls.mjs e2e-notify.mjs "e2e-tickets.mjs a11y" e2e-console.mjs e2e-fetchdata.mjs; do
  OW_SCREENSHOTS="$PWD/../../docs/screenshots" node $t --binary "../../build/$PRESET/onewindow" --source "$PWD/../.."
done)
ls docs/screenshots
