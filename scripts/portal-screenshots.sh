#!/usr/bin/env bash
# Regenerates docs/screenshots/*.png: every main page of the portal at 1440x900 and 375x812
# (zh-CN, and the home page in English too), taken by the accessibility test in Chromium
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
ls docs/screenshots
