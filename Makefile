# Every check .ci/run runs is one target here, so any one can be run alone.
#   make farm   the main job: the load-balanced farm on real nginx, stock vs the module
#   make test   every check: fmt, clippy, docs, all tests (Rust, C, nginx), vectors, no_std,
#               the panic proof, sanitizers, a fuzz smoke run, the farm demo
#   make demo   content ETags of some files, the same on every server
SHELL := /bin/bash
CARGO ?= cargo
# The public conformance vectors beside the checkout, when present, run on top of tests/vectors/.
VECTORS_DIR ?= $(wildcard ../shared/vectors)
FILES ?= README.md Cargo.toml src/lib.rs

# The C ABI: libraries under target/ffi/lib, C tests built from ffi/tests/c.
FFI_OUT := target/ffi
FFI_LIB := $(FFI_OUT)/lib
CC ?= cc
C_STRICT := -std=c11 -Wall -Wextra -Wpedantic -Werror -g -O1 -Iinclude
C_SAN := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
# What a program linking the Rust staticlib also needs (rustc --print native-static-libs).
NATIVE_LIBS := -lgcc_s -lutil -lrt -lpthread -lm -ldl -lc
PREFIX ?= /usr/local
C_TESTS := api_test vectors_test

# cargo-fuzz targets (fuzz/): a bounded smoke run in CI, a long campaign by hand.
FUZZ_TARGETS := entity_tag list http_date evaluate content c_abi
FUZZ_SECONDS ?= 20
FUZZ_RUNS ?= 10000000

.PHONY: farm nginx-module nginx-test nginx-load demo test fmt clippy doc unit vectors nostd panic-check bench-build ffi header c-test c-valgrind install c-example asan fuzz-smoke fuzz-campaign bench

demo:
	$(CARGO) run --locked --quiet --example etag -- $(FILES)

test: fmt clippy doc unit vectors nostd panic-check bench-build c-test c-valgrind c-example asan fuzz-smoke nginx-test farm

fmt:
	$(CARGO) fmt --all --check
	$(CARGO) fmt --manifest-path fuzz/Cargo.toml --check

clippy:
	$(CARGO) clippy --locked --all-targets -- -D warnings

doc:
	RUSTDOCFLAGS="-D warnings" $(CARGO) doc --locked --no-deps

# Unit, integration, property and doc tests.
unit:
	$(CARGO) test --locked

# The vector runner again, uncaptured, for its "FILE: N passed, M failed" lines.
vectors:
	ETAGCORE_VECTORS_DIR="$(VECTORS_DIR)" $(CARGO) test --locked --test vectors -- --nocapture

# Fails (E0152 or "no global memory allocator") if std or alloc reaches the core.
nostd:
	$(CARGO) build --locked -p etagcore-nostd-check --profile nostd

# Fails to link ("undefined symbol: etagcore_panic_path_reached") if any panic path survives in
# the optimised C ABI and core (panic-check/src/lib.rs).
panic-check:
	$(CARGO) build --locked -p etagcore-panic-check --profile panic-check
	@echo "panic-check: no reachable panic in $$(nm -D --defined-only target/panic-check/libetagcore_panic_check.so | grep -c ' T etagcore_') C entry points"

bench-build:
	$(CARGO) bench --locked --no-run

# libetagcore.a and libetagcore.so (soname libetagcore.so.0) from the etagcore-ffi crate.
ffi:
	$(CARGO) build --locked --release -p etagcore-ffi
	mkdir -p $(FFI_LIB)
	cp target/release/libetagcore_ffi.a $(FFI_LIB)/libetagcore.a
	cp target/release/libetagcore_ffi.so $(FFI_LIB)/libetagcore.so.0
	ln -sf libetagcore.so.0 $(FFI_LIB)/libetagcore.so

