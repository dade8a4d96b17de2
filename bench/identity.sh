#!/usr/bin/env bash
# Identity benchmarks (see bench/README.md, "Identity"):
#   1. client-credentials tokens per second: POST /oauth2/token (grant_type=
#      client_credentials, client_secret_basic) for a confidential client signing with
#      ES256 and one signing with EdDSA, at TOKEN_CONNECTIONS connections; target
#      >= 5,000 tokens/s. References in the same run: GET /healthz on the same server at
#      the same connection count, right before (the HTTP ceiling of our server), and
#      `openssl speed` signing rates; a sample token of each client is verified with the
#      npm `jose` library against the server's JWKS (and a tampered one must fail), and
#      the audit log must hold one token.issued record per token answered;
#   2. password logins per second: POST /api/v1/session with the right password over
#      LOGIN_ACCOUNTS registered accounts, at LOGIN_CONNECTIONS connections. Reference:
#      the time of one argon2id verify at the server's parameters, measured in the same
#      run by build/release/bench/ow_identity_bench (bench/identity_bench.cc).
# On SQLite and, unless SKIP_POSTGRES=1, on PostgreSQL.
#
#   bash bench/identity.sh          # alone (about 4 minutes), or called by bench/run.sh
#
# Knobs: TOKEN_SECONDS (5), TOKEN_CONNECTIONS ("4 16 64"), LOGIN_SECONDS (5),
# LOGIN_CONNECTIONS ("2 4 8"), LOGIN_ACCOUNTS (32), PERF (1 when perf is installed:
# after the measured runs, profile the server during one more token run and one more
# login run; PERF=0 skips), SKIP_POSTGRES=1, SKIP_BUILD=1. From bench/run.sh: OUT,
# SUMMARY, PG_URL (a running cluster to create the identity database in).
# Needs wrk, node with tests/tools/node_modules (`npm ci` there), openssl, curl; psql for
# PostgreSQL; the sqlite3 command to count the audit records on SQLite (optional).
# Only 127.0.0.1 is contacted; every process started here is stopped on exit.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
BIN=$ROOT/build/release/onewindow
MICRO=$ROOT/build/release/bench/ow_identity_bench
TOKEN_SECONDS=${TOKEN_SECONDS:-5}
TOKEN_CONNECTIONS=${TOKEN_CONNECTIONS:-4 16 64}
LOGIN_SECONDS=${LOGIN_SECONDS:-5}
LOGIN_CONNECTIONS=${LOGIN_CONNECTIONS:-2 4 8}
LOGIN_ACCOUNTS=${LOGIN_ACCOUNTS:-32}
PERF=${PERF:-$(command -v perf >/dev/null && echo 1 || echo 0)}
CORES=$(nproc)
STANDALONE=""
if [[ -z "${OUT:-}" ]]; then
  STANDALONE=1
  STAMP=$(date -u +%Y%m%dT%H%M%SZ)-identity
  OUT=$ROOT/bench/results/$STAMP
  mkdir -p "$OUT"
  ln -sfn "$STAMP" "$ROOT/bench/results/latest"
fi
SUMMARY=${SUMMARY:-$OUT/summary.md}
TMP=$(mktemp -d /tmp/ow-bench-identity.XXXXXX)
# shellcheck source=bench/lib.sh
source "$ROOT/bench/lib.sh"  # helpers, and the traps that stop everything started here
say() { echo "$*" >>"$SUMMARY"; }
((LOGIN_ACCOUNTS >= 1 && LOGIN_ACCOUNTS <= 999)) || die "LOGIN_ACCOUNTS must be 1 to 999"

