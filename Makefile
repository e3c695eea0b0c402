# Every check .ci/run runs is one target here, so any one can be run alone.
#   make demo   the main job: content ETags of some files, the same on every server
#   make test   every check: fmt, clippy, docs, all tests (doctests included), vectors, no_std
SHELL := /bin/bash
CARGO ?= cargo
# The public conformance vectors beside the checkout, when present, run on top of tests/vectors/.
VECTORS_DIR ?= $(wildcard ../shared/vectors)
FILES ?= README.md Cargo.toml src/lib.rs

.PHONY: demo test fmt clippy doc unit vectors nostd bench-build

demo:
	$(CARGO) run --locked --quiet --example etag -- $(FILES)

test: fmt clippy doc unit vectors nostd bench-build

fmt:
	$(CARGO) fmt --all --check

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

bench-build:
	$(CARGO) bench --locked --no-run
