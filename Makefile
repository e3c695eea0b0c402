# Every check .ci/run runs is one target here, so any one can be run alone.
#   make farm    the main job: the load-balanced farm on real nginx and Apache, stock vs the modules
#   make test    every check: `make check`, then docs, no_std and no-panic proofs, benches built,
#                C tests under valgrind and from an installed copy, Rust tests under ASan, a
#                fuzz smoke run, the nginx module's tests and vectors (HTTP/1.1, HTTP/2, under
#                valgrind), its .deb installed, the Apache module's tests and vectors (event,
#                prefork, HTTP/2, valgrind) and package, Chromium through the farm, the farm demo
#   make check   the fast loop: fmt, clippy, the Rust tests, the vectors, the C tests (ASan)
#   make demo    content ETags of some files, the same on every server
# Long campaigns are their own targets, never in CI: fuzz-campaign, bench, nginx-load,
# nginx-bench, nginx-buffer-bench, apache-bench, mutants.
# Each target installs the Debian packages or cargo tools it needs where missing (as root), or
# says what to install.
SHELL := /bin/bash
CARGO ?= cargo
# The public conformance vectors beside the checkout, when present, run on top of tests/vectors/.
VECTORS_DIR ?= $(wildcard ../shared/vectors)
FILES ?= README.md Cargo.toml src/lib.rs

# The C ABI: libraries, the native link libraries rustc printed and a pkg-config file for the
# build tree under target/ffi/lib; C tests built from ffi/tests/c.
FFI_OUT := target/ffi
FFI_LIB := $(FFI_OUT)/lib
FFI_PC_PATH := $(abspath $(FFI_LIB)/pkgconfig)
CC ?= cc
C_STRICT := -std=c11 -Wall -Wextra -Wpedantic -Werror -g -O1 -Iinclude
C_SAN := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
# What a program linking the Rust staticlib also needs: written by `make ffi` from
# `rustc --print native-static-libs`, read here, by etagcore.pc and so by the nginx module.
NATIVE_LIBS = $$(cat $(FFI_LIB)/native-static-libs)
PREFIX ?= /usr/local
C_TESTS := api_test vectors_test
VERSION := $(shell sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -1)
# The shared library's soname, as ffi/build.rs sets it: libetagcore.so.0.<minor> before 1.0.
SONAME := libetagcore.so.$(if $(filter 0.%,$(VERSION)),$(word 1,$(subst ., ,$(VERSION))).$(word 2,$(subst ., ,$(VERSION))),$(word 1,$(subst ., ,$(VERSION))))

# cargo-fuzz targets (fuzz/): a bounded smoke run in CI, a long campaign by hand.
FUZZ_TARGETS := entity_tag list http_date evaluate content c_abi http_conditions
FUZZ_SECONDS ?= 20
FUZZ_RUNS ?= 10000000

# $(call need,COMMAND,DEBIAN PACKAGES): installs the packages where COMMAND is missing (as root),
# or stops with the command to run.
define need
	@command -v $(1) >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "$(1) not found: installing Debian's $(2)"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(2) >/dev/null; \
	  else \
	    echo "$(1) not found: run 'sudo apt-get install $(2)', then make $@ again" >&2; exit 1; \
	  fi; }
endef

# $(call need_cargo,SUBCOMMAND,CRATE): `cargo install --locked CRATE` where `cargo SUBCOMMAND` is
# missing; $(call need_component,SUBCOMMAND,COMPONENT) for rustup components.
define need_cargo
	@command -v cargo-$(1) >/dev/null 2>&1 || { echo "cargo $(1) not found: cargo install --locked $(2)"; \
	  $(CARGO) install --locked $(2); }
endef
define need_component
	@$(CARGO) $(1) --version >/dev/null 2>&1 || { \
	  echo "cargo $(1) not found: run 'rustup component add $(2)'" >&2; exit 1; }
endef

