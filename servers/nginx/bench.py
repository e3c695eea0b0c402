#!/usr/bin/env python3
"""The "stock speed" benchmark of ngx_http_content_etag_module: stock nginx vs the module on
127.0.0.1, written as Markdown to servers/nginx/BENCHMARKS.md.

1. throughput  requests/s with wrk for a 23,000-byte file, a plain GET (200) and a revalidation
               (304: If-None-Match with each server's own current tag), stock (module not
               loaded) vs `content_etag on`, in four configurations (CONFIGS): without and with
               open_file_cache, 1 and 2 workers. Both servers start once per configuration; after
               a warm-up, ROUNDS interleaved rounds (stock, module, then module, stock, ...);
               medians, module/stock with the min-max of the per-round ratios, and the workers'
               CPU time per request (less disturbed by a busy machine than requests/s).
2. syscalls    system calls per request of the only worker (`strace -c -f -p`) over an exact
               number of requests on one keep-alive connection, stock vs module, 200 and 304,
               without and with open_file_cache.
3. cold        p99 latency of small-file requests alone, and while one client GETs a 1 GiB file
               that is in neither the page cache nor the module's tag cache (first request after
               start), reading it at network speed (BIG_RATE) for BIG_TAIL seconds. The
               small-file client is open-loop (a fixed rate, latency counted from when each
               request was due), so a stalled worker counts once per request it delays, not once
               per connection as with wrk. Goal: the module's p99 during the cold hash at most 2x
               its p99 alone; stock under the same cold GET is shown beside it.
4. first       time to the response headers and to the last byte of a GET for 1 MiB, 64 MiB and
               1 GiB files: cold (first request after start, file evicted from the page cache),
               warm (the second request) and after a restart (tag cache empty, page cache warm),
               stock next to the module.

Files are evicted from the page cache one by one (fsync, posix_fadvise DONTNEED, checked with
fincore): nobody else's cache on the machine is dropped. The large files are real bytes (a 1 MiB
urandom block, each copy numbered) in a temporary folder removed at the end; they need 3 GiB free.
Every nginx has its own prefix, listens on 127.0.0.1 and is stopped by the PID it wrote.

Usage: bench.py [--rounds N] [--duration S] [--only CONFIG[,CONFIG]] [--parts PART[,PART]]
                [--quick] [--module-conf DIRECTIVES] [--output FILE]
--quick is a smoke test (1 round of 1 s, 200 traced requests, a 128 MiB "large" file) that
writes target/nginx/BENCHMARKS-quick.md unless --output says otherwise.
"""
import argparse
import datetime
import http.client
import multiprocessing
import os
import random
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
import time

sys.dont_write_bytecode = True  # leave no __pycache__ beside the scripts
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "farm"))
from harness import ROOT, header  # noqa: E402
import nginx_server  # noqa: E402
from nginx_server import NGINX, Nginx  # noqa: E402
from benchtools import (KINDS, LABELS, MIB, SETTLE, evict, git_head, interleaved,  # noqa: E402
                        load_average, log, percentile, settle, snapshot_module,
                        syscall_rows, throughput_rows, traced_counts, write_large,
                        write_report)

SMALL = bytes(random.Random(23).randrange(256) for _ in range(23_000))
MTIME = 1_760_000_000
GIB = 1 << 30
OFC = "open_file_cache max=1000 inactive=60s;"
CONFIGS = {  # name: (directives for both servers, worker_processes)
    "default-1w": ("", 1),
    "default-2w": ("", 2),
    "ofc-1w": (OFC, 1),
    "ofc-2w": (OFC, 2),
}
PARTS = ("throughput", "syscalls", "cold", "first")
MODULE_ON = "content_etag on;"
LARGE_ON = "content_etag on; content_etag_max_size 2g;"  # hash the 1 GiB file too
RATE = 400  # small-file requests per second of the open-loop client (part 3)
# The large GET's client (part 3) reads the body this fast, like a client across a network, for
# BIG_TAIL seconds after the headers, then hangs up. A loopback client reading at full speed
# never lets the socket fill: the worker then sends the whole file in one go and stalls every
# other connection for the whole transfer, stock nginx as much as the module, hiding the hash.
BIG_RATE = 50 * MIB
BIG_TAIL = 1.0
FREE_NEEDED = 3 * GIB

