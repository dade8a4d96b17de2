#!/usr/bin/env bash
# A province's cluster on this machine's loopback, started by one script:
#   etcd (one member) -> two PostgreSQL 15 under Patroni (synchronous mode)
#   -> HAProxy (writes to the current primary, by Patroni's GET /primary)
#   -> N OneWindow nodes (onewindow serve) -> nginx (round robin, X-Forwarded-*).
#
#   scripts/cluster.sh up     [--nodes N] [--dir DIR] [--seed-demo]
#   scripts/cluster.sh status [--dir DIR]
#   scripts/cluster.sh down   [--dir DIR]
#   scripts/cluster.sh env    [--dir DIR]   # prints the URLs and tokens, for scripts
#
# DIR (default $OW_CLUSTER_DIR or /tmp/onewindow-cluster) holds every part's data, logs,
# configuration and PID file. `up` is idempotent: parts already running are left alone,
# and it returns when every part answers. `down` stops only the processes whose PID files
# are in DIR (and the PostgreSQL postmasters of DIR's data folders). The layout on real
# hosts is docs/deployment.md.
#
# Ports (loopback only), each overridable by its environment variable:
#   OW_CLUSTER_ETCD_PORT=23791 OW_CLUSTER_ETCD_PEER_PORT=23801
#   OW_CLUSTER_PG_PORTS="54411 54412" OW_CLUSTER_PATRONI_PORTS="58011 58012"
#   OW_CLUSTER_HAPROXY_PORT=54400 OW_CLUSTER_HAPROXY_STATS_PORT=54409
#   OW_CLUSTER_NGINX_PORT=18080 OW_CLUSTER_NODE_BASE_PORT=18081 (node i: base + i - 1)
# The server binary: OW_CLUSTER_BINARY (default build/dev/onewindow, else build/release).
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
CMD=${1:-}
[[ -n "$CMD" ]] && shift
DIR=${OW_CLUSTER_DIR:-/tmp/onewindow-cluster}
NODES=${OW_CLUSTER_NODES:-3}
SEED=0
while (($#)); do
  case "$1" in
    --nodes) NODES=${2:?--nodes needs a number}; shift 2 ;;
    --nodes=*) NODES=${1#*=}; shift ;;
    --dir) DIR=${2:?--dir needs a folder}; shift 2 ;;
    --dir=*) DIR=${1#*=}; shift ;;
    --seed-demo) SEED=1; shift ;;
    *) echo "cluster: unknown argument '$1'" >&2; exit 2 ;;
  esac
done
if [[ "$CMD" == up ]] && ! [[ "$NODES" =~ ^[1-9][0-9]?$ ]]; then
  echo "cluster: --nodes must be 1..99, not '$NODES'" >&2
  exit 2
fi
mkdir -p "$DIR"
DIR=$(cd "$DIR" && pwd)

ETCD_PORT=${OW_CLUSTER_ETCD_PORT:-23791}
ETCD_PEER_PORT=${OW_CLUSTER_ETCD_PEER_PORT:-23801}
read -r -a PG_PORTS <<<"${OW_CLUSTER_PG_PORTS:-54411 54412}"
read -r -a PATRONI_PORTS <<<"${OW_CLUSTER_PATRONI_PORTS:-58011 58012}"
HAPROXY_PORT=${OW_CLUSTER_HAPROXY_PORT:-54400}
HAPROXY_STATS_PORT=${OW_CLUSTER_HAPROXY_STATS_PORT:-54409}
NGINX_PORT=${OW_CLUSTER_NGINX_PORT:-18080}
NODE_BASE_PORT=${OW_CLUSTER_NODE_BASE_PORT:-18081}
PGBIN=/usr/lib/postgresql/15/bin
SCOPE=onewindow

BINARY=${OW_CLUSTER_BINARY:-}
if [[ -z "$BINARY" ]]; then
  for b in "$ROOT/build/dev/onewindow" "$ROOT/build/release/onewindow"; do
    if [[ -x "$b" ]]; then BINARY=$b; break; fi
  done
fi

log() { echo "cluster: $*" >&2; }
die() { echo "cluster: error: $*" >&2; exit 1; }