.PHONY: farm test check demo fmt clippy doc unit vectors nostd panic-check bench-build ffi header \
  c-test c-valgrind install c-example asan fuzz-smoke fuzz-campaign nginx-module nginx-test \
  nginx-load bench mutants cli cli-test cli-bench serve-dir actix-serve-dir rust-load actix-load \
  nginx-test-h2 nginx-valgrind nginx-deb nginx-deb-test browser-test nginx-bench nginx-buffer-bench \
  apache-module apache-test apache-test-prefork apache-test-h2 apache-valgrind apache-deb \
  apache-deb-test apache-bench

demo:
	$(CARGO) run --locked --quiet --example etag -- $(FILES)

check: fmt clippy unit vectors c-test

test: check doc nostd panic-check bench-build c-valgrind c-example asan fuzz-smoke nginx-test \
  nginx-test-h2 nginx-valgrind nginx-deb-test apache-test apache-test-prefork apache-test-h2 \
  apache-valgrind apache-deb-test browser-test cli-test farm

fmt:
	$(call need_component,fmt,rustfmt)
	$(CARGO) fmt --all --check
	for m in fuzz checks/nostd checks/panic; do $(CARGO) fmt --manifest-path $$m/Cargo.toml --check || exit 1; done

clippy:
	$(call need_component,clippy,clippy)
	$(CARGO) clippy --locked --workspace --all-targets -- -D warnings

doc:
	RUSTDOCFLAGS="-D warnings" $(CARGO) doc --locked --workspace --no-deps

# Unit, integration, property and doc tests of every workspace crate (the CLI's compare with
# Debian's xxh128sum, required here).
unit:
	$(call need,xxh128sum,xxhash)
	ETAGCORE_REQUIRE_XXH128SUM=1 $(CARGO) test --locked --workspace

# The vector runner again, uncaptured, for its "FILE: N passed, M failed" lines.
vectors:
	ETAGCORE_VECTORS_DIR="$(VECTORS_DIR)" $(CARGO) test --locked --test vectors -- --nocapture

# The proof crates, each in its own workspace (checks/), built into target/checks.
# nostd fails (E0152 or "no global memory allocator") if std or alloc reaches the core.
nostd:
	$(CARGO) build --locked --release --manifest-path checks/nostd/Cargo.toml --target-dir target/checks

# Fails to link ("undefined symbol: etagcore_panic_path_reached") if any panic path survives in
# the optimised C ABI and core (checks/panic/src/lib.rs).
panic-check:
	$(CARGO) build --locked --release --manifest-path checks/panic/Cargo.toml --target-dir target/checks
	@echo "panic-check: no reachable panic in $$(nm -D --defined-only target/checks/release/libetagcore_panic_check.so | grep -c ' T etagcore_') C entry points"

bench-build:
	$(CARGO) bench --locked --workspace --no-run

# libetagcore.a and libetagcore.so (soname $(SONAME)) from the etagcore-ffi crate, the
# native libraries rustc says a static link needs, and the build tree's etagcore.pc.
ffi:
	mkdir -p $(FFI_LIB)/pkgconfig
	$(CARGO) rustc --locked --release -p etagcore-ffi --lib -- --print native-static-libs 2> $(FFI_OUT)/build.log \
	  || { cat $(FFI_OUT)/build.log; exit 1; }
	sed -n 's/^note: native-static-libs: //p' $(FFI_OUT)/build.log | tail -1 > $(FFI_LIB)/native-static-libs
	@[ -s $(FFI_LIB)/native-static-libs ] || { echo "rustc printed no native-static-libs"; cat $(FFI_OUT)/build.log; exit 1; }
	cp target/release/libetagcore_ffi.a $(FFI_LIB)/libetagcore.a
	# a new file renamed over the old one: a process that has the old one loaded (a test's
	# ctypes, a running nginx) keeps its copy; writing over it in place crashed them
	cp target/release/libetagcore_ffi.so $(FFI_LIB)/$(SONAME).new
	mv -f $(FFI_LIB)/$(SONAME).new $(FFI_LIB)/$(SONAME)
	ln -sf $(SONAME) $(FFI_LIB)/libetagcore.so
	$(call pc,$(abspath $(FFI_OUT)),$(abspath $(FFI_LIB)),$(abspath include),$(FFI_LIB)/pkgconfig/etagcore.pc)