# ------------------------------------------------------------------------------ options


def options(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--rounds", type=int, default=5, help="interleaved wrk rounds (default 5)")
    p.add_argument("--duration", type=int, default=3, help="seconds per wrk round (default 3)")
    p.add_argument("--only", default=",".join(CONFIGS),
                   help=f"configurations for parts 1-2, comma-separated: {', '.join(CONFIGS)}")
    p.add_argument("--parts", default=",".join(PARTS),
                   help=f"parts to run, comma-separated: {', '.join(PARTS)}")
    p.add_argument("--quick", action="store_true", help="smoke test: short and small")
    p.add_argument("--module-conf", default="",
                   help="extra server-level directives for the module's servers")
    p.add_argument("--output", help="Markdown report (default servers/nginx/BENCHMARKS.md)")
    o = p.parse_args(argv)
    o.only, o.parts = o.only.split(","), o.parts.split(",")
    for name in o.only:
        if name not in CONFIGS:
            p.error(f"unknown configuration {name!r}; known: {', '.join(CONFIGS)}")
    for name in o.parts:
        if name not in PARTS:
            p.error(f"unknown part {name!r}; known: {', '.join(PARTS)}")
    if o.quick:
        o.rounds, o.duration = 1, 1
    o.warmup = 1
    o.traced = 200 if o.quick else 2000
    o.alone = 1.0 if o.quick else 5.0
    o.big = 128 * MIB if o.quick else GIB
    default = "target/nginx/BENCHMARKS-quick.md" if o.quick else "servers/nginx/BENCHMARKS.md"
    o.output = os.path.abspath(o.output) if o.output else os.path.join(ROOT, default)
    return o


# ------------------------------------------------------------------------------ servers


def make_server(label, conf, workers, o, docroot=None, module_on=MODULE_ON):
    """Stock nginx (module not loaded) or the module on; `conf` is added to both alike."""
    if label == "stock":
        return Nginx(conf, module=False, workers=workers, docroot=docroot)
    return Nginx(f"{module_on} {conf} {o.module_conf}", module=True, workers=workers,
                 docroot=docroot)


def start_pair(conf, workers, o):
    """Both servers, started, each serving file.bin (SMALL): {label: (server, etag)}."""
    servers = {label: make_server(label, conf, workers, o) for label in LABELS}
    pair = {}
    try:
        settle([s.write("file.bin", SMALL, mtime=MTIME) for s in servers.values()])
        for label, server in servers.items():
            server.start()
            pair[label] = (server, checked_etag(server))
    except BaseException:
        stop_all(servers.values())
        raise
    return pair


def checked_etag(server):
    """The server's current ETag for /file.bin, after checking its 200 and 304."""
    status, headers, body = server.request("GET", "/file.bin")
    etag = header(headers, "ETag")
    assert status == 200 and body == SMALL and etag, (server.module, status, etag)
    status = server.request("GET", "/file.bin", [("If-None-Match", etag)])[0]
    assert status == 304, (server.module, status)
    return etag


def stop_all(servers):
    for server in servers:
        server.stop()


# ------------------------------------------------------------------------------ 1. throughput


def throughput_config(name, o):
    """{(label, kind): [(requests/s, CPU us/request) per round]} for one configuration."""
    conf, workers = CONFIGS[name]
    pair = start_pair(conf, workers, o)
    try:
        return interleaved(pair, "/file.bin", o.rounds, o.duration, o.warmup, workers, name)
    finally:
        stop_all(s for s, _ in pair.values())


def throughput_section(o):
    lines = ["## 1. Throughput", "",
             f"wrk on 127.0.0.1, a {len(SMALL):,}-byte file; `-t1 -c16` with 1 worker, `-t2 -c32` "
             f"with 2; {o.rounds} interleaved rounds of {o.duration} s after a {o.warmup} s "
             "warm-up, medians. 304: If-None-Match with the server's own current tag "
             "(nginx's `\"mtime-size\"` for stock, the content tag for the module). "
             "`ofc`: `" + OFC + "`. Ratio: module/stock of the medians, then the range of the "
             "per-round ratios. CPU: the workers' user+system time per request (median).", "",
             "| config | response | stock req/s | module req/s | module/stock | per round "
             "| stock CPU µs/req | module CPU µs/req |",
             "|---|---|---:|---:|---:|---:|---:|---:|"]
    for name in o.only:
        lines += throughput_rows(name, throughput_config(name, o))
    return lines


# ------------------------------------------------------------------------------ 2. syscalls

def syscall_table(cache, o):
    """Markdown rows: per-request syscalls, stock vs module, 200 and 304, for one cache mode."""
    pair = start_pair(CONFIGS[cache + "-1w"][0], 1, o)
    cols = {}
    try:
        for kind in KINDS:
            for label in LABELS:
                server, etag = pair[label]
                headers = [("If-None-Match", etag)] if kind == "304" else []
                log(f"syscalls {cache}: {label} {kind}")
                cols[(label, kind)] = traced_counts(server, "/file.bin", headers, int(kind),
                                                    o.traced)
    finally:
        stop_all(s for s, _ in pair.values())
    return syscall_rows(cols, o.traced)


def syscall_section(o):
    caches = [c for c in ("default", "ofc") if any(n.startswith(c + "-") for n in o.only)]
    lines = ["## 2. System calls per request", "",
             f"`strace -c -f -p WORKER` on the only worker (`worker_processes 1`) over exactly "
             f"{o.traced:,} requests on one keep-alive connection, opened (and the tag computed) "
             "before strace attaches; calls divided by the request count (syscalls under "
             "0.005 per request in every column left out of the rows, not of the total)."]
    for cache in caches:
        lines += ["", f"### {cache}" + (f" (`{OFC}`)" if cache == "ofc" else
                                         " (no open_file_cache)"), "",
                  "| syscall | stock 200 | module 200 | stock 304 | module 304 |",
                  "|---|---:|---:|---:|---:|"]
        lines += syscall_table(cache, o)
    return lines


# ------------------------------------------------------------------------------ large files


def fetch(port, path):
    """One GET read to the end: (start, headers received, last byte, status, ETag, bytes), the
    times on the system-wide monotonic clock (comparable across processes)."""
    buf = bytearray(MIB)
    start = time.perf_counter()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
    conn.request("GET", path)
    resp = conn.getresponse()
    headers_at = time.perf_counter()
    n = 0
    while True:
        k = resp.readinto(buf)
        if not k:
            break
        n += k
    done = time.perf_counter()
    conn.close()
    return start, headers_at, done, resp.status, resp.getheader("ETag"), n


def fetch_slowly(port, path, rate, seconds):
    """A GET whose client reads the body at `rate` bytes/s for `seconds` after the headers, then
    hangs up: (start, headers received, hang-up, status, ETag, bytes read), as fetch()."""
    chunk = bytearray(256 * 1024)
    start = time.perf_counter()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
    conn.request("GET", path)
    resp = conn.getresponse()
    headers_at = time.perf_counter()
    n = 0
    while time.perf_counter() < headers_at + seconds:
        k = resp.readinto(chunk)
        if not k:
            break
        n += k
        pause = headers_at + n / rate - time.perf_counter()
        if pause > 0:
            time.sleep(pause)
    done = time.perf_counter()
    conn.close()
    return start, headers_at, done, resp.status, resp.getheader("ETag"), n


def tag_kind(etag):
    """What kind of ETag a response carried: content (32 hex digits), mtime-size (nginx's own),
    either marked weak, or none."""
    if not etag:
        return "none"
    weak, opaque = ("weak ", etag[2:]) if etag.startswith("W/") else ("", etag)
    if re.fullmatch(r'"[0-9a-f]{32}"', opaque):
        return weak + "content"
    if re.fullmatch(r'"[0-9a-f]+-[0-9a-f]+"', opaque):
        return weak + "mtime-size"
    return weak + opaque


class LargeFiles:
    """A temporary world-readable docroot with the small file and the large ones."""

    def __init__(self, sizes):
        self.dir = tempfile.mkdtemp(prefix="etagcore-bench-")
        os.chmod(self.dir, 0o755)
        with open(os.path.join(self.dir, "small.bin"), "wb") as f:
            f.write(SMALL)
        os.chmod(os.path.join(self.dir, "small.bin"), 0o644)
        self.names = {}
        for size in sizes:
            self.names[size] = name = f"f{size // MIB}m.bin"
            log(f"writing {name}")
            write_large(os.path.join(self.dir, name), size)
        settle([os.path.join(self.dir, name) for name in os.listdir(self.dir)])

    def path(self, size):
        return os.path.join(self.dir, self.names[size])

    def close(self):
        shutil.rmtree(self.dir, ignore_errors=True)


def size_label(size):
    return f"{size // GIB} GiB" if size >= GIB else f"{size // MIB} MiB"


# ------------------------------------------------------------------------------ 3. cold hash


def open_loop(port, rate, until):
    """GET /small.bin at `rate` per second on one keep-alive connection until `until()`;
    [(due, latency)] with latency counted from when the request was due (open loop: a stall
    delays every request due during it)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
    start, samples, i = time.perf_counter(), [], 0
    while not until():
        due = start + i / rate
        now = time.perf_counter()
        if now < due:
            time.sleep(due - now)
        conn.request("GET", "/small.bin")
        resp = conn.getresponse()
        assert resp.status == 200 and len(resp.read()) == len(SMALL)
        samples.append((due, time.perf_counter() - due))
        i += 1
    conn.close()
    return samples


def _fetch_into(queue, port, path):
    queue.put(fetch_slowly(port, path, BIG_RATE, BIG_TAIL))


def during_cold_get(server, files, o):
    """(small-file latencies due while the cold large GET ran, its fetch_slowly() result)."""
    ctx = multiprocessing.get_context("fork")
    queue = ctx.Queue()
    big = ctx.Process(target=_fetch_into, args=(queue, server.port, "/" + files.names[o.big]))
    launched, finished = time.perf_counter() + 0.5, []

    def until():
        now = time.perf_counter()
        if big.pid is None and now >= launched:
            big.start()
        if big.pid is not None and not finished and not big.is_alive():
            finished.append(now)
        return bool(finished) and now > finished[0] + 0.5

    samples = open_loop(server.port, RATE, until)
    result = queue.get(timeout=60)
    big.join()
    start, done = result[0], result[2]
    return [lat for due, lat in samples if start <= due <= done], result


def cold_row(label, files, o):
    """Markdown row for one server: small-file latency alone and during a cold large GET."""
    server = make_server(label, "", 1, o, docroot=files.dir, module_on=LARGE_ON)
    left = evict(files.path(o.big))
    server.start()
    try:
        server.request("GET", "/small.bin")
        t_end = time.perf_counter() + o.alone
        samples = open_loop(server.port, RATE, lambda: time.perf_counter() > t_end)
        alone = [lat for _, lat in samples]
        log(f"cold hash: {label}, {len(alone)} requests alone, now the cold GET")
        during, (start, hdr, done, status, etag, n) = during_cold_get(server, files, o)
    finally:
        server.stop()
    assert status == 200 and n > 0 and during, (label, status, n, len(during))
    p99a, p99d = percentile(alone, 0.99) * 1e3, percentile(during, 0.99) * 1e3
    row = (f"| {label} | {percentile(alone, 0.5) * 1e3:.2f} | {p99a:.2f} | {p99d:.2f} | "
           f"{max(during) * 1e3:.1f} | **{p99d / p99a:.1f}×** | {len(alone)} / {len(during)} | "
           f"{(hdr - start) * 1e3:.0f} / {(done - start) * 1e3:.0f} / {n // MIB} | "
           f"{tag_kind(etag)} |")
    return row, (p99a, p99d), (left, o.big)


def cold_section(files, o):
    big = size_label(o.big)
    lines = ["## 3. Small-file latency during a cold hash", "",
             f"`worker_processes 1`; the module with `{LARGE_ON}`. A client GETs the "
             f"{len(SMALL):,}-byte file at {RATE} requests/s on one keep-alive connection, open "
             "loop (latency counted from when each request was due, so a stalled worker delays "
             f"every request due during the stall): {o.alone:g} s alone, then while another "
             f"client GETs a {big} file for the first time since the server started, the file "
             "evicted from the page cache beforehand. That client reads the body at "
             f"{BIG_RATE // MIB} MiB/s for {BIG_TAIL:g} s after the headers, then hangs up, like "
             "a client across a network (one reading at loopback speed keeps a single nginx "
             "worker busy for the whole transfer, stock or module). \"during\" counts the "
             "requests due between that GET's start and its hang-up. "
             "Goal: module p99 during ≤ 2× p99 alone.", "",
             "| server | p50 alone ms | p99 alone ms | p99 during ms | max during ms | "
             f"during/alone | requests alone / during | {big} GET: headers ms / hang-up ms / "
             "MiB read | ETag |",
             "|---|---:|---:|---:|---:|---:|---:|---:|---|"]
    p99, lefts = {}, []
    for label in LABELS:
        row, p99[label], left = cold_row(label, files, o)
        lines.append(row)
        lefts.append(left)
    ratio = p99["module"][1] / p99["module"][0]
    met = "met" if ratio <= 2 else "not met"
    lines += ["", f"Goal (module p99 during ≤ 2× alone): **{met}** ({ratio:.1f}×). Module p99 "
              f"during / stock p99 during (the same cold GET without a hash): "
              f"{p99['module'][1] / p99['stock'][1]:.1f}×.", "", cache_note(lefts)]
    return lines


def cache_note(lefts):
    """What the page cache held of each file before its cold request: [(bytes left, size)]."""
    if any(left is None for left, _ in lefts):
        return "Page cache: files evicted with posix_fadvise(DONTNEED); not verified (no fincore)."
    cold = all(left < size // 100 for left, size in lefts)
    worst = max(left for left, _ in lefts)
    return (f"Page cache before the cold requests (fincore after posix_fadvise DONTNEED): at most "
            f"{worst / MIB:.1f} MiB of a file resident: " + ("cold." if cold else "partly warm."))


# ------------------------------------------------------------------------------ 4. first request


def first_requests(label, files, sizes, o):
    """{size: [cold, warm, restarted]} of fetch() results for one server."""
    results, lefts = {size: [] for size in sizes}, []
    for phase in ("cold", "restarted"):
        if phase == "cold":
            lefts = [(evict(files.path(size)), size) for size in sizes]
        server = make_server(label, "", 1, o, docroot=files.dir, module_on=LARGE_ON)
        server.start()
        try:
            for size in sizes:
                log(f"first request: {label} {size_label(size)} {phase}")
                for _ in range(2 if phase == "cold" else 1):
                    result = fetch(server.port, "/" + files.names[size])
                    assert result[3] == 200 and result[5] == size, (label, size, result[3:])
                    results[size].append(result)
        finally:
            server.stop()
    return results, lefts


def first_cell(result):
    start, hdr, done = result[:3]
    return f"{(hdr - start) * 1e3:.1f} / {(done - start) * 1e3:.0f}"


def first_section(files, sizes, o):
    lines = ["## 4. First-request latency", "",
             f"`worker_processes 1`; the module with `{LARGE_ON}`. One GET read to the end, "
             "milliseconds to the response headers / to the last byte. cold: the first request "
             "after the server started, the file evicted from the page cache beforehand; warm: "
             "the second request; restarted: the first request after a restart (the module's "
             "tag cache empty, the page cache warm).", "",
             "| file | server | cold | warm | restarted | ETag |",
             "|---|---|---:|---:|---:|---|"]
    lefts = []
    per_label = {}
    for label in LABELS:
        per_label[label], left = first_requests(label, files, sizes, o)
        lefts += left
    for size in sizes:
        for label in LABELS:
            cells = " | ".join(first_cell(r) for r in per_label[label][size])
            lines.append(f"| {size_label(size)} | {label} | {cells} | "
                         f"{tag_kind(per_label[label][size][0][4])} |")
    return lines + ["", cache_note(lefts)]


def large_sections(o):
    """Parts 3 and 4, which share the large files; skipped when the disk is short."""
    want = [p for p in ("cold", "first") if p in o.parts]
    if not want:
        return []
    sizes = sorted({MIB, 64 * MIB, o.big})
    free = shutil.disk_usage(tempfile.gettempdir()).free
    if free < FREE_NEEDED:
        msg = (f"Skipped: {free / GIB:.1f} GiB free in {tempfile.gettempdir()}, "
               f"{FREE_NEEDED // GIB} GiB needed for the large files.")
        log(msg)
        titles = {"cold": "## 3. Small-file latency during a cold hash",
                  "first": "## 4. First-request latency"}
        return [line for p in want for line in (titles[p], "", msg, "")]
    files = LargeFiles(sizes)
    try:
        lines = (cold_section(files, o) + [""]) if "cold" in want else []
        return lines + (first_section(files, sizes, o) if "first" in want else [])
    finally:
        files.close()


# ------------------------------------------------------------------------------ report


def nginx_version():
    out = subprocess.run([NGINX, "-v"], capture_output=True, text=True)
    return (out.stderr or out.stdout).strip().split(":", 1)[-1].strip()


def heading(o, load, module):
    cmd = shlex.join(["python3", "servers/nginx/bench.py"] + sys.argv[1:])
    when = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    extra = f"; module servers add `{o.module_conf}`" if o.module_conf else ""
    return ["# ngx_http_content_etag_module: stock speed", "",
            f"Generated by `{cmd}` on {when}; nproc {os.cpu_count()}; {nginx_version()}; "
            f"tree at {git_head()}; {module}; load average at start {load}{extra}. "
            "Do not edit: run the command again.", "",
            "Everything on 127.0.0.1, each nginx with its own prefix; \"stock\" is the same "
            "config without the module loaded. Every file is left at least "
            f"{SETTLE:g} s old (ctime) before its first request: the module keeps no tag of a "
            "file changed less than 2 s before it hashed it.", ""]


def check_tools(o):
    if "throughput" in o.parts and not shutil.which("wrk"):
        raise SystemExit("wrk is missing: bash servers/nginx/install-deps.sh wrk")
    if "syscalls" in o.parts and not shutil.which("strace"):
        raise SystemExit("strace is missing: apt-get install strace")


def main(argv=None):
    o = options(argv)
    check_tools(o)
    load = load_average()
    began = time.time()
    workdir = tempfile.mkdtemp(prefix="etagcore-bench-module-")
    try:
        lines = heading(o, load, snapshot_module(nginx_server, workdir, "make nginx-module"))
        sections = {"throughput": throughput_section, "syscalls": syscall_section}
        for part, section in sections.items():
            if part in o.parts:
                lines += section(o) + [""]
        lines += large_sections(o)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    lines += ["", f"Run time: {time.time() - began:.0f} s."]
    write_report(o.output, lines)


if __name__ == "__main__":
    main()