# The PID recorded in DIR/run/NAME.pid, if that process is alive.
alive_pid() {
  local f="$DIR/run/$1.pid" p
  [[ -f "$f" ]] || return 1
  p=$(cat "$f" 2>/dev/null) || return 1
  [[ "$p" =~ ^[0-9]+$ ]] && kill -0 "$p" 2>/dev/null && { echo "$p"; return 0; }
  return 1
}

port_answers() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# wait_for SECONDS DESCRIPTION COMMAND...: polls every 0.2 s.
wait_for() {
  local secs=$1; shift 2  # $2 names what is awaited, for the reader
  local end=$((SECONDS + secs))
  while ((SECONDS < end)); do
    if "$@" >/dev/null 2>&1; then return 0; fi
    sleep 0.2
  done
  return 1
}

# Runs a command as the owner of PostgreSQL's files (postgres when we are root).
as_pg() {
  if [[ $(id -u) -eq 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi
}

secrets() {
  # Shared by every node: the personal-data and index keys must be the same on all of
  # them (a resident ID sealed on node A is read on node B), and so must the tokens.
  local f="$DIR/secrets.env"
  if [[ ! -f "$f" ]]; then
    umask 077
    {
      echo "PG_SUPERUSER_PASSWORD=$(openssl rand -hex 16)"
      echo "PG_REPLICATION_PASSWORD=$(openssl rand -hex 16)"
      echo "PG_REWIND_PASSWORD=$(openssl rand -hex 16)"
      echo "PG_APP_PASSWORD=$(openssl rand -hex 16)"
      echo "ONEWINDOW_DATA_KEYS=1:$(openssl rand -hex 32)"
      echo "ONEWINDOW_INDEX_KEY=$(openssl rand -hex 32)"
      echo "ONEWINDOW_ADMIN_TOKEN=$(openssl rand -hex 24)"
      echo "ONEWINDOW_ADMIN_TOKENS=alice:$(openssl rand -hex 16),bob:$(openssl rand -hex 16)"
    } >"$f.tmp"
    mv "$f.tmp" "$f"
    umask 022
  fi
  # shellcheck disable=SC1090
  source "$f"
}

database_url() {
  echo "postgresql://onewindow:${PG_APP_PASSWORD}@127.0.0.1:${HAPROXY_PORT}/onewindow"
}

# ---------------------------------------------------------------------------- etcd
start_etcd() {
  if alive_pid etcd >/dev/null; then return 0; fi
  port_answers "$ETCD_PORT" && die "port $ETCD_PORT (etcd) is taken by a process this cluster did not start"
  mkdir -p "$DIR/etcd"
  chmod 700 "$DIR/etcd"
  log "starting etcd on 127.0.0.1:$ETCD_PORT"
  setsid etcd --name e1 --data-dir "$DIR/etcd/data" \
    --listen-client-urls "http://127.0.0.1:$ETCD_PORT" --advertise-client-urls "http://127.0.0.1:$ETCD_PORT" \
    --listen-peer-urls "http://127.0.0.1:$ETCD_PEER_PORT" --initial-advertise-peer-urls "http://127.0.0.1:$ETCD_PEER_PORT" \
    --initial-cluster "e1=http://127.0.0.1:$ETCD_PEER_PORT" --initial-cluster-state new \
    --initial-cluster-token "$SCOPE-$ETCD_PORT" >"$DIR/log/etcd.log" 2>&1 </dev/null &
  echo $! >"$DIR/run/etcd.pid"
  wait_for 30 etcd etcdctl --endpoints="http://127.0.0.1:$ETCD_PORT" endpoint health \
    || { tail -20 "$DIR/log/etcd.log" >&2; die "etcd did not become healthy (log: $DIR/log/etcd.log)"; }
}

# ------------------------------------------------------------------------- Patroni
patroni_config() {
  local i=$1 name="pg$1" pgport=${PG_PORTS[$(($1 - 1))]} rport=${PATRONI_PORTS[$(($1 - 1))]}
  cat <<EOF
# Written by scripts/cluster.sh: PostgreSQL $name under Patroni.
scope: $SCOPE
namespace: /onewindow-cluster-$ETCD_PORT/
name: $name

restapi:
  listen: 127.0.0.1:$rport
  connect_address: 127.0.0.1:$rport

etcd3:
  hosts: 127.0.0.1:$ETCD_PORT

log:
  dir: $DIR/log/$name
  level: INFO

bootstrap:
  dcs:
    # Short loops so that a drill on one machine takes seconds: loop_wait + 2 * retry_timeout <= ttl.
    ttl: 20
    loop_wait: 2
    retry_timeout: 5
    maximum_lag_on_failover: 1048576
    # A commit is acknowledged only once the standby has it: a failover loses nothing
    # acknowledged. synchronous_mode_strict stays off, so a lone primary keeps serving.
    synchronous_mode: true
    postgresql:
      use_pg_rewind: true
      parameters:
        wal_log_hints: "on"
        max_wal_senders: 10
        max_replication_slots: 10
        max_connections: 200
        shared_buffers: 128MB
  initdb:
    - encoding: UTF8
    - locale: C.UTF-8
    - data-checksums

postgresql:
  listen: 127.0.0.1:$pgport
  connect_address: 127.0.0.1:$pgport
  data_dir: $DIR/pg/$name
  bin_dir: $PGBIN
  pgpass: $DIR/run/pgpass$i
  authentication:
    superuser:   {username: postgres,   password: "$PG_SUPERUSER_PASSWORD"}
    replication: {username: replicator, password: "$PG_REPLICATION_PASSWORD"}
    rewind:      {username: rewinder,   password: "$PG_REWIND_PASSWORD"}
  pg_hba:
    - local all all trust
    - host replication replicator 127.0.0.1/32 scram-sha-256
    - host all all 127.0.0.1/32 scram-sha-256
  parameters:
    unix_socket_directories: $DIR/run
EOF
}

start_patroni() {
  local i=$1 name="pg$1"
  if alive_pid "patroni$i" >/dev/null; then return 0; fi
  local pgport=${PG_PORTS[$((i - 1))]} rport=${PATRONI_PORTS[$((i - 1))]}
  port_answers "$pgport" && die "port $pgport (PostgreSQL $name) is taken by a process this cluster did not start"
  port_answers "$rport" && die "port $rport (Patroni $name) is taken by a process this cluster did not start"
  mkdir -p "$DIR/pg" "$DIR/log/$name"
  patroni_config "$i" >"$DIR/conf/$name.yml"
  chmod 600 "$DIR/conf/$name.yml"
  if [[ $(id -u) -eq 0 ]]; then chown -R postgres:postgres "$DIR/pg" "$DIR/log/$name" "$DIR/conf/$name.yml" "$DIR/run"; fi
  chmod 700 "$DIR/pg"
  log "starting Patroni $name (PostgreSQL 127.0.0.1:$pgport, REST 127.0.0.1:$rport)"
  # The shell records its own PID and becomes Patroni (exec), so the PID file names Patroni.
  # shellcheck disable=SC2016
  as_pg setsid sh -c 'echo $$ >"$1"; exec patroni "$2"' sh "$DIR/run/patroni$i.pid" "$DIR/conf/$name.yml" \
    >"$DIR/log/patroni$i.out" 2>&1 </dev/null &
  wait_for 10 "patroni pid" test -s "$DIR/run/patroni$i.pid" || die "Patroni $name did not start (log: $DIR/log/patroni$i.out)"
}

patroni_role() {  # prints primary, replica or down for member $1
  local rport=${PATRONI_PORTS[$(($1 - 1))]}
  if curl -sf -m 2 "http://127.0.0.1:$rport/primary" >/dev/null 2>&1; then echo primary
  elif curl -sf -m 2 "http://127.0.0.1:$rport/replica" >/dev/null 2>&1; then echo replica
  else echo down; fi
}

any_primary() { [[ $(patroni_role 1) == primary || $(patroni_role 2) == primary ]]; }

sync_standby() {
  curl -sf -m 2 "http://127.0.0.1:${PATRONI_PORTS[0]}/cluster" 2>/dev/null | grep -q '"sync_standby"' \
    || curl -sf -m 2 "http://127.0.0.1:${PATRONI_PORTS[1]}/cluster" 2>/dev/null | grep -q '"sync_standby"'
}

# ------------------------------------------------------------------------- HAProxy
start_haproxy() {
  if alive_pid haproxy >/dev/null; then return 0; fi
  port_answers "$HAPROXY_PORT" && die "port $HAPROXY_PORT (HAProxy) is taken by a process this cluster did not start"
  cat >"$DIR/conf/haproxy.cfg" <<EOF
# Written by scripts/cluster.sh: PostgreSQL connections go to the member whose Patroni
# answers 200 to GET /primary; when it changes, sessions to the old one are cut.
global
    maxconn 1000
defaults
    mode tcp
    timeout connect 2s
    timeout client 30m
    timeout server 30m
    timeout check 1s
listen pg_primary
    bind 127.0.0.1:$HAPROXY_PORT
    option httpchk GET /primary
    http-check expect status 200
    default-server inter 500ms fall 2 rise 1 on-marked-down shutdown-sessions
    server pg1 127.0.0.1:${PG_PORTS[0]} check port ${PATRONI_PORTS[0]}
    server pg2 127.0.0.1:${PG_PORTS[1]} check port ${PATRONI_PORTS[1]}
listen stats
    mode http
    bind 127.0.0.1:$HAPROXY_STATS_PORT
    stats enable
    stats uri /
EOF
  haproxy -c -q -f "$DIR/conf/haproxy.cfg" || die "HAProxy refused $DIR/conf/haproxy.cfg"
  log "starting HAProxy on 127.0.0.1:$HAPROXY_PORT (stats http://127.0.0.1:$HAPROXY_STATS_PORT/)"
  setsid haproxy -db -f "$DIR/conf/haproxy.cfg" >"$DIR/log/haproxy.log" 2>&1 </dev/null &
  echo $! >"$DIR/run/haproxy.pid"
  wait_for 10 haproxy port_answers "$HAPROXY_PORT" || die "HAProxy did not listen (log: $DIR/log/haproxy.log)"
}

psql_super() {  # psql as the superuser through HAProxy (the primary)
  PGPASSWORD=$PG_SUPERUSER_PASSWORD PGCONNECT_TIMEOUT=3 timeout 20 \
    psql -h 127.0.0.1 -p "$HAPROXY_PORT" -U postgres -d postgres -v ON_ERROR_STOP=1 -Atq "$@"
}

create_database() {
  local have
  have=$(psql_super -c "SELECT 1 FROM pg_roles WHERE rolname = 'onewindow'") || return 1
  if [[ "$have" != 1 ]]; then
    psql_super -c "CREATE ROLE onewindow LOGIN PASSWORD '$PG_APP_PASSWORD'" || return 1
  fi
  have=$(psql_super -c "SELECT 1 FROM pg_database WHERE datname = 'onewindow'") || return 1
  if [[ "$have" != 1 ]]; then
    psql_super -c "CREATE DATABASE onewindow OWNER onewindow" || return 1
  fi
}

# --------------------------------------------------------------------- OneWindow nodes
node_env() {
  export ONEWINDOW_DATABASE_URL
  ONEWINDOW_DATABASE_URL=$(database_url)
  export ONEWINDOW_DATA_KEYS ONEWINDOW_INDEX_KEY ONEWINDOW_ADMIN_TOKEN ONEWINDOW_ADMIN_TOKENS
  export ONEWINDOW_TRUSTED_PROXIES=127.0.0.1
  export ONEWINDOW_ISSUER="http://127.0.0.1:$NGINX_PORT"
  export ONEWINDOW_COOKIE_SECURE=0  # plain http on loopback; TLS is nginx's on real hosts
  export ONEWINDOW_KEY_FILE="$DIR/run/identity-keys.json"  # unused: the keys above are set
  export ONEWINDOW_SPOOL_DIR="$DIR/spool"
  export ONEWINDOW_HANDLER_THREADS=${ONEWINDOW_HANDLER_THREADS:-2}
  export ONEWINDOW_IO_THREADS=${ONEWINDOW_IO_THREADS:-1}
  export ONEWINDOW_DB_POOL_SIZE=${ONEWINDOW_DB_POOL_SIZE:-8}
}

start_node() {
  local i=$1 port=$((NODE_BASE_PORT + $1 - 1))
  if alive_pid "node$i" >/dev/null; then return 0; fi
  port_answers "$port" && die "port $port (node $i) is taken by a process this cluster did not start"
  local web=()
  [[ -d "$ROOT/web/dist" ]] && web=(--web-root "$ROOT/web/dist")
  log "starting OneWindow node $i on 127.0.0.1:$port"
  (
    node_env
    cd "$DIR"
    exec setsid "$BINARY" serve --listen "127.0.0.1:$port" "${web[@]}" </dev/null
  ) >>"$DIR/log/node$i.log" 2>&1 &
  echo $! >"$DIR/run/node$i.pid"
}

node_ready() { curl -sf -m 2 "http://127.0.0.1:$1/readyz" >/dev/null; }

# --------------------------------------------------------------------------- nginx
start_nginx() {
  if alive_pid nginx >/dev/null; then return 0; fi
  port_answers "$NGINX_PORT" && die "port $NGINX_PORT (nginx) is taken by a process this cluster did not start"
  mkdir -p "$DIR/nginx/tmp"
  local servers="" n
  for ((n = 1; n <= NODES; n++)); do
    servers+="        server 127.0.0.1:$((NODE_BASE_PORT + n - 1)) max_fails=1 fail_timeout=2s;"$'\n'
  done
  cat >"$DIR/conf/nginx.conf" <<EOF
# Written by scripts/cluster.sh: round robin over the OneWindow nodes. Plain http on
# loopback; on real hosts nginx terminates TLS (docs/deployment.md).
daemon off;
worker_processes 1;
pid $DIR/run/nginx.master.pid;
error_log $DIR/log/nginx-error.log warn;
events { worker_connections 1024; }
http {
    access_log $DIR/log/nginx-access.log;
    client_body_temp_path $DIR/nginx/tmp/body;
    proxy_temp_path $DIR/nginx/tmp/proxy;
    fastcgi_temp_path $DIR/nginx/tmp/fastcgi;
    uwsgi_temp_path $DIR/nginx/tmp/uwsgi;
    scgi_temp_path $DIR/nginx/tmp/scgi;
    client_max_body_size 25m;
    upstream onewindow {
$servers        keepalive 32;
    }
    server {
        listen 127.0.0.1:$NGINX_PORT;
        location / {
            proxy_pass http://onewindow;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header Host \$http_host;
            proxy_set_header X-Forwarded-For \$proxy_add_x_forwarded_for;
            proxy_set_header X-Forwarded-Proto \$scheme;
            proxy_set_header X-Forwarded-Host \$http_host;
            # A node that is down (connection refused) is skipped; a request is sent to a
            # second node only if it is idempotent (nginx never repeats a POST by itself).
            proxy_next_upstream error timeout;
            proxy_connect_timeout 2s;
            proxy_read_timeout 60s;
            proxy_request_buffering off;
        }
    }
}
EOF
  if [[ $(id -u) -eq 0 ]]; then chown -R nobody:nogroup "$DIR/nginx/tmp"; fi
  nginx -t -q -p "$DIR/nginx" -c "$DIR/conf/nginx.conf" 2>"$DIR/log/nginx-check.log" \
    || { cat "$DIR/log/nginx-check.log" >&2; die "nginx refused $DIR/conf/nginx.conf"; }
  log "starting nginx on 127.0.0.1:$NGINX_PORT over $NODES node(s)"
  setsid nginx -p "$DIR/nginx" -c "$DIR/conf/nginx.conf" >"$DIR/log/nginx.out" 2>&1 </dev/null &
  echo $! >"$DIR/run/nginx.pid"
  wait_for 10 nginx curl -sf -m 2 "http://127.0.0.1:$NGINX_PORT/healthz" \
    || die "nginx does not answer on $NGINX_PORT (log: $DIR/log/nginx-error.log)"
}

# ------------------------------------------------------------------------ commands
up() {
  local t0=$SECONDS
  [[ -n "$BINARY" && -x "$BINARY" ]] || die "no OneWindow binary (build it: cmake --build build/dev --target onewindow; or set OW_CLUSTER_BINARY)"
  for tool in etcd etcdctl patroni haproxy nginx psql curl openssl; do
    command -v "$tool" >/dev/null || die "'$tool' is missing: run scripts/install-deps.sh"
  done
  [[ -x $PGBIN/postgres ]] || die "PostgreSQL 15 is missing ($PGBIN): run scripts/install-deps.sh"
  mkdir -p "$DIR/run" "$DIR/log" "$DIR/conf" "$DIR/spool"
  chmod 755 "$DIR"
  secrets
  start_etcd
  start_patroni 1
  wait_for 90 "a primary" any_primary || die "no PostgreSQL primary after 90 s (logs: $DIR/log/pg1, $DIR/log/patroni1.out)"
  start_patroni 2
  start_haproxy
  wait_for 90 "a synchronous standby" sync_standby \
    || die "no synchronous standby after 90 s (logs: $DIR/log/pg2, $DIR/log/patroni2.out)"
  wait_for 30 "the database" create_database || die "could not create the onewindow database through HAProxy"
  # Migrate once before the nodes start (they would serialize on the migration lock anyway).
  (node_env && cd "$DIR" && "$BINARY" migrate) >>"$DIR/log/migrate.log" 2>&1 \
    || { tail -20 "$DIR/log/migrate.log" >&2; die "migration failed (log: $DIR/log/migrate.log)"; }
  if ((SEED)) && [[ ! -f "$DIR/run/seeded" ]]; then
    log "loading the demo data"
    (node_env && cd "$ROOT" && "$BINARY" seed-demo) >>"$DIR/log/seed.log" 2>&1 \
      || { tail -20 "$DIR/log/seed.log" >&2; die "seed-demo failed (log: $DIR/log/seed.log)"; }
    touch "$DIR/run/seeded"
  fi
  echo "$NODES" >"$DIR/run/nodes"
  local n
  for ((n = 1; n <= NODES; n++)); do start_node "$n"; done
  for ((n = 1; n <= NODES; n++)); do
    wait_for 60 "node $n" node_ready $((NODE_BASE_PORT + n - 1)) \
      || { tail -20 "$DIR/log/node$n.log" >&2; die "node $n is not ready (log: $DIR/log/node$n.log)"; }
  done
  start_nginx
  log "up in $((SECONDS - t0)) s"
  status
}

stop_pid_file() {  # stop_pid_file NAME SIGNAL SECONDS
  local name=$1 sig=$2 secs=$3 p
  p=$(alive_pid "$name") || { rm -f "$DIR/run/$name.pid"; return 0; }
  kill -"$sig" "$p" 2>/dev/null || true
  local end=$((SECONDS + secs))
  while kill -0 "$p" 2>/dev/null && ((SECONDS < end)); do sleep 0.2; done
  if kill -0 "$p" 2>/dev/null; then
    log "$name (pid $p) did not stop in $secs s: SIGKILL"
    kill -KILL "$p" 2>/dev/null || true
  else
    log "stopped $name (pid $p)"
  fi
  rm -f "$DIR/run/$name.pid"
}

down() {
  [[ -d "$DIR/run" ]] || { log "nothing to stop in $DIR"; return 0; }
  stop_pid_file nginx QUIT 10
  local f n
  for f in "$DIR"/run/node*.pid; do
    [[ -e "$f" ]] || continue
    n=$(basename "$f" .pid)
    stop_pid_file "$n" TERM 15 &
  done
  wait
  stop_pid_file haproxy TERM 5
  # Both Patroni at once (each stops its PostgreSQL, the primary with a shutdown
  # checkpoint); one after the other took twice as long for nothing.
  for n in 1 2; do stop_pid_file "patroni$n" TERM 40 & done
  wait
  # A postmaster that Patroni left behind (Patroni killed, say) is stopped by its data folder.
  for n in 1 2; do
    if [[ -f "$DIR/pg/pg$n/postmaster.pid" ]] && as_pg "$PGBIN/pg_ctl" -D "$DIR/pg/pg$n" status >/dev/null 2>&1; then
      log "stopping the postmaster of pg$n left running"
      as_pg "$PGBIN/pg_ctl" -D "$DIR/pg/pg$n" -m fast -w -t 30 stop >/dev/null || true
    fi
  done
  stop_pid_file etcd TERM 10
  rm -f "$DIR/run/nodes"
}

state() {  # state NAME: running (pid) or stopped
  local p
  if p=$(alive_pid "$1"); then echo "running (pid $p)"; else echo "stopped"; fi
}

status() {
  [[ -d "$DIR/run" ]] || { echo "cluster: nothing in $DIR"; return 3; }
  local n rc=0 p
  printf '%-10s %-22s %s\n' part address state
  printf '%-10s %-22s %s\n' etcd "127.0.0.1:$ETCD_PORT" "$(state etcd)"
  for n in 1 2; do
    printf '%-10s %-22s %s, %s\n' "pg$n" "127.0.0.1:${PG_PORTS[$((n - 1))]}" "$(state "patroni$n")" "$(patroni_role "$n")"
  done
  printf '%-10s %-22s %s\n' haproxy "127.0.0.1:$HAPROXY_PORT" "$(state haproxy)"
  local count
  count=$(cat "$DIR/run/nodes" 2>/dev/null || echo 0)
  for ((n = 1; n <= count; n++)); do
    local port=$((NODE_BASE_PORT + n - 1)) ready=not-ready
    node_ready "$port" && ready=ready
    printf '%-10s %-22s %s, %s\n' "node$n" "127.0.0.1:$port" "$(state "node$n")" "$ready"
  done
  local lb=not-answering
  curl -sf -m 2 "http://127.0.0.1:$NGINX_PORT/healthz" >/dev/null 2>&1 && lb=answering
  printf '%-10s %-22s %s, %s\n' nginx "127.0.0.1:$NGINX_PORT" "$(state nginx)" "$lb"
  local primary=none
  for n in 1 2; do [[ $(patroni_role "$n") == primary ]] && primary="pg$n (127.0.0.1:${PG_PORTS[$((n - 1))]})"; done
  echo "primary: $primary"
  if [[ -f "$DIR/conf/pg1.yml" ]] && alive_pid patroni1 >/dev/null || alive_pid patroni2 >/dev/null; then
    timeout 10 patronictl -c "$DIR/conf/pg1.yml" list 2>/dev/null || true
  fi
  for p in etcd patroni1 patroni2 haproxy nginx; do alive_pid "$p" >/dev/null || rc=1; done
  for ((n = 1; n <= count; n++)); do alive_pid "node$n" >/dev/null || rc=1; done
  [[ $primary == none ]] && rc=1
  return $rc
}

env_cmd() {
  [[ -f "$DIR/secrets.env" ]] || die "no cluster in $DIR"
  secrets
  echo "OW_CLUSTER_DIR=$DIR"
  echo "OW_CLUSTER_LB=http://127.0.0.1:$NGINX_PORT"
  local count n nodes=""
  count=$(cat "$DIR/run/nodes" 2>/dev/null || echo 0)
  for ((n = 1; n <= count; n++)); do nodes+="http://127.0.0.1:$((NODE_BASE_PORT + n - 1)) "; done
  echo "OW_CLUSTER_NODE_URLS=\"${nodes% }\""
  echo "OW_CLUSTER_PATRONI=\"http://127.0.0.1:${PATRONI_PORTS[0]} http://127.0.0.1:${PATRONI_PORTS[1]}\""
  echo "OW_CLUSTER_PATRONI_CONFIG=$DIR/conf/pg1.yml"
  echo "OW_CLUSTER_DATABASE_URL=$(database_url)"
  echo "OW_CLUSTER_ADMIN_TOKEN=$ONEWINDOW_ADMIN_TOKEN"
  echo "OW_CLUSTER_ADMIN_TOKENS=$ONEWINDOW_ADMIN_TOKENS"
}

case "$CMD" in
  up) up ;;
  down) down ;;
  status) status ;;
  env) env_cmd ;;
  *) echo "usage: scripts/cluster.sh up|down|status|env [--nodes N] [--dir DIR] [--seed-demo]" >&2; exit 2 ;;
esac
