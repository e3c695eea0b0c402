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
import statistics
import sys

sys.dont_write_bytecode = True  # leave no __pycache__ beside the scripts
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import header  # noqa: E402
import actix_origins  # noqa: E402
from load_rust import BODY, CONNECTIONS, MTIME, ROUNDS, SECONDS, cpu_seconds, wrk  # noqa: E402

STOCK, OURS = "actix-files", "TaggedFiles"


def main():
    if not actix_origins.available():
        print(f"load_actix: {actix_origins.missing_note()}")
        return 2
    servers = {STOCK: actix_origins.ActixOrigin(stock=True),
               OURS: actix_origins.ActixOrigin()}
    try:
        targets = {}
        for label, server in servers.items():
            server.write("file.bin", BODY, mtime=MTIME)
            server.start()
            status, headers, body = server.request("GET", "/file.bin")  # hashes it, for ours
            etag = header(headers, "ETag")
            assert status == 200 and body == BODY, (label, status)
            assert server.request("GET", "/file.bin", [("If-None-Match", etag)])[0] == 304
            targets[label] = (f"http://127.0.0.1:{server.port}/file.bin", etag)
        results = {(label, kind): [] for label in servers for kind in ("200", "304")}
        cpu = {(label, kind): [] for label in servers for kind in ("200", "304")}
        for _ in range(ROUNDS):
            for kind in ("200", "304"):
                for label, (url, etag) in targets.items():
                    extra = [f"If-None-Match: {etag}"] if kind == "304" else []
                    before = cpu_seconds(servers[label].pid)
                    rps, count, bad = wrk(url, extra)
                    used = cpu_seconds(servers[label].pid) - before
                    assert bad == 0, f"{label} {kind}: {bad} responses other than 2xx/3xx"
                    results[(label, kind)].append(rps)
                    cpu[(label, kind)].append(1e6 * used / count)
    finally:
        for server in servers.values():
            server.stop()

    print(f"requests/s, {len(BODY)}-byte file, wrk -t1 -c{CONNECTIONS} -d{SECONDS}s, "
          f"{ROUNDS} interleaved rounds, median (min-max); 1 worker each, {os.cpu_count()} CPUs")
    print(f"{'server':<22} {'200 full':>22} {'304':>22}  ETag")
    medians = {}
    for label, (_, etag) in targets.items():
        cells = []
        for kind in ("200", "304"):
            runs = results[(label, kind)]
            medians[(label, kind)] = statistics.median(runs)
            cells.append(f"{medians[(label, kind)]:.0f} ({min(runs):.0f}-{max(runs):.0f})")
        print(f"{label:<22} {cells[0]:>22} {cells[1]:>22}  {etag}")
    ratio = {k: medians[(OURS, k)] / medians[(STOCK, k)] for k in ("200", "304")}
    print(f"{OURS + ' / stock':<22} {ratio['200']:>22.2f} {ratio['304']:>22.2f}")
    print(f"\nserver CPU time per request, microseconds, median of {ROUNDS}")
    print(f"{'server':<22} {'200 full':>22} {'304':>22}")
    for label in targets:
        cells = [f"{statistics.median(cpu[(label, k)]):.1f}" for k in ("200", "304")]
        print(f"{label:<22} {cells[0]:>22} {cells[1]:>22}")
    ok = min(ratio.values()) >= 0.95
    print("load_actix: " + ("goal met (>= 0.95x)" if ok else "below the 0.95x goal"))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
