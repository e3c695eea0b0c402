#!/usr/bin/env python3
"""Load test on loopback: crates/http's serve_dir with content tags vs plain tower-http ServeDir.

Two `serve_dir` processes ($ETAGCORE_SERVE_DIR, a release build) serve the same 23,000-byte
file: one with ContentServeDir and its tag cache (`serve_dir`), one with ServeDir
(`serve_dir --stock`), each under the same CompressionLayer. wrk measures requests per second
for full 200 responses and for 304 revalidations (If-None-Match with each server's own tag), in
interleaved rounds (stock, content tags, stock, ...) so that a noisy neighbour on the machine
hits both alike; the medians and their ratio are printed, and the server's own CPU time per
request (/proc/PID/stat), which a busy machine disturbs less than requests per second. Not run
in CI.

Usage: ETAGCORE_SERVE_DIR=target/release/examples/serve_dir load_rust.py [ROUNDS [SECONDS]]
(default 5 rounds of 3 s, wrk -t1 -c16). Everything on 127.0.0.1, each server stopped by its PID.
"""
import os
import random
import re
import statistics
import subprocess
import sys

sys.dont_write_bytecode = True  # leave no __pycache__ beside the scripts
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import header  # noqa: E402
import rust_origins  # noqa: E402

ROUNDS = int(sys.argv[1]) if len(sys.argv) > 1 else 5
SECONDS = int(sys.argv[2]) if len(sys.argv) > 2 else 3
CONNECTIONS = 16
BODY = bytes(random.Random(23).randrange(256) for _ in range(23_000))
MTIME = 1_760_000_000


def cpu_seconds(pid):
    """User + system CPU time the process has used so far (from /proc, in clock ticks)."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def wrk(url, headers=()):
    """(requests/s, requests, responses other than 2xx/3xx)."""
    cmd = ["wrk", "-t1", f"-c{CONNECTIONS}", f"-d{SECONDS}s"]
    for h in headers:
        cmd += ["-H", h]
    out = subprocess.run(cmd + [url], capture_output=True, text=True, check=True,
                         timeout=SECONDS + 30).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    count = int(re.search(r"(\d+) requests in", out).group(1))
    non2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    return rps, count, int(non2xx.group(1)) if non2xx else 0


def compare(name, module, origin, stock, ours, note=""):
    """The whole comparison for one pair of servers started from a binary (`module`:
    rust_origins or actix_origins; `origin(stock=...)` makes one); `stock` and `ours` label
    them. Prints the tables and `NAME: goal met` or not; returns the exit status."""
    if not module.available():
        print(f"{name}: {module.missing_note()}")
        return 2
    servers = {stock: origin(stock=True), ours: origin()}
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
          f"{ROUNDS} interleaved rounds, median (min-max); {note}{os.cpu_count()} CPUs")
    print(f"{'server':<22} {'200 full':>22} {'304':>22}  ETag")
    medians = {}
    for label, (_, etag) in targets.items():
        cells = []
        for kind in ("200", "304"):
            runs = results[(label, kind)]
            medians[(label, kind)] = statistics.median(runs)
            cells.append(f"{medians[(label, kind)]:.0f} ({min(runs):.0f}-{max(runs):.0f})")
        print(f"{label:<22} {cells[0]:>22} {cells[1]:>22}  {etag}")
    ratio = {k: medians[(ours, k)] / medians[(stock, k)] for k in ("200", "304")}
    print(f"{ours + ' / stock':<22} {ratio['200']:>22.2f} {ratio['304']:>22.2f}")
    # Server CPU per request: what the server itself spent, whatever else shares the machine.
    print(f"\nserver CPU time per request, microseconds, median of {ROUNDS}")
    print(f"{'server':<22} {'200 full':>22} {'304':>22}")
    for label in targets:
        cells = [f"{statistics.median(cpu[(label, k)]):.1f}" for k in ("200", "304")]
        print(f"{label:<22} {cells[0]:>22} {cells[1]:>22}")
    ok = min(ratio.values()) >= 0.95
    print(f"{name}: " + ("goal met (>= 0.95x)" if ok else "below the 0.95x goal"))
    return 0 if ok else 1


def main():
    return compare("load_rust", rust_origins, rust_origins.ServeDirOrigin, "stock ServeDir",
                   "ContentServeDir")


if __name__ == "__main__":
    sys.exit(main())