if [[ -n "$STANDALONE" ]]; then
  if [[ -z "${SKIP_BUILD:-}" ]]; then
    log "building the release preset (onewindow, ow_identity_bench)"
    { cmake --preset release && cmake --build --preset release --target onewindow ow_identity_bench; } \
      >"$OUT/build.log" 2>&1 || { tail -n 30 "$OUT/build.log" >&2; die "build (see $OUT/build.log)"; }
  fi
  {
    echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
    echo "host: $CORES cores, $(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo), $(uname -r)"
    echo "commit: $(git rev-parse --short HEAD 2>/dev/null || echo unknown)$(git diff --quiet 2>/dev/null || echo ' (with uncommitted changes)')"
    echo "wrk: $(wrk -v 2>&1 | head -n1)"
    echo "openssl: $(openssl version)"
    echo "loadavg at start: $(loadavg)"
    echo "busiest processes at start:"
    top -bn1 -o %CPU 2>/dev/null | sed -n '7,14p'
  } >"$OUT/environment.txt"
  : >"$SUMMARY"
  say "# OneWindow identity benchmark $STAMP"
  say ""
  say '```'
  cat "$OUT/environment.txt" >>"$SUMMARY"
  say '```'
fi
[[ -x "$BIN" ]] || die "$BIN is missing"
[[ -x "$MICRO" ]] || die "$MICRO is missing (cmake --build --preset release --target ow_identity_bench)"
[[ -f tests/tools/node_modules/jose/package.json ]] || die "jose is missing: (cd tests/tools && npm ci)"
IDENTITY_T0=$(now)
ADMIN=$(openssl rand -hex 24)

# ---------------------------------------------------------------- references
# Signing and verifying rates of OpenSSL itself on one core (the library our server
# signs with): sign/s of P-256 ECDSA and Ed25519.
log "openssl speed (reference)"
echo "# loadavg before: $(loadavg)" >"$OUT/identity-openssl-speed.txt"
openssl speed -seconds 3 ecdsap256 ed25519 >>"$OUT/identity-openssl-speed.txt" 2>&1 || die "openssl speed"
OSSL_ES256=$(awk '/bits ecdsa \(nistp256\)/ { printf "%.0f", $(NF - 1) }' "$OUT/identity-openssl-speed.txt")
OSSL_EDDSA=$(awk '/bits EdDSA \(Ed25519\)/ { printf "%.0f", $(NF - 1) }' "$OUT/identity-openssl-speed.txt")
[[ -n "$OSSL_ES256" && -n "$OSSL_EDDSA" ]] || die "could not read openssl speed (see $OUT/identity-openssl-speed.txt)"

# micro NAME: runs ow_identity_bench; the JSON goes to $OUT/identity-micro-NAME.json.
micro() {
  log "ow_identity_bench ($1)"
  echo "# loadavg before: $(loadavg)" >"$OUT/identity-micro-$1.txt"
  "$MICRO" --benchmark_min_time=1 --benchmark_out="$OUT/identity-micro-$1.json" \
    --benchmark_out_format=json >>"$OUT/identity-micro-$1.txt" 2>&1 || die "ow_identity_bench (see $OUT/identity-micro-$1.txt)"
}
# micro_time NAME BENCHMARK cpu|real: per-iteration time in microseconds.
micro_time() {
  node -e '
    const [file, name, kind] = process.argv.slice(1);
    const scale = { ns: 1e-3, us: 1, ms: 1e3, s: 1e6 };
    const b = JSON.parse(require("fs").readFileSync(file, "utf8")).benchmarks.find((x) => x.name.startsWith(name));
    if (!b) process.exit(1);
    process.stdout.write((b[kind + "_time"] * scale[b.time_unit]).toFixed(1));
  ' "$OUT/identity-micro-$1.json" "$2" "$3"
}

# ---------------------------------------------------------------- helpers
: >"$TMP/token.md"
: >"$TMP/login.md"
: >"$TMP/checks.md"
: >"$TMP/micro.md"
check_row() { echo "| $1 | $2 | $3 |" >>"$TMP/checks.md"; }

# resident_id N: a valid resident ID number (GB 11643-1999): district 330102, born
# 1990-01-01, sequence N, and the ISO 7064 MOD 11-2 check character.
resident_id() {
  local first17 w=(7 9 10 5 8 4 2 1 6 3 7 9 10 5 8 4 2) sum=0 i
  first17=$(printf '33010219900101%03d' "$1")
  for i in $(seq 0 16); do sum=$((sum + ${first17:i:1} * w[i])); done
  local checks=10X98765432
  echo "$first17${checks:sum % 11:1}"
}

