# Helpers shared by bench/run.sh and bench/catalog.sh. Source it after setting
#   ROOT (repository), OUT (results folder), TMP (scratch folder), BIN (onewindow).
# It installs the EXIT/INT/TERM traps: every PID added to STARTED is stopped on exit,
# the PostgreSQL cluster in PGDIR (if this shell started one) is stopped and TMP removed.
# shellcheck shell=bash

: "${ROOT:?}" "${OUT:?}" "${TMP:?}" "${BIN:?}"
PGDIR=""
STARTED=()  # PIDs of every server and nginx started by this shell, stopped by cleanup

log() { echo "[bench $(date +%H:%M:%S)] $*" >&2; }
die() { log "FAILED: $*"; exit 1; }

cleanup() {
  local pid
  for pid in "${STARTED[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${STARTED[@]}"; do
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  if [[ -n "$PGDIR" ]]; then "$ROOT/scripts/stop-postgres.sh" "$PGDIR" || true; fi
  rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

forget() {  # forget PID: no longer ours to stop
  local keep=() p
  for p in "${STARTED[@]}"; do [[ "$p" == "$1" ]] || keep+=("$p"); done
  STARTED=("${keep[@]}")
}

stop_pid() {  # SIGTERM, wait at most 10 s, then SIGKILL
  local pid=$1
  kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -KILL "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  forget "$pid"
}

now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.2f", b - a }'; }
div() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "n/a" }'; }
loadavg() { cut -d' ' -f1-3 /proc/loadavg; }
# environment: the lines of a run's environment.txt (date, host, commit, load average).
environment() {
  echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo "host: $(nproc) cores, $(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo), $(uname -r)"
  echo "commit: $(git rev-parse --short HEAD 2>/dev/null || echo unknown)$(git diff --quiet 2>/dev/null || echo ' (with uncommitted changes)')"
  echo "loadavg at start: $(loadavg)"
}

# free_port: a port below the kernel's ephemeral range (so no outgoing connection of
# ours, wrk's or PostgreSQL's can hold it) that no socket uses, in any state.
free_port() {
  local p lo
  lo=$(cut -f1 /proc/sys/net/ipv4/ip_local_port_range 2>/dev/null || echo 32768)
  ((lo > 11000)) || lo=61000
  for _ in $(seq 100); do
    p=$((10000 + RANDOM % (lo - 10000)))
    if [[ -z "$(ss -Htan "sport = :$p")" ]]; then echo "$p"; return; fi
  done
  die "no free port"
}

# wait_port PID STDERR_FILE: prints the port PID listens on, from its server.listening
# log line (level "notice": written at every log level, also at warn).
wait_port() {
  local pid=$1 errfile=$2 port=""
  for _ in $(seq 300); do
    kill -0 "$pid" 2>/dev/null || { cat "$errfile" >&2; die "process $pid exited"; }
    port=$(sed -n 's/.*"event":"server.listening".*"port":\([0-9]*\).*/\1/p' "$errfile" | head -n1)
    [[ -n "$port" ]] && { echo "$port"; return; }
    sleep 0.1
  done
  die "process $pid did not log server.listening within 30 s"
}

# start_server NAME DATABASE_URL [VAR=value ...]: sets SERVER_PID and SERVER_PORT.
start_server() {
  local name=$1 url=$2
  shift 2
  env ONEWINDOW_LOG_LEVEL=warn ONEWINDOW_SHUTDOWN_GRACE_MS=2000 "$@" \
    "$BIN" --database "$url" serve --listen 127.0.0.1:0 2>"$OUT/server-$name.stderr" &
  SERVER_PID=$!
  STARTED+=("$SERVER_PID")
  SERVER_PORT=$(wait_port "$SERVER_PID" "$OUT/server-$name.stderr")
  echo "$name: pid $SERVER_PID port $SERVER_PORT settings: ${*:-defaults}" >>"$OUT/servers.txt"
  log "server $name on port $SERVER_PORT (${*:-default settings})"
}