# $(call pc,PREFIX,LIBDIR,INCLUDEDIR,OUT): etagcore.pc from ffi/etagcore.pc.in.
pc = sed -e 's|@PREFIX@|$(1)|' -e 's|@LIBDIR@|$(2)|' -e 's|@INCLUDEDIR@|$(3)|' \
  -e "s|@NATIVE_LIBS@|$$(cat $(FFI_LIB)/native-static-libs)|" -e 's|@VERSION@|$(VERSION)|' \
  ffi/etagcore.pc.in > $(4)

# The C tests, under ASan and UBSan, against the static library; and the shared library's
# exports: etagcore_* only.
c-test: ffi
	$(call need,nm,binutils)
	@extra="$$(nm -D --defined-only $(FFI_LIB)/libetagcore.so | awk '{print $$3}' | grep -v '^etagcore_' || true)"; \
	  [ -z "$$extra" ] || { echo "libetagcore.so exports more than etagcore_*:"; echo "$$extra"; exit 1; }; \
	  echo "libetagcore.so exports $$(nm -D --defined-only $(FFI_LIB)/libetagcore.so | grep -c ' T etagcore_') functions, all etagcore_*"
	for t in $(C_TESTS); do \
	  $(CC) $(C_STRICT) $(C_SAN) ffi/tests/c/$$t.c $(FFI_LIB)/libetagcore.a $(NATIVE_LIBS) -o $(FFI_OUT)/$$t-asan || exit 1; \
	done
	$(FFI_OUT)/api_test-asan
	ETAGCORE_VECTORS_DIR="$(VECTORS_DIR)" $(FFI_OUT)/vectors_test-asan tests/vectors ffi/tests/c/vectors

# The same C tests once more, without sanitizers, under valgrind.
c-valgrind: ffi
	$(call need,valgrind,valgrind)
	for t in $(C_TESTS); do \
	  $(CC) $(C_STRICT) ffi/tests/c/$$t.c $(FFI_LIB)/libetagcore.a $(NATIVE_LIBS) -o $(FFI_OUT)/$$t || exit 1; \
	done
	valgrind -q --error-exitcode=1 --leak-check=full $(FFI_OUT)/api_test
	ETAGCORE_VECTORS_DIR="$(VECTORS_DIR)" valgrind -q --error-exitcode=1 --leak-check=full $(FFI_OUT)/vectors_test tests/vectors ffi/tests/c/vectors

# The committed include/etagcore.h regenerated (also checked by `make unit`).
header:
	UPDATE_HEADER=1 $(CARGO) test --locked -p etagcore-ffi --test header

# Header, both libraries and etagcore.pc under $(PREFIX) (DESTDIR honoured).
install: ffi
	install -d $(DESTDIR)$(PREFIX)/include $(DESTDIR)$(PREFIX)/lib/pkgconfig
	install -m 644 include/etagcore.h $(DESTDIR)$(PREFIX)/include/
	install -m 644 $(FFI_LIB)/libetagcore.a $(DESTDIR)$(PREFIX)/lib/
	install -m 755 $(FFI_LIB)/$(SONAME) $(DESTDIR)$(PREFIX)/lib/
	ln -sf $(SONAME) $(DESTDIR)$(PREFIX)/lib/libetagcore.so
	$(call pc,$(PREFIX),$(PREFIX)/lib,$(PREFIX)/include,$(DESTDIR)$(PREFIX)/lib/pkgconfig/etagcore.pc)