# The C tests, under ASan and UBSan, against the static library; and the shared library's
# exports: etagcore_* only.
c-test: ffi
	@extra="$$(nm -D --defined-only $(FFI_LIB)/libetagcore.so | awk '{print $$3}' | grep -v '^etagcore_' || true)"; \
	  [ -z "$$extra" ] || { echo "libetagcore.so exports more than etagcore_*:"; echo "$$extra"; exit 1; }; \
	  echo "libetagcore.so exports $$(nm -D --defined-only $(FFI_LIB)/libetagcore.so | grep -c ' T etagcore_') functions, all etagcore_*"
	for t in $(C_TESTS); do \
	  $(CC) $(C_STRICT) $(C_SAN) ffi/tests/c/$$t.c $(FFI_LIB)/libetagcore.a $(NATIVE_LIBS) -o $(FFI_OUT)/$$t-asan || exit 1; \
	done
	$(FFI_OUT)/api_test-asan
	ETAGCORE_VECTORS_DIR="$(VECTORS_DIR)" $(FFI_OUT)/vectors_test-asan tests/vectors

# The same C tests once more, without sanitizers, under valgrind.
c-valgrind: ffi
	for t in $(C_TESTS); do \
	  $(CC) $(C_STRICT) ffi/tests/c/$$t.c $(FFI_LIB)/libetagcore.a $(NATIVE_LIBS) -o $(FFI_OUT)/$$t || exit 1; \
	done
	valgrind -q --error-exitcode=1 --leak-check=full $(FFI_OUT)/api_test
	ETAGCORE_VECTORS_DIR="$(VECTORS_DIR)" valgrind -q --error-exitcode=1 --leak-check=full $(FFI_OUT)/vectors_test tests/vectors

# The committed include/etagcore.h regenerated (also checked by `make unit`).
header:
	UPDATE_HEADER=1 $(CARGO) test --locked -p etagcore-ffi --test header

# Header, both libraries and etagcore.pc under $(PREFIX) (DESTDIR honoured).
install: ffi
	install -d $(DESTDIR)$(PREFIX)/include $(DESTDIR)$(PREFIX)/lib/pkgconfig
	install -m 644 include/etagcore.h $(DESTDIR)$(PREFIX)/include/
	install -m 644 $(FFI_LIB)/libetagcore.a $(DESTDIR)$(PREFIX)/lib/
	install -m 755 $(FFI_LIB)/libetagcore.so.0 $(DESTDIR)$(PREFIX)/lib/
	ln -sf libetagcore.so.0 $(DESTDIR)$(PREFIX)/lib/libetagcore.so
	sed -e 's|@PREFIX@|$(PREFIX)|' -e "s|@VERSION@|$$(sed -n 's/^version = \"\(.*\)\"/\1/p' Cargo.toml | head -1)|" \
	  ffi/etagcore.pc.in > $(DESTDIR)$(PREFIX)/lib/pkgconfig/etagcore.pc

# The C example built against an installed copy through pkg-config, shared and static; its tag
# must equal the Rust example's.
C_EXAMPLE_PREFIX := $(abspath $(FFI_OUT)/prefix)
c-example:
	$(MAKE) --no-print-directory install PREFIX=$(C_EXAMPLE_PREFIX)
	export PKG_CONFIG_PATH=$(C_EXAMPLE_PREFIX)/lib/pkgconfig; \
	$(CC) $(C_STRICT) ffi/examples/etag_check.c $$(pkg-config --cflags --libs etagcore) \
	  -Wl,-rpath,$(C_EXAMPLE_PREFIX)/lib -o $(FFI_OUT)/etag_check-shared && \
	$(CC) $(C_STRICT) ffi/examples/etag_check.c $$(pkg-config --cflags etagcore) \
	  $(C_EXAMPLE_PREFIX)/lib/libetagcore.a $$(pkg-config --libs-only-other --libs-only-l --static etagcore | sed 's/-letagcore//') \
	  -o $(FFI_OUT)/etag_check-static
	ldd $(FFI_OUT)/etag_check-shared | grep -q 'libetagcore.so.0 => $(C_EXAMPLE_PREFIX)/lib' || \
	  { echo "etag_check-shared does not load the installed libetagcore.so.0"; exit 1; }
	want="$$($(CARGO) run --locked --quiet --example etag -- README.md | cut -d' ' -f1)"; \
	for bin in etag_check-shared etag_check-static; do \
	  got="$$($(FFI_OUT)/$$bin README.md "$$want" | tr '\n' ' ')"; \
	  echo "$$bin: $$got"; \
	  [ "$$got" = "$$want  README.md If-None-Match: $$want -> 304 " ] || { echo "$$bin disagrees with the Rust API"; exit 1; }; \
	done

