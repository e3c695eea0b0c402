#!/usr/bin/env python3
"""Load test on loopback: crates/actix's actix_serve_dir with content tags vs plain actix-files.

Two `actix_serve_dir` processes ($ETAGCORE_ACTIX_SERVE_DIR, a release build, one worker each)
serve the same 23,000-byte file: one with TaggedFiles and its tag cache under Compress and
Preconditions, one with actix-files `Files` (`--stock`) under the same Compress. wrk measures
requests per second for full 200 responses and for 304 revalidations (If-None-Match with each
server's own tag) in interleaved rounds (stock, content tags, stock, ...), as load_rust.py does
for the tower stack, and prints the medians, their ratio and the server's CPU time per request.
Not run in CI.

Usage: ETAGCORE_ACTIX_SERVE_DIR=target/release/examples/actix_serve_dir load_actix.py
[ROUNDS [SECONDS]] (default 5 rounds of 3 s, wrk -t1 -c16). Everything on 127.0.0.1, each
server stopped by its PID.
"""
import os
import sys

sys.dont_write_bytecode = True  # leave no __pycache__ beside the scripts
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import actix_origins  # noqa: E402
from load_rust import compare  # noqa: E402

def main():
    return compare("load_actix", actix_origins, actix_origins.ActixOrigin, "actix-files",
                   "TaggedFiles", note="1 worker each, ")


if __name__ == "__main__":
    sys.exit(main())
