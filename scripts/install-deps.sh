#!/usr/bin/env bash
# Installs, idempotently, every Debian package OneWindow needs to build, run and test.
# Safe to run repeatedly: packages already present are skipped, and apt is only
# touched when something is missing. Must run as root (or with sudo available).
set -euo pipefail

PACKAGES=(
  # toolchain
  g++ cmake ninja-build make pkg-config git ca-certificates
  # lld links the sixty test executables in a seventh of GNU ld's time (cmake/linker.cmake)
  lld
  # libraries
  libboost1.81-dev libboost-json1.81-dev libboost-url1.81-dev libboost-system1.81-dev
  libssl-dev libsodium-dev libsqlite3-dev libpq-dev libtomlplusplus-dev libcli11-dev
  libpugixml-dev
  # sealed documents: PDF layout (cairo + pango with the CJK fonts below), reading PDF
  # structure for the signature's incremental update (qpdf), QR codes (libqrencode)
  libcairo2-dev libpango1.0-dev libqpdf-dev libqrencode-dev
  # the indicators' evaluation export (XLSX)
  libxlsxwriter-dev
  # fuzzing (make fuzz, and the short libFuzzer run of make test): clang with libFuzzer,
  # ASan and UBSan runtimes
  clang-14 libclang-rt-14-dev
  # tests and benchmarks
  libgtest-dev libgmock-dev libbenchmark-dev postgresql-15 wrk nginx-light curl openssl
  # independent checkers of sealed documents: pdfsig/pdftotext/pdftoppm, qpdf --check,
  # an NSS trust store for pdfsig (certutil), a QR decoder (zbarimg)
  poppler-utils qpdf libnss3-tools zbar-tools
  # a real SMTP server receiving the notification e-mails of the tests (aiosmtpd)
  python3-aiosmtpd
  # the supervisor console's browser test moves a case's acceptance back in its database
  sqlite3
  # portal end-to-end tests: a real browser, and fonts for Chinese text
  chromium fonts-noto-cjk
  # npm-based checkers (region data fetch, OpenAPI lint)
  nodejs npm
  # the province's cluster (scripts/cluster.sh, make cluster-test, make failover-drill):
  # PostgreSQL under Patroni with etcd, HAProxy routing writes to the primary (nginx above);
  # promtool (prometheus) checks the alerting rules and scrape configuration in deploy/
  patroni etcd-server etcd-client haproxy prometheus
)

missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    # nodejs/npm may come from outside Debian (e.g. NodeSource); accept working binaries.
    case "$p" in
      nodejs) command -v node >/dev/null 2>&1 && continue ;;
      npm) command -v npm >/dev/null 2>&1 && continue ;;
    esac
    missing+=("$p")
  fi
done

if ((${#missing[@]} > 0)); then
  echo "install-deps: installing ${missing[*]}" >&2
  SUDO=""
  if [[ $(id -u) -ne 0 ]]; then SUDO="sudo"; fi
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  # nginx-light is only a benchmark reference; never leave a system nginx running. The
  # cluster's packages likewise: scripts/cluster.sh starts its own etcd, Patroni, HAProxy
  # and nginx on loopback ports, so the system services they install stay stopped.
  if command -v systemctl >/dev/null 2>&1; then
    for svc in nginx etcd haproxy patroni prometheus prometheus-node-exporter; do
      $SUDO systemctl disable --now "$svc" >/dev/null 2>&1 || true
    done
  fi
  if [[ -f /run/nginx.pid ]]; then $SUDO kill "$(cat /run/nginx.pid)" 2>/dev/null || true; fi
fi

# npm checkers run by ctest (Redocly CLI lints docs/openapi.json), at the exact versions
# of tests/tools/package-lock.json. Reinstalled only when node_modules is missing or
# older than the lock file.
cd "$(dirname "$0")/.."
tools=tests/tools
stamp=$tools/node_modules/.package-lock.json  # npm rewrites it on every install
# A node_modules that is a symbolic link is another checkout's install (a git worktree
# sharing it): npm ci through the link would empty it under that checkout, so it is left alone.
if [[ -L $tools/node_modules ]]; then
  :
elif [[ ! -f $stamp || $tools/package-lock.json -nt $stamp ]]; then
  echo "install-deps: installing npm tools in $tools" >&2
  (cd "$tools" && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
  touch "$stamp"
fi

# The independent XLSX reader of the indicators' exports (exceljs, tests/xlsx), likewise.
xlsx=tests/xlsx
if [[ ! -L $xlsx/node_modules ]] &&
   [[ ! -f $xlsx/node_modules/.package-lock.json || $xlsx/package-lock.json -nt $xlsx/node_modules/.package-lock.json ]]; then
  echo "install-deps: installing the XLSX reader in $xlsx" >&2
  (cd "$xlsx" && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
  touch "$xlsx/node_modules/.package-lock.json"
fi