# The C example built against an installed copy through pkg-config, shared and static; its tag
# must equal the Rust example's.
C_EXAMPLE_PREFIX := $(abspath $(FFI_OUT)/prefix)
c-example:
	$(call need,pkg-config,pkg-config)
	$(MAKE) --no-print-directory install PREFIX=$(C_EXAMPLE_PREFIX)
	export PKG_CONFIG_PATH=$(C_EXAMPLE_PREFIX)/lib/pkgconfig; \
	$(CC) $(C_STRICT) ffi/examples/etag_check.c $$(pkg-config --cflags --libs etagcore) \
	  -Wl,-rpath,$(C_EXAMPLE_PREFIX)/lib -o $(FFI_OUT)/etag_check-shared && \
	$(CC) $(C_STRICT) ffi/examples/etag_check.c $$(pkg-config --cflags etagcore) \
	  $$(pkg-config --variable=libdir etagcore)/libetagcore.a $$(pkg-config --variable=native_libs etagcore) \
	  -o $(FFI_OUT)/etag_check-static
	readelf -d $(FFI_LIB)/$(SONAME) | grep -q 'Library soname: \[$(SONAME)\]' || \
	  { echo "libetagcore.so's soname is not $(SONAME)"; exit 1; }
	ldd $(FFI_OUT)/etag_check-shared | grep -q '$(SONAME) => $(C_EXAMPLE_PREFIX)/lib' || \
	  { echo "etag_check-shared does not load the installed $(SONAME)"; exit 1; }
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
	$(call need_cargo,fuzz,cargo-fuzz)
	cd fuzz && for t in $(FUZZ_TARGETS); do \
	  RUSTC_BOOTSTRAP=1 cargo fuzz run $$t -- -max_total_time=$(FUZZ_SECONDS) -dict=etagcore.dict || exit 1; \
	done

# The long campaign recorded in fuzz/README.md: FUZZ_RUNS executions per target; each target's
# full log goes to target/fuzz-campaign/, its final statistics to the terminal.
fuzz-campaign:
	$(call need_cargo,fuzz,cargo-fuzz)
	mkdir -p target/fuzz-campaign
	cd fuzz && for t in $(FUZZ_TARGETS); do \
	  log=../target/fuzz-campaign/$$t.log; \
	  RUSTC_BOOTSTRAP=1 cargo fuzz run $$t -- -runs=$(FUZZ_RUNS) -dict=etagcore.dict -print_final_stats=1 \
	    > $$log 2>&1 || { tail -40 $$log; exit 1; }; \
	  grep -aE '^(stat::number_of_executed_units|stat::average_exec_per_sec|stat::peak_rss_mb|#[0-9]+ +DONE)' $$log \
	    | sed "s/^/$$t /"; \
	done

# The nginx module (servers/nginx/), built against Debian's nginx-dev tree with the build
# tree's libetagcore (pkg-config): target/nginx/*.so.
nginx-module: ffi
	$(call need,python3,python3)
	bash servers/nginx/install-deps.sh
	PKG_CONFIG_PATH=$(FFI_PC_PATH) servers/nginx/build.sh

# Data-driven cases (the shared ones in servers/farm/cases, nginx's own in servers/nginx/t) and
# the conformance vectors (static files, then proxied through the buffering mode), on real nginx
# servers on 127.0.0.1.
# cache_test.py: the shared zone and thread pool (workers, reload, eviction, races), with
# xxh128sum as the oracle. buffer_memory_test.py: the buffering mode's memory bound.
nginx-test: nginx-module
	$(call need,xxh128sum,xxhash)
	python3 servers/farm/run_cases.py --server nginx servers/farm/cases servers/nginx/t
	ETAGCORE_VECTORS_DIR="$(VECTORS_DIR)" python3 servers/farm/vectors.py --server nginx
	ETAGCORE_VECTORS_DIR="$(VECTORS_DIR)" python3 servers/farm/vectors.py --server nginx --buffered
	python3 servers/nginx/cache_test.py
	python3 servers/nginx/buffer_memory_test.py