# start_nginx DOCROOT DEFAULT_TYPE: serves DOCROOT on a free 127.0.0.1 port; sets NGX_PID
# and NGX_PORT. worker_processes auto (= 2 here): the same CPU allowance as our server,
# whose io_threads default to one per core. access_log off; keep-alive on and never cut
# short by a request count; no ETag (ours sends one, but wrk never revalidates).
start_nginx() {
  local root=$1 type=$2 attempt
  for attempt in 1 2 3; do
    start_nginx_once "$root" "$type" && return
    log "nginx could not listen on $NGX_PORT (attempt $attempt)"
  done
  die "nginx did not start (see $OUT/nginx-*.stderr)"
}
start_nginx_once() {
  local root=$1 type=$2 dir
  dir=$(mktemp -d "$TMP/nginx.XXXXXX")
  chmod 755 "$TMP" "$dir"  # nginx workers run as nobody when started by root
  mkdir -p "$dir/logs" "$dir/tmp"
  NGX_PORT=$(free_port)
  cat >"$dir/nginx.conf" <<EOF
daemon off;
master_process on;
worker_processes auto;
pid $dir/nginx.pid;
error_log $dir/logs/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  keepalive_timeout 65s;
  keepalive_requests 1000000;
  types { }
  default_type $type;
  etag off;
  client_body_temp_path $dir/tmp;
  proxy_temp_path $dir/tmp;
  fastcgi_temp_path $dir/tmp;
  uwsgi_temp_path $dir/tmp;
  scgi_temp_path $dir/tmp;
  server {
    listen 127.0.0.1:$NGX_PORT;
    root $root;
  }
}
EOF
  cp "$dir/nginx.conf" "$OUT/nginx-$(basename "$dir").conf"
  nginx -c "$dir/nginx.conf" -p "$dir/" 2>"$OUT/nginx-$(basename "$dir").stderr" &
  NGX_PID=$!
  STARTED+=("$NGX_PID")
  for _ in $(seq 50); do
    [[ -n "$(ss -Hltn "sport = :$NGX_PORT")" ]] && break
    kill -0 "$NGX_PID" 2>/dev/null || break
    sleep 0.1
  done
  if [[ -z "$(ss -Hltn "sport = :$NGX_PORT")" ]]; then
    stop_pid "$NGX_PID"
    return 1
  fi
  log "nginx (pid $NGX_PID) on port $NGX_PORT serving $root"
}

# wrk_run OUTFILE WRK_ARGS...: runs wrk, records the load average before it.
wrk_run() {
  local file=$1
  shift
  echo "# wrk $* (loadavg before: $(loadavg))" >"$file"
  wrk "$@" >>"$file" 2>&1 || die "wrk $* (see $file)"
}

# Figures from one wrk output file.
rps() { awk '/^Requests\/sec:/ { printf "%.0f", $2 }' "$1"; }
requests() { awk '/requests in/ { print $1; exit }' "$1"; }
to_ms() {  # wrk prints 812.00us, 1.20ms, 2.01s
  awk -v v="$1" 'BEGIN {
    if (v ~ /us$/) { sub(/us$/, "", v); printf "%.3f", v / 1000 }
    else if (v ~ /ms$/) { sub(/ms$/, "", v); printf "%.3f", v }
    else if (v ~ /s$/) { sub(/s$/, "", v); printf "%.3f", v * 1000 }
    else printf "n/a" }'
}
pct() { to_ms "$(awk -v p="$2%" '$1 == p { print $2; exit }' "$1")"; }
non2xx() { awk '/Non-2xx or 3xx responses:/ { n = $NF } END { print n + 0 }' "$1"; }
sockerr() {  # "connect read write timeout", zeros when wrk printed no error line
  awk '/Socket errors:/ { gsub(/,/, ""); print $4, $6, $8, $10; found = 1 } END { if (!found) print "0 0 0 0" }' "$1"
}
verdict() { if awk "BEGIN { exit !($1) }"; then echo met; else echo "NOT met"; fi; }

# ratio_rounds NAME SECONDS ROUNDS TARGET=URL...: alternates wrk -t1 -c50 over the
# targets (the first is the reference), ROUNDS times; writes $OUT/NAME-ROUND-TARGET.txt
# and sets RATIO_SUM[target] (req/s summed over rounds).
declare -A RATIO_SUM
ratio_rounds() {
  local name=$1 secs=$2 rounds=$3 t round
  shift 3
  local -a names=() urls=()
  for t in "$@"; do names+=("${t%%=*}"); urls+=("${t#*=}"); done
  for i in "${!names[@]}"; do wrk -t1 -c50 -d1s "${urls[$i]}" >/dev/null; RATIO_SUM[${names[$i]}]=0; done  # warm-up
  for round in $(seq "$rounds"); do
    for i in "${!names[@]}"; do
      log "$name round $round: ${names[$i]}"
      wrk_run "$OUT/$name-$round-${names[$i]}.txt" -t1 -c50 -d"${secs}s" --latency "${urls[$i]}"
      RATIO_SUM[${names[$i]}]=$((RATIO_SUM[${names[$i]}] + $(rps "$OUT/$name-$round-${names[$i]}.txt")))
    done
  done
}
