#!/usr/bin/env bash
# Licence verification benchmark (see bench/README.md, "Licence verification"): public
# verifications of a licence's QR code over HTTP (POST /api/v1/licence-verifications:
# parse, SM2 signature with the seal's certificate, the licence's status from the
# database) against `openssl speed sm2` verify on the same cores, in the same run.
# Target: ours >= 0.5x OpenSSL's SM2 verifications per second.
#
#   bash bench/licences.sh          # alone (about 1 minute), or called by bench/run.sh
#
# OpenSSL's figure is `openssl speed -multi N sm2` with N = the number of cores (the
# server has every core too; wrk shares them with it). The server runs on SQLite with the
# demo data; sc.approver issues one licence to zhangsan, whose payload is then verified
# VERIFY_SECONDS at each of VERIFY_CONNECTIONS. Every loop is bounded in time.
# Knobs: VERIFY_SECONDS (5), VERIFY_CONNECTIONS ("4 16"), SKIP_BUILD=1. From bench/run.sh:
# OUT, SUMMARY. Only 127.0.0.1 is contacted; every process started here is stopped.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
BIN=$ROOT/build/release/onewindow
VERIFY_SECONDS=${VERIFY_SECONDS:-5}
VERIFY_CONNECTIONS=${VERIFY_CONNECTIONS:-4 16}
CORES=$(nproc)
STANDALONE=""
if [[ -z "${OUT:-}" ]]; then
  STANDALONE=1
  STAMP=$(date -u +%Y%m%dT%H%M%SZ)-licences
  OUT=$ROOT/bench/results/$STAMP
  mkdir -p "$OUT"
  ln -sfn "$STAMP" "$ROOT/bench/results/latest"
fi
SUMMARY=${SUMMARY:-$OUT/summary.md}
TMP=$(mktemp -d /tmp/ow-bench-licences.XXXXXX)
# shellcheck source=bench/lib.sh
source "$ROOT/bench/lib.sh"  # helpers, and the traps that stop everything started here
say() { echo "$*" >>"$SUMMARY"; }

if [[ -n "$STANDALONE" ]]; then
  if [[ -z "${SKIP_BUILD:-}" ]]; then
    log "building the release preset (onewindow)"
    { cmake --preset release && cmake --build --preset release --target onewindow; } \
      >"$OUT/build.log" 2>&1 || { tail -n 30 "$OUT/build.log" >&2; die "build (see $OUT/build.log)"; }
  fi
  : >"$SUMMARY"
  say "# OneWindow licence verification benchmark $STAMP"
  say ""
  say '```'
  say "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
  say "host: $CORES cores, $(uname -r); $(openssl version)"
  say "commit: $(git rev-parse --short HEAD 2>/dev/null || echo unknown)$(git diff --quiet 2>/dev/null || echo ' (with uncommitted changes)')"
  say "loadavg at start: $(loadavg)"
  say '```'
fi
[[ -x "$BIN" ]] || die "$BIN is missing"

# ---------------------------------------------------------------- reference
log "openssl speed -multi $CORES sm2 (reference)"
echo "# loadavg before: $(loadavg)" >"$OUT/licences-openssl-speed.txt"
openssl speed -seconds 3 -multi "$CORES" sm2 >>"$OUT/licences-openssl-speed.txt" 2>&1 || die "openssl speed sm2"
# The summary line: "sm2 (SM2)   sign/s   verify/s" (with -multi: "sm2 (SM2) ... sign/s verify/s" totals).
OSSL_VERIFY=$(awk '/^ *256 bits SM2|^sm2|SM2 \(/ { v = $NF } END { printf "%.0f", v }' "$OUT/licences-openssl-speed.txt")
[[ -n "$OSSL_VERIFY" && "$OSSL_VERIFY" != 0 ]] || die "could not read openssl speed (see $OUT/licences-openssl-speed.txt)"

