# The two commands: `make run` and `make test`. Everything else is a helper.
SHELL := /bin/bash
PRESET ?= release
BUILD := build/$(PRESET)
BIN := $(BUILD)/onewindow
DB ?= sqlite:./data/onewindow.db
LISTEN ?= 127.0.0.1:8080

.PHONY: run test deps build web bench bench-indicators asan fuzz format tidy clean cluster-test failover-drill

## make run: install what is missing, build, load the demo data, serve on http://127.0.0.1:8080
run: deps build web
	$(BIN) --database $(DB) seed-demo
	$(BIN) --database $(DB) serve --listen $(LISTEN)

## make test: build, start a throwaway PostgreSQL, run every test on SQLite and PostgreSQL
test: deps
	bash scripts/test.sh

deps:
	@bash scripts/install-deps.sh

# Only the server: a first `make run` compiles what it runs, not the test and benchmark
# targets (`make test` and `make bench` build those in their own presets).
build:
	cmake --preset $(PRESET) >/dev/null
	cmake --build --preset $(PRESET) --target onewindow

# The portal (Vue 3 + Vite): web/dist. npm ci only when node_modules is missing or older
# than the lock file; vite build only when a source is newer than the last build.
web:
	@bash scripts/build-web.sh

## make cluster-test: three nodes on a Patroni-managed PostgreSQL pair behind nginx
## (scripts/cluster.sh) behave as one: tests/cluster/cluster-test.mjs
cluster-test: deps
	cmake --preset dev >/dev/null && cmake --build build/dev --target onewindow
	bash tests/cluster/run.sh test

## make failover-drill: submissions through nginx while Patroni switches over and the
## primary's postmaster is killed: none lost, none doubled, the 503 window measured
failover-drill: deps
	cmake --preset dev >/dev/null && cmake --build build/dev --target onewindow
	bash tests/cluster/run.sh drill

bench: deps
	bash bench/run.sh

## make bench-indicators: 1,000,000 generated cases per store, the indicator query mix p50/p99
## and the cost of keeping the aggregates on a case transition (bench/indicators.sh)
bench-indicators: deps
	bash bench/indicators.sh

asan: deps
	PRESET=asan bash scripts/test.sh

## make fuzz: build the libFuzzer harnesses (clang, ASan, UBSan) and fuzz each for FUZZ_SECONDS
FUZZ_SECONDS ?= 300
fuzz: deps
	FUZZ_SECONDS=$(FUZZ_SECONDS) FUZZ_TARGETS="$(FUZZ_TARGETS)" bash scripts/fuzz.sh

format:
	find src tests bench fuzz -name '*.cc' -o -name '*.h' | xargs clang-format -i

# clang-tidy reads the compile commands of a configuration without GCC's precompiled
# headers (clang cannot load them; cmake/pch.cmake), configured only, never built.
tidy:
	cmake --preset dev -B build/tidy -DOW_PCH=OFF >/dev/null && find src -name '*.cc' ! -name '*_test.cc' | xargs clang-tidy -p build/tidy --quiet

clean:
	rm -rf build web/dist