# The cases and the vectors again over HTTP/2 (cleartext, prior knowledge; curl sends the
# requests).
nginx-test-h2: nginx-module
	$(call need,curl,curl)
	python3 servers/farm/run_cases.py --server nginx --http2 servers/farm/cases servers/nginx/t
	ETAGCORE_VECTORS_DIR="$(VECTORS_DIR)" python3 servers/farm/vectors.py --server nginx --http2

# The cases and the vectors with nginx as one process under valgrind (about 5 minutes): an error
# with a frame in the module or libetagcore fails; logs with errors are kept in target/valgrind/.
nginx-valgrind: nginx-module
	$(call need,valgrind,valgrind)
	python3 servers/farm/run_cases.py --server nginx --valgrind servers/farm/cases servers/nginx/t
	ETAGCORE_VECTORS_DIR="$(VECTORS_DIR)" python3 servers/farm/vectors.py --server nginx --valgrind
	ETAGCORE_VECTORS_DIR="$(VECTORS_DIR)" python3 servers/farm/vectors.py --server nginx --http2 --valgrind
	ETAGCORE_VECTORS_DIR="$(VECTORS_DIR)" python3 servers/farm/vectors.py --server nginx --buffered --valgrind

# The module as a Debian package laid out like Debian's libnginx-mod-* (target/deb/), and its
# test: apt-get install, nginx -t through /etc/nginx/modules-enabled, a request, remove, purge
# (as root; it purges its own package at the end).
nginx-deb: nginx-module
	$(call need,dpkg-shlibdeps,dpkg-dev)
	servers/nginx/deb.sh

nginx-deb-test: nginx-module
	$(call need,dpkg-shlibdeps,dpkg-dev)
	servers/nginx/deb_test.sh

# Headless Chromium (W3C WebDriver) reloading a page through the farm: 3 nginx origins behind a
# round-robin balancer, stock vs the module; every conditional request must get 304 with the
# module.
browser-test: nginx-module
	bash servers/farm/install-browser.sh
	python3 servers/farm/browser_test.py

# The module's "stock speed" benchmark (not in CI: timings are for the record): wrk stock vs
# module in four configs, syscalls per request (strace), small-file p99 during a cold 1 GiB
# hash, first-request latency; writes servers/nginx/BENCHMARKS.md. About 5 minutes;
# NGINX_BENCH_ARGS go to bench.py (e.g. --quick, --rounds 3, --only ofc-1w).
NGINX_BENCH_ARGS ?=
nginx-bench: nginx-module
	bash servers/nginx/install-deps.sh wrk
	$(call need,strace,strace)
	python3 servers/nginx/bench.py $(NGINX_BENCH_ARGS)

# The buffering mode (content_etag_buffer) against stock nginx, both proxying to one backend
# nginx (not in CI: timings are for the record): requests/s, time to first byte and memory for
# 2 KB, 64 KB and 1 MB responses, interleaved rounds, and a malformed-header load; writes
# servers/nginx/BENCHMARKS-buffer.md. NGINX_BUFFER_BENCH_ARGS go to bench_buffer.py (--quick...).
NGINX_BUFFER_BENCH_ARGS ?=
nginx-buffer-bench: nginx-module
	bash servers/nginx/install-deps.sh wrk
	python3 servers/nginx/bench_buffer.py $(NGINX_BUFFER_BENCH_ARGS)

# The Apache module (servers/apache/), built with apxs (Debian's apache2-dev) and the build
# tree's libetagcore.a, its symbols hidden: target/apache/mod_content_etag.so.
apache-module: ffi
	$(call need,python3,python3)
	bash servers/apache/install-deps.sh
	PKG_CONFIG_PATH=$(FFI_PC_PATH) servers/apache/build.sh