# register_client PORT ALG: a confidential client-credentials client; prints
# "client_id basic" where basic is base64("client_id:client_secret").
register_client() {
  local port=$1 alg=$2 body
  body='{"name":"bench '$alg'","type":"confidential","grant_types":["client_credentials"],"scopes":["catalog.read"],"id_token_signed_response_alg":"'$alg'"}'
  curl -fsS --max-time 10 -H "Authorization: Bearer $ADMIN" -H 'Content-Type: application/json' \
    -d "$body" "http://127.0.0.1:$port/api/v1/oidc/clients" >"$TMP/client-$alg.json" || die "registering the $alg client"
  node -e '
    const k = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
    if (!k.client_id || !k.client_secret) process.exit(1);
    // RFC 6749 section 2.3.1: form-urlencode each part, then base64.
    const basic = Buffer.from(encodeURIComponent(k.client_id) + ":" + encodeURIComponent(k.client_secret)).toString("base64");
    process.stdout.write(k.client_id + " " + basic + "\n");
  ' "$TMP/client-$alg.json" || die "the $alg client registration has no client_id/client_secret"
}

# check_token NAME PORT ALG CLIENT_ID BASIC: one real token, verified by jose against the
# server's JWKS (signature, alg, kid = RFC 7638 thumbprint, exp), its claims checked;
# then the same token with one signature character changed, which jose must reject.
check_token() {
  local name=$1 port=$2 alg=$3 id=$4 basic=$5 payload
  curl -fsS --max-time 10 -H "Authorization: Basic $basic" -d grant_type=client_credentials \
    "http://127.0.0.1:$port/oauth2/token" >"$OUT/identity-token-$name-$alg.json" || die "$name: no $alg token"
  curl -fsS --max-time 10 "http://127.0.0.1:$port/oauth2/jwks" >"$TMP/jwks.json" || die "$name: GET /oauth2/jwks"
  node -e '
    const fs = require("fs");
    const [resp, jwks, alg, jwkOut, tokOut, badOut] = process.argv.slice(1);
    const t = JSON.parse(fs.readFileSync(resp, "utf8")).access_token;
    const h = JSON.parse(Buffer.from(t.split(".")[0], "base64url"));
    if (h.alg !== alg || h.typ !== "at+jwt") { console.error("header", JSON.stringify(h)); process.exit(1); }
    const k = JSON.parse(fs.readFileSync(jwks, "utf8")).keys.find((x) => x.kid === h.kid);
    if (!k) { console.error("no JWK with kid " + h.kid); process.exit(1); }
    fs.writeFileSync(jwkOut, JSON.stringify(k));
    fs.writeFileSync(tokOut, t);
    const i = t.length - 10;  // a character inside the signature
    fs.writeFileSync(badOut, t.slice(0, i) + (t[i] === "A" ? "B" : "A") + t.slice(i + 1));
  ' "$OUT/identity-token-$name-$alg.json" "$TMP/jwks.json" "$alg" "$TMP/jwk.json" "$TMP/token.txt" "$TMP/token-bad.txt" \
    || die "$name: the $alg token header or the JWKS is wrong"
  payload=$(node tests/tools/verify-jwt.mjs "$TMP/jwk.json" "$TMP/token.txt") || die "$name: jose rejects the $alg token"
  node -e '
    const [p, iss, id] = [JSON.parse(process.argv[1]), process.argv[2], process.argv[3]];
    const ok = p.iss === iss && p.aud === iss && p.client_id === id && p.sub === id &&
      p.scope === "catalog.read" && p.exp > p.iat && typeof p.jti === "string";
    if (!ok) { console.error("claims " + JSON.stringify(p)); process.exit(1); }
  ' "$payload" "http://127.0.0.1:$port" "$id" || die "$name: wrong claims in the $alg token"
  if node tests/tools/verify-jwt.mjs "$TMP/jwk.json" "$TMP/token-bad.txt" >/dev/null 2>&1; then
    die "$name: jose accepted a tampered $alg token"
  fi
  check_row "$name" "$alg token verified by jose 6 against /oauth2/jwks (alg, kid thumbprint, exp; iss, aud, sub, client_id, scope); tampered signature rejected" "ok"
}

