#!/usr/bin/env python3
"""Load test on loopback: stock nginx vs the module, same machine, same run.

1. Requests per second with wrk for a ~23 KB file: full 200 responses, and 304 revalidations
   (If-None-Match with the server's own tag), stock nginx vs content_etag on.
2. A malformed-header run against the module, on one file and then on 3000 files through a
   small shared zone under eviction pressure (2 workers): the workers must survive (same pids)
   and their memory stay flat.
3. The cost of hashing: latency of the first request for a file (hashed) and of the next one
   (cached), for 23 KB, 1 MiB and 16 MiB files.
Bounded: each wrk run lasts SECONDS seconds with CONNECTIONS connections; everything on
127.0.0.1, each nginx stopped by its PID. Usage: load.py [SECONDS]
"""
import os
import random
import sys
import time

sys.dont_write_bytecode = True  # leave no __pycache__ beside the scripts
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import header  # noqa: E402
from nginx_server import Nginx  # noqa: E402
import benchtools  # noqa: E402
from benchtools import BAD, ROUND_ROBIN_LUA  # noqa: E402

SECONDS = int(sys.argv[1]) if len(sys.argv) > 1 else 5
CONNECTIONS = 16
BODY = bytes(random.Random(23).randrange(256) for _ in range(23_000))


def wrk(url, headers=(), script=None):
    """(requests/s, responses other than 2xx/3xx) of one run of SECONDS s, -t1 -cCONNECTIONS."""
    run = benchtools.wrk(url, SECONDS, 1, CONNECTIONS, headers, script)
    return run.rps, run.non2xx


def throughput():
    rows = {}
    cache = "open_file_cache max=1000 inactive=60s; open_file_cache_valid 60s;"
    configs = (
        ("stock nginx", "", False),
        ("content_etag on", "content_etag on;", True),
        ("stock + ofc", cache, False),
        ("module + ofc", "content_etag on; " + cache, True),
    )
    for label, conf, module in configs:
        with Nginx(conf, module=module) as n:
            n.write("file.bin", BODY, mtime=1_760_000_000)
            time.sleep(2.1)  # its ctime is now: the module caches no tag before 2 s (racy)
            url = f"http://127.0.0.1:{n.port}/file.bin"
            status, headers, _ = n.request("GET", "/file.bin")
            etag = header(headers, "ETag")
            assert status == 200 and n.request("GET", "/file.bin", [("If-None-Match", etag)])[0] == 304
            rows[label] = (wrk(url)[0], wrk(url, [f"If-None-Match: {etag}"])[0], etag)
    print(f"\nrequests/s, {len(BODY)}-byte file, wrk -t1 -c{CONNECTIONS} -d{SECONDS}s, 1 worker")
    print("(ofc: with open_file_cache, which lets the module reuse nginx's open file descriptor)")
    print(f"{'server':<18} {'200 full':>10} {'304':>10}  ETag")
    for label, (full, nm, etag) in rows.items():
        print(f"{label:<18} {full:>10.0f} {nm:>10.0f}  {etag}")
    for module, stock in (("content_etag on", "stock nginx"), ("module + ofc", "stock + ofc")):
        (s200, s304, _), (m200, m304, _) = rows[stock], rows[module]
        print(f"{module + ' / stock':<18} {m200 / s200:>10.2f} {m304 / s304:>10.2f}")


def malformed():
    """Malformed conditional headers: on one file, then on 3000 files through a 32k zone (it
    holds about 240 tags) with 2 workers, so that the zone evicts on nearly every request."""
    runs = (
        ("one file", "", 1, 1),
        ("3000 files, 32k zone, 2 workers", "content_etag_zone small:32k;", 2, 3000),
    )
    for label, http_conf, workers, files in runs:
        with Nginx("content_etag on;", http_conf=http_conf, workers=workers) as n:
            for i in range(files):
                n.write(f"f{i}.bin", BODY[: 1000 + i], mtime=1_760_000_000)
            time.sleep(2.1)  # past the racily-clean window: tags are cached, then evicted
            n.request("GET", "/f0.bin")
            before_pids, before_rss = n.worker_pids(), n.worker_rss_kb()
            script = os.path.join(n.prefix, "round_robin.lua")
            with open(script, "w") as f:
                f.write(ROUND_ROBIN_LUA % files)
            rps, non2xx = wrk(f"http://127.0.0.1:{n.port}/f0.bin", BAD, script)
            after_pids, after_rss = n.worker_pids(), n.worker_rss_kb()
            hashed = n.log().count("content_etag: hashed")
            print(f"\nmalformed conditional headers, {label}, {SECONDS}s: {rps:.0f} requests/s, "
                  f"{non2xx} non-2xx/3xx answers (If-Match fails closed: 412), {hashed} hashes")
            print(f"worker pids {before_pids} -> {after_pids}; "
                  f"worker RSS {before_rss} KiB -> {after_rss} KiB")
            assert before_pids == after_pids, "a worker died"
            assert after_rss - before_rss < 2048 * workers, "worker memory grew"
            assert "is full" not in n.log(), "the zone did not evict"


def hashing_cost():
    print("\nfirst request (file hashed) vs second (tag cached), content_etag on")
    with Nginx("content_etag on; content_etag_max_size 64m;") as n:
        for size in (23_000, 1 << 20, 16 << 20):
            name = f"f{size}.bin"
            n.write(name, os.urandom(size))
            timings = []
            for _ in range(2):
                start = time.perf_counter()
                status, headers, body = n.request("HEAD", "/" + name)
                timings.append((time.perf_counter() - start) * 1000)
                assert status == 200 and header(headers, "ETag").startswith('"')
            print(f"{size:>10} bytes: first {timings[0]:7.2f} ms, cached {timings[1]:6.2f} ms")


if __name__ == "__main__":
    throughput()
    malformed()
    hashing_cost()