# The shared cases with Apache's config sections, Apache's own (servers/apache/t), the vectors,
# and cache_test.py (children, threads, eviction, races), on real Apache servers on 127.0.0.1.
apache-test: apache-module
	$(call need,xxh128sum,xxhash)
	python3 servers/farm/run_cases.py --server apache servers/farm/cases servers/apache/t
	ETAGCORE_VECTORS_DIR="$(VECTORS_DIR)" python3 servers/farm/vectors.py --server apache
	python3 servers/apache/cache_test.py

# The same cases and vectors with the prefork MPM (one request per child, no threads), and over
# HTTP/2 (mod_http2, h2c with prior knowledge; curl sends the requests).
apache-test-prefork: apache-module
	ETAGCORE_APACHE_MPM=prefork python3 servers/farm/run_cases.py --server apache servers/farm/cases servers/apache/t
	ETAGCORE_APACHE_MPM=prefork ETAGCORE_VECTORS_DIR="$(VECTORS_DIR)" python3 servers/farm/vectors.py --server apache

apache-test-h2: apache-module
	$(call need,curl,curl)
	python3 servers/farm/run_cases.py --server apache --http2 servers/farm/cases servers/apache/t
	ETAGCORE_VECTORS_DIR="$(VECTORS_DIR)" python3 servers/farm/vectors.py --server apache --http2

# The cases and the vectors with Apache as one process (-X) under valgrind: an error with a
# frame in the module or libetagcore fails; logs with errors are kept in target/valgrind/.
apache-valgrind: apache-module
	$(call need,valgrind,valgrind)
	python3 servers/farm/run_cases.py --server apache --valgrind servers/farm/cases servers/apache/t
	ETAGCORE_VECTORS_DIR="$(VECTORS_DIR)" python3 servers/farm/vectors.py --server apache --valgrind

# The module as a Debian package laid out like Debian's libapache2-mod-* (target/deb/), and its
# test: apt-get install, a2enmod, apache2ctl -t, a request, remove, purge (as root).
apache-deb: apache-module
	$(call need,dpkg-shlibdeps,dpkg-dev)
	servers/apache/deb.sh

apache-deb-test: apache-module
	$(call need,dpkg-shlibdeps,dpkg-dev)
	servers/apache/deb_test.sh

# Stock speed (not in CI: timings are for the record): wrk stock vs the module for 200 and 304,
# the 304 of a 128 MiB file against FileETag Digest, a malformed-header load; writes
# servers/apache/BENCHMARKS.md. APACHE_BENCH_ARGS go to bench.py.
APACHE_BENCH_ARGS ?=
apache-bench: apache-module
	bash servers/apache/install-deps.sh wrk
	$(call need,strace,strace)
	python3 servers/apache/bench.py $(APACHE_BENCH_ARGS)

# Three origins behind a round-robin balancer, stock then etagcore's, for each server: nginx
# (the module), Apache (MTime Size, Digest, the module), Rust (etagcore-http's serve_dir example vs tower-http ServeDir) and actix-web
# (etagcore-actix's example vs actix-files); `etagcore probe` against the origins each time.
farm: nginx-module apache-module cli serve-dir actix-serve-dir
	ETAGCORE_BIN=$(CLI_BIN) ETAGCORE_SERVE_DIR=$(SERVE_DIR_BIN) \
	  ETAGCORE_ACTIX_SERVE_DIR=$(ACTIX_SERVE_DIR_BIN) python3 servers/farm/farm.py

# The Rust static servers of the farm, optimised.
SERVE_DIR_BIN := target/release/examples/serve_dir
ACTIX_SERVE_DIR_BIN := target/release/examples/actix_serve_dir
serve-dir:
	$(CARGO) build --locked --release -p etagcore-http --example serve_dir
actix-serve-dir:
	$(CARGO) build --locked --release -p etagcore-actix --example actix_serve_dir

