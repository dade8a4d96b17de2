#!/usr/bin/env bash
# Runs a cluster script against a fresh cluster that it starts and always stops:
#   tests/cluster/run.sh test    # cluster-test.mjs  (make cluster-test)
#   tests/cluster/run.sh drill   # failover-drill.mjs (make failover-drill)
# The cluster lives in a new folder under /tmp (OW_CLUSTER_KEEP=1 keeps it for reading
# the logs afterwards). Prints the wall time of the whole run, start and stop included.
set -euo pipefail
cd "$(dirname "$0")/../.."
what=${1:?usage: tests/cluster/run.sh test|drill}
case "$what" in
  test) script=tests/cluster/cluster-test.mjs ;;
  drill) script=tests/cluster/failover-drill.mjs ;;
  *) echo "usage: tests/cluster/run.sh test|drill" >&2; exit 2 ;;
esac
start=$(date +%s%N)
dir=$(mktemp -d "/tmp/onewindow-cluster-$what.XXXXXX")
chmod 755 "$dir"
cleanup() {
  local rc=$?
  bash scripts/cluster.sh down --dir "$dir" || true
  if [[ "${OW_CLUSTER_KEEP:-0}" == 1 || $rc -ne 0 ]]; then
    echo "cluster: logs kept in $dir/log"
  else
    rm -rf "$dir"
  fi
  echo "cluster $what: $(awk -v a="$start" -v b="$(date +%s%N)" 'BEGIN { printf "%.1f", (b - a) / 1e9 }') s in all (start and stop included), exit $rc"
}
trap cleanup EXIT
bash scripts/cluster.sh up --nodes 3 --seed-demo --dir "$dir" >/dev/null
eval "$(bash scripts/cluster.sh env --dir "$dir" | sed 's/^/export /')"
timeout 600 node "$script"
