#!/usr/bin/env bash
# Builds and runs every test: unit, integration and storage conformance, on SQLite
# and on a throwaway PostgreSQL cluster that this script starts and always stops.
# Exits non-zero on any failure. PRESET selects the CMake preset (dev, asan).
set -euo pipefail
cd "$(dirname "$0")/.."
PRESET=${PRESET:-dev}
BUILD=build/$PRESET
# Each phase's wall time, so a CI log says where its minutes went.
started=$SECONDS
phase_started=$SECONDS
phase() {
  echo "test: $1 took $((SECONDS - phase_started)) s ($((SECONDS - started)) s so far)"
  phase_started=$SECONDS
}

cmake --preset "$PRESET" >/dev/null
cmake --build --preset "$PRESET"
phase "the build"
bash scripts/build-web.sh
phase "the portal's build"

# The libFuzzer harnesses (clang-14, ASan, UBSan; the fuzz preset) build in the
# background, at low priority, while the tests run: most tests wait on sockets and
# databases, so the two share the cores well. FUZZ_SHORT_SECONDS=0 skips fuzzing.
FUZZ_SHORT_SECONDS=${FUZZ_SHORT_SECONDS:-10}
# json_bodies is left out of this short run: it links the whole server, and building that
# with ASan and coverage is some 130 more compilations, about a third of make test's CPU on
# two cores. Its seeds and kept crash inputs are still replayed by ctest (fuzz_json_bodies_replay)
# and `make fuzz` fuzzes it with the rest; FUZZ_SHORT_TARGETS names the harnesses to run here.
FUZZ_ALL=$(sed -n 's/^ow_fuzzer(\([a-z_]*\) .*/\1/p' fuzz/CMakeLists.txt)
FUZZ_SHORT_TARGETS=${FUZZ_SHORT_TARGETS:-$(echo "$FUZZ_ALL" | grep -vx json_bodies)}
fuzz_build_pid=
if ((FUZZ_SHORT_SECONDS > 0)); then
  mkdir -p build
  fuzz_targets=()
  for t in $FUZZ_SHORT_TARGETS; do fuzz_targets+=("${t}_fuzzer"); done
  (cmake --preset fuzz >/dev/null && nice -n 10 cmake --build build/fuzz --target "${fuzz_targets[@]}") \
    >build/fuzz-build.log 2>&1 &
  fuzz_build_pid=$!
fi

PGDIR=$(mktemp -d /tmp/onewindow-pg.XXXXXX)
chmod 755 "$PGDIR"
cleanup() { bash scripts/stop-postgres.sh "$PGDIR"; }
trap cleanup EXIT
export ONEWINDOW_TEST_PG_URL
ONEWINDOW_TEST_PG_URL=$(ONEWINDOW_PG_NO_FSYNC=1 bash scripts/start-postgres.sh "$PGDIR")
echo "test: PostgreSQL at $ONEWINDOW_TEST_PG_URL"
# Without a database the PostgreSQL cases fail instead of skipping.
export ONEWINDOW_TEST_REQUIRE_PG=1

status=0
ctest --test-dir "$BUILD" -j"$(nproc)" --output-on-failure --output-junit junit.xml || status=$?
phase "ctest"

# The province's cluster (issue 18): three nodes on a PostgreSQL pair under Patroni, behind
# HAProxy and nginx, behave as one (tests/cluster/cluster-test.mjs; about a minute, its own
# loopback ports). The dev build only; CLUSTER_TEST=0 skips it. The failover drill is
# `make failover-drill`. It mostly waits on its processes, so it runs beside the fuzzing
# below (one core each) and its log is printed when both are done.
cluster_pid=
if [[ ${CLUSTER_TEST:-1} == 1 && $PRESET == dev ]]; then
  echo "test: the cluster test (tests/cluster/run.sh test), log build/cluster-test.log"
  OW_CLUSTER_BINARY=$PWD/$BUILD/onewindow bash tests/cluster/run.sh test >build/cluster-test.log 2>&1 &
  cluster_pid=$!
fi

# Fuzzing: ctest above replayed every seed and every kept crash input (fuzz/regressions)
# through every harness with this preset's compiler (fuzz_*_replay). Here every harness
# is also fuzzed for FUZZ_SHORT_SECONDS each with libFuzzer, ASan and UBSan, one harness
# per core at a time.
if [[ -n "$fuzz_build_pid" ]]; then
  if wait "$fuzz_build_pid"; then
    FUZZ_SECONDS=$FUZZ_SHORT_SECONDS FUZZ_TARGETS=$FUZZ_SHORT_TARGETS FUZZ_JOBS=$(nproc) \
      bash scripts/fuzz.sh || status=$?
    phase "the short fuzzing (after its build)"
  else
    echo "test: the fuzz build failed (build/fuzz-build.log):"
    tail -30 build/fuzz-build.log
    status=1
  fi
fi

if [[ -n "$cluster_pid" ]]; then
  wait "$cluster_pid" || status=1
  cat build/cluster-test.log
  phase "the rest of the cluster test"
fi

# Count what ran on each store from the JUnit report.
junit="$BUILD/junit.xml"
if [[ -f "$junit" ]]; then
  total=$(grep -c '<testcase ' "$junit" || true)
  sqlite=$(grep '<testcase ' "$junit" | grep -c 'name="Sqlite/' || true)
  postgres=$(grep '<testcase ' "$junit" | grep -c 'name="Postgres/' || true)
  failed=$(grep -c 'status="fail"' "$junit" || true)
  skipped=$(grep -c 'status="disabled"\|status="notrun"' "$junit" || true)
  echo "test summary: $total tests; $sqlite ran on SQLite, $postgres ran on PostgreSQL 15 (real server), $((total - sqlite - postgres)) store-independent"
  echo "$((total - failed - skipped)) passed, $failed failed, $skipped skipped"
fi
exit $status