# wrk on loopback, serve_dir (content tags) vs tower-http ServeDir, and the actix example vs
# actix-files: interleaved rounds (not in CI: timings are for the record).
# Each writes its crate's BENCHMARKS.md, which benches/report.py carries into BENCHMARKS.md.
rust-load: serve-dir
	bash servers/nginx/install-deps.sh wrk
	set -o pipefail; ETAGCORE_SERVE_DIR=$(SERVE_DIR_BIN) python3 servers/farm/load_rust.py | tee target/rust-load.txt
	$(call load_md,etagcore-http serve_dir vs tower-http ServeDir,rust-load,crates/http/BENCHMARKS.md)
actix-load: actix-serve-dir
	bash servers/nginx/install-deps.sh wrk
	set -o pipefail; ETAGCORE_ACTIX_SERVE_DIR=$(ACTIX_SERVE_DIR_BIN) python3 servers/farm/load_actix.py | tee target/actix-load.txt
	$(call load_md,etagcore-actix actix_serve_dir vs actix-files,actix-load,crates/actix/BENCHMARKS.md)

# $(call load_md,TITLE,TARGET,OUT): a load run's output as a BENCHMARKS.md section.
load_md = { echo "\#\# $(1) (wrk)"; echo; \
  echo "\`make $(2)\`, $$(date -u +%Y-%m-%d), $$(nproc) cores, at $$(git log -1 --format=%h): interleaved rounds, medians."; \
  echo; echo '```text'; cat target/$(2).txt; echo '```'; } > $(3)

# The command-line tool (crates/cli), optimised: target/release/etagcore.
CLI_BIN := target/release/etagcore
cli:
	$(CARGO) build --locked --release -p etagcore-cli

# `etagcore probe` against real farms: stock and module origins, a balancer, gzip, TLS, and
# origins that refuse, stall, answer garbage or redirect.
cli-test: nginx-module cli
	$(call need,openssl,openssl)
	python3 servers/farm/probe_test.py $(CLI_BIN)

# `etagcore tag -r` vs xxh128sum and sha1sum with hyperfine (not in CI): crates/cli/BENCHMARKS.md.
CLI_BENCH_RUNS ?= 10
cli-bench: cli
	$(call need,hyperfine,hyperfine)
	$(call need,xxh128sum,xxhash)
	crates/cli/bench.sh $(CLI_BIN) $(CLI_BENCH_RUNS)

# wrk on loopback, stock vs module (not in CI: timings are for the record, not assertions).
LOAD_SECONDS ?= 5
nginx-load: nginx-module
	bash servers/nginx/install-deps.sh wrk
	python3 servers/farm/load.py $(LOAD_SECONDS)

# Mutation testing of the core's decision code (cargo-mutants; not in CI: about 11 minutes on
# 2 cores). Every mutant that survives `cargo test -p etagcore` is listed in target/mutants; the
# last run (0.2.0): 218 tested, 201 caught, 0 missed, 17 unviable.
MUTANTS_FILES ?= src/list.rs src/date.rs src/precondition.rs src/condition.rs src/etag.rs
mutants:
	$(call need_cargo,mutants,cargo-mutants)
	$(CARGO) mutants --package etagcore $(addprefix --file ,$(MUTANTS_FILES)) --jobs 1 --timeout 120 \
	  --output target/mutants -- --lib --tests

# Every criterion bench in one run (benches/*.rs, the C ABI bench ffi/benches/c_abi.rs, and
# etagcore-http's crates/http/benches/*.rs),
# then BENCHMARKS.md from the medians (benches/report.py). About 8 minutes;
# BENCH_ARGS go to criterion (e.g. BENCH_ARGS="--warm-up-time 0.2 --measurement-time 0.5").
BENCH_ARGS ?=
bench:
	rm -rf target/criterion
	$(CARGO) bench --locked --workspace --bench '*' -- $(BENCH_ARGS)
	python3 benches/report.py target/criterion > BENCHMARKS.md.tmp
	mv BENCHMARKS.md.tmp BENCHMARKS.md