# count_audit NAME URL ACTION: audit_log records of ACTION (the server must be stopped,
# so that its writer has flushed).
count_audit() {
  local url=$2 action=$3
  if [[ $url == sqlite:* ]]; then
    if command -v sqlite3 >/dev/null; then sqlite3 "${url#sqlite:}" "SELECT count(*) FROM audit_log WHERE action = '$action'"; else echo ""; fi
  else
    psql -qAt "$url" -c "SELECT count(*) FROM audit_log WHERE action = '$action'"
  fi
}

# cpu_ms PID: CPU time (user + system, all threads) the process has used so far, in ms.
CLK_TCK=$(getconf CLK_TCK)
cpu_ms() { awk -v hz="$CLK_TCK" '{ sub(/^.*\) /, ""); printf "%.0f", ($12 + $13) * 1000 / hz }' "/proc/$1/stat"; }
# per_req_us CPU_MS_BEFORE CPU_MS_AFTER REQUESTS: server CPU per request, microseconds.
per_req_us() { awk -v a="$1" -v b="$2" -v n="$3" 'BEGIN { if (n > 0) printf "%.0f", (b - a) * 1000 / n; else print "n/a" }'; }

# perf_during NAME PID SECONDS: profiles PID for SECONDS (in the background; sets PERF_PID).
perf_during() {
  perf record -F 499 -g -p "$2" -o "$OUT/identity-perf-$1.data" -- sleep "$3" >"$OUT/identity-perf-$1.log" 2>&1 &
  PERF_PID=$!
}
perf_report() {  # perf_report NAME: self time by library, and the hottest symbols
  perf report -i "$OUT/identity-perf-$1.data" --no-children --sort dso -g none --percent-limit 0.5 --stdio \
    >"$OUT/identity-perf-$1-dso.txt" 2>/dev/null || log "perf report $1 failed"
  perf report -i "$OUT/identity-perf-$1.data" --no-children --sort dso,symbol -g none --percent-limit 0.8 --stdio \
    >"$OUT/identity-perf-$1.txt" 2>/dev/null || log "perf report $1 failed"
  rm -f "$OUT/identity-perf-$1.data"
}