# The Rust tests of the core and the FFI crate under AddressSanitizer (own target dir; the
# explicit --target keeps build scripts uninstrumented).
asan:
	RUSTC_BOOTSTRAP=1 RUSTFLAGS=-Zsanitizer=address CARGO_TARGET_DIR=target/asan \
	  $(CARGO) test --locked --target x86_64-unknown-linux-gnu -p etagcore -p etagcore-ffi --lib --tests

# Every fuzz target for FUZZ_SECONDS with ASan; a crash fails and prints the reproducer's path.
fuzz-smoke:
	cd fuzz && for t in $(FUZZ_TARGETS); do \
	  RUSTC_BOOTSTRAP=1 cargo fuzz run $$t -- -max_total_time=$(FUZZ_SECONDS) -dict=etagcore.dict || exit 1; \
	done

# The long campaign recorded in fuzz/README.md: FUZZ_RUNS executions per target; each target's
# full log goes to target/fuzz-campaign/, its final statistics to the terminal.
fuzz-campaign:
	mkdir -p target/fuzz-campaign
	cd fuzz && for t in $(FUZZ_TARGETS); do \
	  log=../target/fuzz-campaign/$$t.log; \
	  RUSTC_BOOTSTRAP=1 cargo fuzz run $$t -- -runs=$(FUZZ_RUNS) -dict=etagcore.dict -print_final_stats=1 \
	    > $$log 2>&1 || { tail -40 $$log; exit 1; }; \
	  grep -aE '^(stat::number_of_executed_units|stat::average_exec_per_sec|stat::peak_rss_mb|#[0-9]+ +DONE)' $$log \
	    | sed "s/^/$$t /"; \
	done

# The nginx module (ffi/nginx/), built against Debian's nginx-dev tree: target/nginx/*.so.
nginx-module: ffi
	bash ffi/nginx/install-deps.sh
	ffi/nginx/build.sh

# Data-driven module tests and the conformance vectors, on real nginx servers on 127.0.0.1.
nginx-test: nginx-module
	python3 ffi/nginx/t/run_tests.py
	ETAGCORE_VECTORS_DIR="$(VECTORS_DIR)" python3 ffi/nginx/t/vectors.py

# Three origins behind a round-robin balancer: stock nginx, then the module.
farm: nginx-module
	python3 ffi/nginx/farm.py

# wrk on loopback, stock vs module (not in CI: timings are for the record, not assertions).
LOAD_SECONDS ?= 5
nginx-load: nginx-module
	bash ffi/nginx/install-deps.sh wrk
	python3 ffi/nginx/load.py $(LOAD_SECONDS)

# Every criterion bench in one run (benches/*.rs and the C ABI bench, ffi/benches/c_abi.rs),
# then BENCHMARKS.md from the medians (benches/report.py). About 8 minutes;
# BENCH_ARGS go to criterion (e.g. BENCH_ARGS="--warm-up-time 0.2 --measurement-time 0.5").
BENCH_ARGS ?=
bench:
	rm -rf target/criterion
	$(CARGO) bench --locked --bench '*' -- $(BENCH_ARGS)
	python3 benches/report.py target/criterion > BENCHMARKS.md.tmp
	mv BENCHMARKS.md.tmp BENCHMARKS.md