# ---------------------------------------------------------------- the server
DB="sqlite:$TMP/licences.db"
KEYS=$TMP/keys.json
env ONEWINDOW_KEY_FILE="$KEYS" ONEWINDOW_LOG_LEVEL=warn "$BIN" --database "$DB" seed-demo --dir demo \
  >"$OUT/licences-seed.txt" 2>&1 || die "seed-demo (see $OUT/licences-seed.txt)"
start_server licences "$DB" ONEWINDOW_KEY_FILE="$KEYS" ONEWINDOW_COOKIE_SECURE=0
port=$SERVER_PORT
base="http://127.0.0.1:$port"
curl -fsS --max-time 10 -c "$TMP/jar" -H 'Content-Type: application/json' \
  -d '{"username":"sc.approver","password":"OneWindow-demo-2026"}' "$base/api/v1/session" >"$TMP/login.json" \
  || die "signing in as sc.approver"
csrf=$(node -e 'process.stdout.write(JSON.parse(require("fs").readFileSync(process.argv[1], "utf8")).csrf_token)' "$TMP/login.json")
curl -fsS --max-time 10 -b "$TMP/jar" -H "X-CSRF-Token: $csrf" -H 'Content-Type: application/json' \
  -d '{"type_code":"small_catering_permit","holder":{"kind":"person","id":"330102199003073017","name":"张三"},"fields":{"shop_name":"张三小吃","address":"杭州市上城区清河坊街1号"}}' \
  "$base/api/v1/licences" >"$OUT/licences-issued.json" || die "issuing the licence"
payload=$(node -e 'process.stdout.write(JSON.parse(require("fs").readFileSync(process.argv[1], "utf8")).qr_payload)' "$OUT/licences-issued.json")
curl -fsS --max-time 10 -H 'Content-Type: application/json' -d "{\"payload\":\"$payload\"}" \
  "$base/api/v1/licence-verifications" >"$OUT/licences-verified.json" || die "verifying once"
grep -q '"valid":true' "$OUT/licences-verified.json" || die "the licence does not verify as valid"

best=0
rows=""
for c in $VERIFY_CONNECTIONS; do
  log "verifications, $c connections"
  f="$OUT/licences-verify-c$c.txt"
  echo "# loadavg before: $(loadavg)" >"$f"
  wrk -t1 -c"$c" -d"${VERIFY_SECONDS}s" --latency -s bench/verify.lua "$base" -- "$payload" >>"$f" 2>&1 || die "wrk (see $f)"
  r=$(rps "$f")
  non2xx=$(awk '/Non-2xx/ { print $NF }' "$f")
  rows+="| $c | **$r** | $(pct "$f" 50) | $(pct "$f" 99) | ${non2xx:-0} | $(sockerr "$f") |"$'\n'
  ((r > best)) && best=$r
done
stop_pid "$SERVER_PID"

ratio=$(div "$best" "$OSSL_VERIFY")
say ""
say "## Licence verification (POST /api/v1/licence-verifications, one payload, wrk -t1 -d${VERIFY_SECONDS}s --latency -s bench/verify.lua; SQLite; target ours/OpenSSL >= 0.5)"
say ""
say "OpenSSL reference: \`openssl speed -seconds 3 -multi $CORES sm2\`: **$OSSL_VERIFY** SM2 verifications/s on $CORES cores."
say ""
say "| connections | verifications/s | p50 ms | p99 ms | non-2xx | socket errors c/r/w/timeout |"
say "|---|---|---|---|---|---|"
printf '%s' "$rows" >>"$SUMMARY"
say ""
say "| target | figure | verdict |"
say "|---|---|---|"
say "| verifications/s >= 0.5x openssl speed sm2 verify (same cores) | $best / $OSSL_VERIFY = **${ratio}x** | $(verdict "$ratio >= 0.5") |"
log "licence verification benchmark done: $best/s against $OSSL_VERIFY/s (${ratio}x)"
[[ -n "$STANDALONE" ]] && cat "$SUMMARY"
exit 0