# ---------------------------------------------------------------- one store
# store_runs NAME DATABASE_URL
store_runs() {
  local name=$1 url=$2 port pid c t f id_es id_ed basic_es basic_ed line hz ce re we te user pw cpu0 cpu1 us
  # The bench registers its accounts from one address: lift the per-address registration
  # limit (identity.registration_ip_limit), which is not what is measured.
  start_server "identity-$name" "$url" ONEWINDOW_ADMIN_TOKEN="$ADMIN" ONEWINDOW_KEY_FILE="$TMP/keys-$name.json" \
    ONEWINDOW_REGISTRATION_IP_LIMIT=100000
  port=$SERVER_PORT
  pid=$SERVER_PID
  curl -fsS --max-time 5 -o /dev/null "http://127.0.0.1:$port/healthz" || die "$name: /healthz"

  # 1. tokens
  read -r id_es basic_es < <(register_client "$port" ES256)
  read -r id_ed basic_ed < <(register_client "$port" EdDSA)
  check_token "$name" "$port" ES256 "$id_es" "$basic_es"
  check_token "$name" "$port" EdDSA "$id_ed" "$basic_ed"
  local answered=2  # the two checked tokens
  declare -A args=(
    [healthz]="http://127.0.0.1:$port/healthz"
    [ES256]="-s bench/token.lua http://127.0.0.1:$port -- $basic_es"
    [EdDSA]="-s bench/token.lua http://127.0.0.1:$port -- $basic_ed"
  )
  for t in healthz ES256 EdDSA; do  # warm-up
    f=$OUT/identity-warmup-$name-$t.txt
    # shellcheck disable=SC2086
    wrk_run "$f" -t1 -c16 -d1s ${args[$t]}
    [[ $t == healthz ]] || answered=$((answered + $(requests "$f")))
  done
  for c in $TOKEN_CONNECTIONS; do
    for t in healthz ES256 EdDSA; do
      f=$OUT/identity-token-$name-c$c-$t.txt
      log "$name tokens: $t, $c connections"
      cpu0=$(cpu_ms "$pid")
      # shellcheck disable=SC2086
      wrk_run "$f" -t1 -c"$c" -d"${TOKEN_SECONDS}s" --latency ${args[$t]}
      cpu1=$(cpu_ms "$pid")
      # requests answered, plus those still in flight when wrk stopped (at most c)
      us=$(per_req_us "$cpu0" "$cpu1" "$(requests "$f")")
      read -r ce re we te < <(sockerr "$f")
      if [[ $t == healthz ]]; then
        hz=$(rps "$f")
        line="| $name | $c | GET /healthz (reference) | $hz | 1.00 | | $us |"
      else
        answered=$((answered + $(requests "$f")))
        local ossl=$OSSL_ES256
        [[ $t == EdDSA ]] && ossl=$OSSL_EDDSA
        line="| $name | $c | token, $t | **$(rps "$f")** | $(div "$(rps "$f")" "$hz") | $(div "$(rps "$f")" "$ossl") | $us |"
      fi
      echo "$line $(pct "$f" 50) | $(pct "$f" 99) | $(non2xx "$f") | $ce / $re / $we / $te |" >>"$TMP/token.md"
      echo "$name $c $t $(rps "$f") $(non2xx "$f") $((ce + re + we + te)) $us" >>"$TMP/token.raw"
    done
  done
  if [[ $PERF == 1 ]]; then
    c=16
    log "$name tokens: perf profile (ES256, $c connections; not in the figures)"
    perf_during "token-$name" "$pid" "$TOKEN_SECONDS"
    f=$OUT/identity-perf-token-$name-wrk.txt
    # shellcheck disable=SC2086
    wrk_run "$f" -t1 -c"$c" -d"$((TOKEN_SECONDS + 1))s" ${args[ES256]}
    wait "$PERF_PID" || log "perf record failed (see $OUT/identity-perf-token-$name.log)"
    answered=$((answered + $(requests "$f")))
    perf_report "token-$name"
  fi
  # The metrics of the audit writer are not exported; count what it wrote below.

  # 2. logins
  log "$name: registering $LOGIN_ACCOUNTS accounts"
  : >"$TMP/accounts-$name.txt"
  local i t0 reg_s
  for i in $(seq "$LOGIN_ACCOUNTS"); do
    printf 'bench%s%03d pw-%s\n' "$name" "$i" "$(openssl rand -hex 8)" >>"$TMP/accounts-$name.txt"
  done
  t0=$(now)
  i=0
  while read -r user pw; do
    i=$((i + 1))
    printf '%s\n' "{\"username\":\"$user\",\"password\":\"$pw\",\"real_name\":\"测试$i\",\"resident_id\":\"$(resident_id "$i")\"}"
  done <"$TMP/accounts-$name.txt" >"$TMP/account-bodies-$name.txt"
  # Two at a time (the server hashes at most one password per core at once).
  xargs -P 2 -d '\n' -I{} curl -fsS --max-time 30 -o /dev/null -H 'Content-Type: application/json' -d {} \
    "http://127.0.0.1:$port/api/v1/accounts" <"$TMP/account-bodies-$name.txt" || die "$name: registering the accounts"
  reg_s=$(since "$t0")
  check_row "$name" "$LOGIN_ACCOUNTS accounts registered (POST /api/v1/accounts, 2 at a time, one argon2id hash each) in $reg_s s" "ok"
  read -r user pw <"$TMP/accounts-$name.txt"
  curl -fsS --max-time 10 -D "$TMP/login.headers" -o "$OUT/identity-login-$name.json" -H 'Content-Type: application/json' \
    -d "{\"username\":\"$user\",\"password\":\"$pw\"}" "http://127.0.0.1:$port/api/v1/session" || die "$name: login"
  local cookie
  cookie=$(sed -n 's/^[Ss]et-[Cc]ookie: \(ow_session=[^;]*\).*/\1/p' "$TMP/login.headers" | tr -d '\r')
  [[ -n "$cookie" ]] || die "$name: the login set no ow_session cookie"
  curl -fsS --max-time 10 -o /dev/null -H "Cookie: $cookie" "http://127.0.0.1:$port/api/v1/session" \
    || die "$name: the new session is not accepted"
  [[ "$(curl -sS --max-time 10 -o /dev/null -w '%{http_code}' -H 'Content-Type: application/json' \
    -d "{\"username\":\"$user\",\"password\":\"wrong-$pw\"}" "http://127.0.0.1:$port/api/v1/session")" == 401 ]] \
    || die "$name: a wrong password did not answer 401"
  check_row "$name" "login answers 201 with an ow_session cookie that GET /api/v1/session accepts; a wrong password answers 401" "ok"
  local logins=1
  wrk_run "$OUT/identity-warmup-$name-login.txt" -t1 -c2 -d1s --timeout 10s -s bench/login.lua \
    "http://127.0.0.1:$port" -- "$TMP/accounts-$name.txt"
  logins=$((logins + $(requests "$OUT/identity-warmup-$name-login.txt")))
  for c in $LOGIN_CONNECTIONS; do
    f=$OUT/identity-login-$name-c$c.txt
    log "$name logins: $c connections"
    cpu0=$(cpu_ms "$pid")
    wrk_run "$f" -t1 -c"$c" -d"${LOGIN_SECONDS}s" --timeout 10s --latency -s bench/login.lua \
      "http://127.0.0.1:$port" -- "$TMP/accounts-$name.txt"
    cpu1=$(cpu_ms "$pid")
    logins=$((logins + $(requests "$f")))
    read -r ce re we te < <(sockerr "$f")
    echo "$name $c $(rps_exact "$f") $(pct "$f" 50) $(pct "$f" 99) $(non2xx "$f") $ce/$re/$we/$te $(per_req_us "$cpu0" "$cpu1" "$(requests "$f")")" >>"$TMP/login.raw"
  done
  if [[ $PERF == 1 ]]; then
    c=4
    log "$name logins: perf profile ($c connections; not in the figures)"
    perf_during "login-$name" "$pid" "$LOGIN_SECONDS"
    f=$OUT/identity-perf-login-$name-wrk.txt
    wrk_run "$f" -t1 -c"$c" -d"$((LOGIN_SECONDS + 1))s" --timeout 10s -s bench/login.lua \
      "http://127.0.0.1:$port" -- "$TMP/accounts-$name.txt"
    wait "$PERF_PID" || log "perf record failed (see $OUT/identity-perf-login-$name.log)"
    logins=$((logins + $(requests "$f")))
    perf_report "login-$name"
  fi
  stop_pid "$pid"

  # The audit writer flushed on shutdown: one token.issued per token served (more when
  # wrk stopped waiting for answers the server still gave: at most one per connection
  # per run), one login.succeeded per login.
  local audited audited_logins slack=0
  for c in $TOKEN_CONNECTIONS; do slack=$((slack + 2 * c)); done
  slack=$((slack + 2 * 16 + 2 * 16))  # warm-ups and the profiled run
  audited=$(count_audit "$name" "$url" token.issued)
  audited_logins=$(count_audit "$name" "$url" login.succeeded)
  if [[ -n "$audited" ]]; then
    local v="ok"
    ((audited >= answered && audited <= answered + slack)) || v="**NOT ok**"
    check_row "$name" "audit_log token.issued records: $audited; tokens answered to wrk and curl: $answered (the difference is at most the requests in flight when a wrk run ended, $slack here)" "$v"
    v="ok"
    ((audited_logins >= logins && audited_logins <= logins + 64)) || v="**NOT ok**"
    check_row "$name" "audit_log login.succeeded records: $audited_logins; logins answered: $logins" "$v"
  fi

  # The per-operation reference, in the same minutes as this store's runs.
  micro "$name"
  local verify_us verify2_us hash_us es_us ed_us
  verify_us=$(micro_time "$name" BM_VerifyPassword/process_time/real_time/threads:1 cpu)
  verify2_us=$(micro_time "$name" BM_VerifyPassword/process_time/real_time/threads:2 cpu)
  hash_us=$(micro_time "$name" BM_HashPassword cpu)
  es_us=$(micro_time "$name" "BM_SignAccessToken/0" cpu)
  ed_us=$(micro_time "$name" "BM_SignAccessToken/1" cpu)
  echo "| after $name | $(awk -v x="$hash_us" 'BEGIN { printf "%.1f", x / 1000 }') | $(awk -v x="$verify_us" 'BEGIN { printf "%.1f", x / 1000 }') | $(awk -v x="$verify2_us" 'BEGIN { printf "%.1f", x / 1000 }') | $es_us | $ed_us | $(micro_time "$name" "BM_VerifyAccessToken/0" cpu) | $(micro_time "$name" "BM_VerifyAccessToken/1" cpu) |" >>"$TMP/micro.md"
  # Signing share: CPU of one SignJwt / the server's CPU per token.
  local sign_us
  while read -r n c t r non sock us; do
    [[ $n == "$name" && $t != healthz ]] || continue
    sign_us=$es_us
    [[ $t == EdDSA ]] && sign_us=$ed_us
    echo "$name $c $t $(awk -v us="$us" -v s="$sign_us" 'BEGIN { if (us > 0) printf "%.2f", s / us; else print "n/a" }')" >>"$TMP/sign-share.raw"
  done <"$TMP/token.raw"
  # Logins: hash share = CPU of one verify / the server's CPU per login; machine share =
  # logins/s x CPU of one verify / cores (1.00 = the cores do nothing but verify).
  while read -r n c r p50 p99 non sock us; do
    [[ $n == "$name" ]] || continue
    echo "| $name | $c | **$(printf '%.1f' "$r")** | $p50 | $p99 | $non | $sock | $(awk -v us="$us" 'BEGIN { printf "%.1f", us / 1000 }') | **$(awk -v us="$us" -v v="$verify_us" 'BEGIN { if (us > 0) printf "%.2f", v / us; else print "n/a" }')** | $(awk -v r="$r" -v us="$verify_us" -v k="$CORES" 'BEGIN { printf "%.2f", r * us / 1e6 / k }') |" >>"$TMP/login.md"
  done <"$TMP/login.raw"
}
rps_exact() { awk '/^Requests\/sec:/ { print $2 }' "$1"; }

# ---------------------------------------------------------------- SQLite, then PostgreSQL
store_runs sqlite "sqlite:$TMP/identity.db"

ID_PG_URL=""
if [[ -z "${SKIP_POSTGRES:-}" ]]; then
  command -v psql >/dev/null || die "psql is needed for PostgreSQL (or set SKIP_POSTGRES=1)"
  if [[ -z "${PG_URL:-}" ]]; then
    PGDIR=$(mktemp -d /tmp/ow-bench-pg.XXXXXX)
    PG_URL=$(scripts/start-postgres.sh "$PGDIR") || die "start-postgres"
  fi
  psql -q "$PG_URL" -c "DROP DATABASE IF EXISTS identity_bench" -c "CREATE DATABASE identity_bench" >/dev/null
  ID_PG_URL=${PG_URL%/*}/identity_bench
  store_runs postgres "$ID_PG_URL"
fi

# ---------------------------------------------------------------- summary
best() {  # best STORE ALG: highest tokens/s over the connection counts
  awk -v s="$1" -v t="$2" '$1 == s && $3 == t && $4 > m { m = $4 } END { print m + 0 }' "$TMP/token.raw"
}
say ""
say "## Identity 1. Client-credentials tokens (POST /oauth2/token, client_secret_basic, scope catalog.read; wrk -t1 -d${TOKEN_SECONDS}s --latency -s bench/token.lua at each connection count, right after GET /healthz on the same server; target >= 5,000 tokens/s)"
say ""
say "openssl speed -seconds 3 (one core): ECDSA P-256 $OSSL_ES256 sign/s, Ed25519 $OSSL_EDDSA sign/s. Cores: $CORES (shared by the server, wrk and the machine's other tenants)."
say ""
say "server CPU µs/req = CPU time (user + system, all threads, from /proc/PID/stat) the server used during the run / requests answered."
say ""
say "| store | connections | target | req/s | / healthz | / openssl sign/s (1 core) | server CPU µs/req | p50 ms | p99 ms | non-2xx | socket errors c/r/w/timeout |"
say "|---|---|---|---|---|---|---|---|---|---|---|"
cat "$TMP/token.md" >>"$SUMMARY"
say ""
say "Signing share of a token (CPU time of one SignJwt in ow_identity_bench / the server's CPU time per token): $(awk '{ printf "%s%s c%s %s %s", (NR > 1 ? ", " : ""), $1, $2, $3, $4 }' "$TMP/sign-share.raw")."
say ""
say "Checks:"
say ""
say "| store | check | result |"
say "|---|---|---|"
cat "$TMP/checks.md" >>"$SUMMARY"
say ""
say "## Identity 2. Password logins (POST /api/v1/session, right passwords, $LOGIN_ACCOUNTS accounts in rotation; wrk -t1 -d${LOGIN_SECONDS}s --latency -s bench/login.lua)"
say ""
say "server CPU ms/login = CPU time (user + system, all threads, /proc/PID/stat) the server used during the run / logins answered. **hash share** = CPU time of one argon2id verify at the server's parameters (ow_identity_bench BM_VerifyPassword, measured right after the store's runs) / server CPU ms per login: the part of a login's cost that is the hash. machine share = logins/s x verify CPU time / $CORES cores: the part of the whole machine that hashing took (below 1 when the machine's other tenants take CPU, or the server waits)."
say ""
say "| store | connections | logins/s | p50 ms | p99 ms | non-2xx | socket errors c/r/w/timeout | server CPU ms/login | hash share | machine share |"
say "|---|---|---|---|---|---|---|---|---|---|"
cat "$TMP/login.md" >>"$SUMMARY"
say ""
say "## Identity 3. Per-operation costs (build/release/bench/ow_identity_bench, CPU time of the process per operation; argon2id at m=19456 KiB, t=2, p=1; raw output with wall times in identity-micro-*.txt)"
say ""
say "| measured | hash ms | verify ms | verify ms, 2 at once in one process | sign ES256 µs | sign EdDSA µs | verify ES256 µs | verify EdDSA µs |"
say "|---|---|---|---|---|---|---|---|"
cat "$TMP/micro.md" >>"$SUMMARY"
if [[ $PERF == 1 ]]; then
  say ""
  say "## Identity 4. Profiles (perf record -F 499 -g on the server during one extra run of each kind, not part of the figures; self time, top symbols)"
  for f in "$OUT"/identity-perf-*.txt; do
    [[ $f == *-wrk.txt || $f == *-dso.txt ]] && continue
    say ""
    say "$(basename "$f" .txt): by library, then the hottest symbols"
    say '```'
    grep -E '^ +[0-9]' "${f%.txt}-dso.txt" | head -n 8 | sed -E 's/ +- +- *$//; s/ +$//' >>"$SUMMARY"
    say ""
    grep -E '^ +[0-9]' "$f" | head -n 15 | sed -E 's/ +- +- *$//; s/ +$//' | cut -c1-160 >>"$SUMMARY"
    say '```'
  done
fi
say ""
say "## Identity targets"
say ""
say "| target | figure | verdict |"
say "|---|---|---|"
for s in sqlite postgres; do
  grep -q "^$s " "$TMP/token.raw" 2>/dev/null || continue
  for t in ES256 EdDSA; do
    b=$(best "$s" "$t")
    say "| $s: >= 5,000 client-credentials tokens/s, $t (best connection count) | $b | $(verdict "$b >= 5000") |"
  done
  bad=$(awk -v s="$s" '$1 == s && $3 != "healthz" { n += $5 + $6 } END { print n + 0 }' "$TMP/token.raw")
  say "| $s: every token request answered 2xx, no socket errors | $bad failures | $(verdict "$bad == 0") |"
done
say ""
say "identity benchmarks took $(since "$IDENTITY_T0") s; loadavg at end: $(loadavg)"
log "identity benchmarks done; raw outputs in $OUT"
[[ -n "$STANDALONE" ]] && cat "$SUMMARY"
exit 0
