#!/usr/bin/env python3
"""The "stock speed" benchmark of mod_content_etag: stock Apache vs the module on 127.0.0.1,
written as Markdown to servers/apache/BENCHMARKS.md (`make apache-bench`).

1. throughput  requests/s with wrk (`-t1 -c16`) for a 23,000-byte file, a plain GET (200) and a
               revalidation (304: If-None-Match with each server's own current tag), stock
               Apache (its default `FileETag MTime Size`, the module not loaded) vs
               `ContentETag On`, event MPM, CHILDREN children of 16 threads each (2: 16
               connections on one child's 16 threads make the event MPM close keep-alive
               connections, which wrk counts as errors). Both servers start once; after a
               warm-up, ROUNDS interleaved rounds (stock, module, then module, stock, ...);
               medians, module/stock with the min-max of the per-round ratios, and the
               children's CPU time per request (less disturbed by a busy machine than
               requests/s). Goal: module ≥ 0.95× stock.
2. syscalls    system calls per request of the only child, all its threads (`strace -c -f -p`),
               over an exact number of requests on one keep-alive connection, stock vs module,
               200 and 304, under event and under prefork (no listener-thread handoff there).
3. large       the 304 of a 128 MiB file: REQUESTS sequential conditional GETs (If-None-Match
               with the server's tag) on one keep-alive connection, median and p99, for the
               module (its tag cached by an earlier request), stock `FileETag Digest` (SHA-1 of
               the whole file on every request) and stock `MTime Size`; the module's first
               request after a start, with the file evicted from the page cache and with it
               cached. Goal: the module's 304 ≥ 100× faster than Digest's.
4. malformed   wrk (`-t1 -c8`) for LOAD_SECONDS against the module with malformed conditional
               fields (benchtools.BAD, each alone and all together, and again without the DEL
               byte), round robin with the files as load.py does, on one file and on 3000 files
               through a 240-entry tag cache (an eviction on nearly every request), 2 children,
               `MaxKeepAliveRequests 0` (no connection closed by the server: see LOAD_CONF).
               The sets stock Apache's own parser refuses (400: the DEL byte) are left out of
               the load: they never reach a module, and each closes its connection. Checks: the
               children survive (same PIDs, no "exit signal" or segfault in the error log),
               their memory stays flat (growth after a warm-up under 2 MiB per child), every
               response parses (no wrk socket error) and has an expected status (200, 206, 304,
               412; counted by wrk's Lua `response` hook); every set, the refused ones too, sent
               once more through http.client to the module and to stock Apache.

Every Apache has its own prefix (servers/farm/apache_server.py), listens on 127.0.0.1 and is
stopped by the PID it wrote; the module is copied first, so that a rebuild during the run cannot
change it. Files are left 2.5 s old (ctime) before their first request: the module keeps no tag
of a file changed less than 2 s before it hashed it. The exit status is 1 when a malformed-load
check fails (timings below a goal are reported, not failed).

Usage: bench.py [--rounds N] [--duration S] [--children N] [--requests N] [--load-seconds S]
                [--parts PART[,PART]] [--quick] [--output FILE]
--quick is a smoke test (1 round of 1 s, 200 traced requests, 5 large-file requests, 2 s of
malformed load; under a minute) that writes target/apache/BENCHMARKS-quick.md unless --output
says otherwise.
"""
import argparse
import datetime
import os
import random
import re
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

sys.dont_write_bytecode = True  # leave no __pycache__ beside the scripts
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "farm"))
from harness import ROOT, header  # noqa: E402
import apache_server  # noqa: E402
from apache_server import APACHE, Apache  # noqa: E402
from benchtools import (BAD, KINDS, LABELS, MIB, SETTLE, STATUS_LUA, evict,  # noqa: E402
                        git_head, interleaved, load_average, log, percentile, settle,
                        snapshot_module, status_counts, syscall_rows, throughput_ratios,
                        throughput_rows, traced_counts, wrk, write_large, write_report)

SMALL = bytes(random.Random(23).randrange(256) for _ in range(23_000))
MTIME = 1_760_000_000
LARGE = 128 * MIB
PARTS = ("throughput", "syscalls", "large", "malformed")
MODULE_ON = "ContentETag On"
DIGEST = "FileETag Digest"
# The malformed runs; the second evicts on nearly every request (3000 files, 240 cached tags).
# Unlimited keep-alive in both: a connection Apache closes after an error page ends with a body
# delimited by the close, which wrk counts as a read error; without closes, every read error
# is a response wrk could not parse.
LOAD_CONF = "MaxKeepAliveRequests 0"
MALFORMED_RUNS = (  # (label, directives besides ContentETag On, children, files)
    ("one file", LOAD_CONF, 2, 1),
    ("3000 files, `ContentETagCacheEntries 240`", f"{LOAD_CONF}\nContentETagCacheEntries 240",
     2, 3000),
)
EXPECTED = {200, 206, 304, 412}
LOAD_CONNECTIONS = 8
RSS_BOUND_KB = 2048  # per child, after the warm-up
CRASH_WORDS = ("exit signal", "egmentation fault", "segfault", "AH00052")


# ------------------------------------------------------------------------------ options


def options(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--rounds", type=int, default=5, help="interleaved wrk rounds (default 5)")
    p.add_argument("--duration", type=int, default=3, help="seconds per wrk round (default 3)")
    p.add_argument("--children", type=int, default=2,
                   help="Apache children for the throughput part (default 2)")
    p.add_argument("--requests", type=int, default=20,
                   help="conditional GETs of the 128 MiB file per server (default 20)")
    p.add_argument("--load-seconds", type=int, default=10,
                   help="seconds of each malformed-header wrk run (default 10)")
    p.add_argument("--parts", default=",".join(PARTS),
                   help=f"parts to run, comma-separated: {', '.join(PARTS)}")
    p.add_argument("--quick", action="store_true", help="smoke test: short and small")
    p.add_argument("--output", help="Markdown report (default servers/apache/BENCHMARKS.md)")
    o = p.parse_args(argv)
    o.parts = o.parts.split(",")
    for name in o.parts:
        if name not in PARTS:
            p.error(f"unknown part {name!r}; known: {', '.join(PARTS)}")
    if o.quick:
        o.rounds, o.duration, o.requests, o.load_seconds = 1, 1, 5, 2
    o.warmup = 1
    o.traced = 200 if o.quick else 2000
    default = "target/apache/BENCHMARKS-quick.md" if o.quick else "servers/apache/BENCHMARKS.md"
    o.output = os.path.abspath(o.output) if o.output else os.path.join(ROOT, default)
    return o


# ------------------------------------------------------------------------------ servers


def make_server(label, children, conf="", docroot=None, mpm="event"):
    """Stock Apache (module not loaded) or `ContentETag On`; `conf` (server level) goes to
    both."""
    if label == "stock":
        return Apache(conf, mpm=mpm, module=False, workers=children, docroot=docroot)
    return Apache(f"{MODULE_ON}\n{conf}", mpm=mpm, module=True, workers=children,
                  docroot=docroot)


def start_pair(children, conf="", mpm="event"):
    """Both servers, started, each serving file.bin (SMALL): {label: (server, etag)}."""
    servers = {label: make_server(label, children, conf, mpm=mpm) for label in LABELS}
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
    assert tag_kind(etag) == ("content" if server.module else "mtime-size"), etag
    status = server.request("GET", "/file.bin", [("If-None-Match", etag)])[0]
    assert status == 304, (server.module, status)
    return etag


def stop_all(servers):
    for server in servers:
        server.stop()


def tag_kind(etag):
    """What kind of ETag a response carried: content (32 hex digits), mtime-size (Apache's
    "<size hex>-<mtime µs hex>"), digest (FileETag Digest: base64 SHA-1), weak, or none."""
    if not etag:
        return "none"
    weak, opaque = ("weak ", etag[2:]) if etag.startswith("W/") else ("", etag)
    if re.fullmatch(r'"[0-9a-f]{32}"', opaque):
        return weak + "content"
    if re.fullmatch(r'"[0-9a-f]+-[0-9a-f]+"', opaque):
        return weak + "mtime-size"
    if re.fullmatch(r'"[A-Za-z0-9+/]{27}="', opaque):
        return weak + "digest"
    return weak + opaque


# ------------------------------------------------------------------------------ 1. throughput


def throughput_section(o):
    pair = start_pair(o.children)
    try:
        runs = interleaved(pair, "/file.bin", o.rounds, o.duration, o.warmup, 1, "event")
    finally:
        stop_all(s for s, _ in pair.values())
    ratios = {kind: throughput_ratios(runs, kind)[0] for kind in KINDS}
    met = all(r >= 0.95 for r in ratios.values())
    o.summary.append("throughput module/stock: " + ", ".join(
        f"{kind} {r:.3f}×" for kind, r in ratios.items()) + f" (goal ≥ 0.95×: "
        f"{'met' if met else 'not met'})")
    return ["## 1. Throughput", "",
            f"wrk `-t1 -c16` on 127.0.0.1, a {len(SMALL):,}-byte file; event MPM, "
            f"{o.children} children × 16 threads; {o.rounds} interleaved rounds of {o.duration} s "
            f"after a {o.warmup} s warm-up, medians. 304: If-None-Match with the server's own "
            "current tag (Apache's `\"size-mtime\"` for stock, the content tag for the module). "
            "Ratio: module/stock of the medians, then the range of the per-round ratios. CPU: "
            "the children's user+system time per request, all threads (median).", "",
            "| MPM | response | stock req/s | module req/s | module/stock | per round "
            "| stock CPU µs/req | module CPU µs/req |",
            "|---|---|---:|---:|---:|---:|---:|---:|"] + throughput_rows(
        f"event, {o.children} children", runs) + [
            "", f"Goal (module ≥ 0.95× stock, 200 and 304): **{'met' if met else 'not met'}** "
            f"({ratios['200']:.3f}× / {ratios['304']:.3f}×)."]


# ------------------------------------------------------------------------------ 2. syscalls


def syscall_table(mpm, o):
    """Markdown rows of one MPM's syscalls per request, 1 child."""
    # unlimited keep-alive: Apache's default closes the traced connection every 100 requests
    pair = start_pair(1, "MaxKeepAliveRequests 0", mpm)
    cols = {}
    try:
        for kind in KINDS:
            for label in LABELS:
                server, etag = pair[label]
                headers = [("If-None-Match", etag)] if kind == "304" else []
                log(f"syscalls {mpm}: {label} {kind}")
                cols[(label, kind)] = traced_counts(server, "/file.bin", headers, int(kind),
                                                    o.traced)
    finally:
        stop_all(s for s, _ in pair.values())
    return syscall_rows(cols, o.traced)


def syscall_section(o):
    lines = ["## 2. System calls per request", "",
             f"`strace -c -f -p CHILD` on the only child (all its threads) over exactly "
             f"{o.traced:,} requests on one keep-alive connection (`MaxKeepAliveRequests 0`), "
             "opened (and the tag computed) before strace attaches; calls divided by the "
             "request count (syscalls under 0.005 per request in every column left out of the "
             "rows, not of the total). Under event, the futex, epoll and read counts depend on "
             "timing: whether the client's next request is there before the worker thread "
             "hands the connection back to the listener thread. prefork has no such handoff."]
    for mpm, shape in (("event", "1 child × 16 threads"), ("prefork", "1 child")):
        lines += ["", f"### {mpm} ({shape})", "",
                  "| syscall | stock 200 | module 200 | stock 304 | module 304 |",
                  "|---|---:|---:|---:|---:|"] + syscall_table(mpm, o)
    return lines


# ------------------------------------------------------------------------------ 3. large file


def timed(server, conn, etag):
    """Seconds of one conditional GET of /big.bin on `conn`, which must answer 304."""
    start = time.perf_counter()
    status, headers, body = server.request("GET", "/big.bin", [("If-None-Match", etag)],
                                           conn=conn)
    took = time.perf_counter() - start
    assert status == 304 and not body and header(headers, "ETag") == etag, (status, headers)
    return took


def revalidations(server, etag, n):
    """Seconds of `n` conditional GETs on one keep-alive connection."""
    conn = server.connection()
    try:
        return [timed(server, conn, etag) for _ in range(n)]
    finally:
        conn.close()


def first_304(docroot, path, etag, cold):
    """(seconds, page-cache bytes left) of the module's first conditional GET after a start,
    the file evicted from the page cache beforehand when `cold`."""
    server = make_server("module", 1, docroot=docroot)
    left = evict(path) if cold else None
    server.start()
    try:
        return revalidations(server, etag, 1)[0], left
    finally:
        server.stop()


def large_rows(docroot, path, o):
    """{name: (etag, first-request cells, [seconds of each 304])}, and what the page cache held
    of the file before the module's cold request."""
    results = {}
    # the module: its tag (a first server, stopped), then cold, then warm page cache
    server = make_server("module", 1, docroot=docroot).start()
    try:
        status, headers, _ = server.request("HEAD", "/big.bin")
        etag = header(headers, "ETag")
        assert status == 200 and tag_kind(etag) == "content", (status, etag)
    finally:
        server.stop()
    log("large: module, cold")
    cold, left = first_304(docroot, path, etag, cold=True)
    server = make_server("module", 1, docroot=docroot).start()
    try:
        revalidations(server, etag, 1)  # the hash (page cache warm now): cached from here on
        times = revalidations(server, etag, o.requests)
    finally:
        server.stop()
    restarted, _ = first_304(docroot, path, etag, cold=False)
    results["module (`ContentETag On`)"] = (
        etag, f"cold {cold * 1e3:,.0f} ms; after a restart {restarted * 1e3:,.0f} ms", times)
    for name, conf in ((f"stock `{DIGEST}`", DIGEST), ("stock `FileETag MTime Size`", "")):
        log(f"large: {name}")
        server = make_server("stock", 1, conf, docroot=docroot).start()
        try:
            start = time.perf_counter()
            status, headers, _ = server.request("HEAD", "/big.bin")
            first = time.perf_counter() - start
            etag = header(headers, "ETag")
            assert status == 200 and etag, (status, etag)
            times = revalidations(server, etag, o.requests)
        finally:
            server.stop()
        results[name] = (etag, f"HEAD {first * 1e3:,.0f} ms", times)
    return results, left


def large_section(o):
    docroot = tempfile.mkdtemp(prefix="etagcore-apache-bench-")
    os.chmod(docroot, 0o755)
    path = os.path.join(docroot, "big.bin")
    try:
        log(f"writing {LARGE // MIB} MiB")
        write_large(path, LARGE)
        settle([path])
        results, left = large_rows(docroot, path, o)
    finally:
        shutil.rmtree(docroot, ignore_errors=True)
    lines = ["## 3. The 304 of a 128 MiB file", "",
             f"1 child; {o.requests} sequential GETs with If-None-Match (the server's own tag) on "
             "one keep-alive connection, each answered 304; milliseconds from sending to the "
             f"whole response, median and p99 (of {o.requests}: "
             f"{'the slowest' if o.requests < 100 else 'the 99th percentile'}). The module's "
             "tag is cached by an earlier request. First request: for the module, the first "
             "conditional GET after a start, the file evicted from the page cache beforehand "
             "(cold) and then with it cached (after a restart), each a full hash; for stock, "
             "the HEAD that got the tag.", "",
             "| server | ETag | first request | 304 median ms | 304 p99 ms |",
             "|---|---|---:|---:|---:|"]
    stats = {}
    for name, (etag, first, times) in results.items():
        stats[name] = (statistics.median(times) * 1e3, percentile(times, 0.99) * 1e3)
        lines.append(f"| {name} | {tag_kind(etag)} | {first} | {stats[name][0]:.3f} | "
                     f"{stats[name][1]:.3f} |")
    module, digest = (stats[name] for name in list(stats)[:2])
    ratio, ratio99 = digest[0] / module[0], digest[1] / module[1]
    met = "met" if ratio >= 100 else "not met"
    lines += ["", f"Goal (module's 304 ≥ 100× faster than `{DIGEST}`): **{met}**: "
              f"{ratio:,.0f}× at the median, {ratio99:,.0f}× at p99."]
    if left is not None:
        lines += ["", f"Page cache before the cold request (fincore after posix_fadvise "
                  f"DONTNEED): {left / MIB:.1f} MiB of the file resident."]
    o.summary.append(f"128 MiB 304: module {module[0]:.2f} ms, Digest {digest[0]:.0f} ms "
                     f"(median): {ratio:,.0f}× (goal ≥ 100×: {met})")
    return lines


# ------------------------------------------------------------------------------ 4. malformed


def field_sets():
    """[(label, [(name, value)])]: each malformed field alone, then all of them together; then
    the same without the DEL byte where a field has one (Apache's request parser answers 400 to
    a control character in a field before any module runs, so these reach the module)."""
    fields = [tuple(part.strip() for part in line.split(":", 1)) for line in BAD]
    clean = [(k, v.replace("\x7f", "")) for k, v in fields]
    sets = [(f"{k}: {v}", [(k, v)]) for k, v in fields] + [("all six", fields)]
    sets += [(f"{k}: {v} (DEL removed)", [(k, v)]) for (k, v), f in zip(clean, fields) if
             (k, v) != f]
    return sets + [("all six, DEL removed", clean)]


def lua_string(text):
    return '"' + "".join(c if c.isalnum() or c in " ,:-=/" else f"\\{ord(c):03d}"
                         for c in text) + '"'


def lua_script(files, sets):
    """wrk's hooks: request i asks for file i mod FILES with field set i mod len(sets) (from
    field_sets()); every status is counted in the thread, and printed by done() as `status N
    COUNT` lines (benchtools.STATUS_LUA)."""
    sets = ",\n  ".join("{" + ", ".join(f"[{lua_string(k)}] = {lua_string(v)}" for k, v in s)
                        + "}" for _, s in sets)
    return f"""
local sets = {{
  {sets}
}}
local i = 0
request = function()
  i = i + 1
  return wrk.format(nil, "/f" .. (i % {files}) .. ".bin", sets[(i % #sets) + 1])
end
""" + STATUS_LUA


def one_by_one(server):
    """The status of each field set sent once on its own connection through http.client
    (which refuses a malformed status line or header block)."""
    statuses = []
    for _, fields in field_sets():
        status, headers, body = server.request("GET", "/f0.bin", fields)
        assert status != 304 or not body, "a 304 with a body"
        statuses.append(status)
    return statuses


def stock_statuses():
    """one_by_one() on stock Apache: what its own parser and ap_meets_conditions answer."""
    server = make_server("stock", 1)
    try:
        settle([server.write("f0.bin", SMALL[:1000], mtime=MTIME)])
        server.start()
        return one_by_one(server)
    finally:
        server.stop()


def malformed_run(label, conf, children, files, sets, o):
    """(Markdown row, [problems], one_by_one() statuses) of one malformed-header load run."""
    server = make_server("module", children, conf)
    problems = []
    try:
        settle([server.write(f"f{i}.bin", SMALL[: 1000 + i], mtime=MTIME)
                for i in range(files)])
        server.start()
        server.request("GET", "/f0.bin")
        start_rss = server.worker_rss_kb()
        script = os.path.join(server.prefix, "malformed.lua")
        with open(script, "w") as f:
            f.write(lua_script(files, sets))
        url = f"http://127.0.0.1:{server.port}/f0.bin"
        # warm-up: every thread's pools, every file's tag once
        wrk(url, 1, connections=LOAD_CONNECTIONS, script=script)
        pids, rss = server.worker_pids(), server.worker_rss_kb()
        hashed = server.log().count("content_etag: hashed")
        log(f"malformed: {label}, {o.load_seconds} s")
        run = wrk(url, o.load_seconds, connections=LOAD_CONNECTIONS, script=script)
        after_pids, after_rss = server.worker_pids(), server.worker_rss_kb()
        hashed = server.log().count("content_etag: hashed") - hashed
        checked = one_by_one(server)
        text = server.log()
    finally:
        server.stop()
    statuses = status_counts(run.stdout)
    if after_pids != pids:
        problems.append(f"children {pids} became {after_pids}")
    crashes = [line for line in text.splitlines() if any(w in line for w in CRASH_WORDS)]
    if crashes:
        problems.append(f"error log: {crashes[0]}")
    if after_rss - rss >= RSS_BOUND_KB * children:
        problems.append(f"children's memory grew by {after_rss - rss} KiB")
    if run.errors:
        problems.append(f"{run.errors} socket errors (a response wrk could not parse is one)")
    if not statuses or set(statuses) - EXPECTED:
        problems.append(f"statuses {sorted(statuses)}, expected only {sorted(EXPECTED)}")
    if sum(statuses.values()) != run.requests:
        problems.append(f"{sum(statuses.values())} statuses counted, {run.requests} responses")
    counts = ", ".join(f"{s}: {n:,}" for s, n in sorted(statuses.items()))
    row = (f"| {label} | {children} | {run.rps:,.0f} | {run.requests:,} | {counts} | "
           f"{run.errors} | {pids} → {after_pids} | {start_rss:,} / {rss:,} / {after_rss:,} | "
           f"{hashed:,} | {'**ok**' if not problems else '**FAILED**: ' + '; '.join(problems)} |")
    return row, problems, checked


def malformed_section(o):
    sets = field_sets()
    stock = stock_statuses()
    # what stock Apache's parser refuses never reaches a module: left out of the load
    loaded = [fields for fields, status in zip(sets, stock) if status != 400]
    lines = ["## 4. Malformed conditional headers under load", "",
             f"The module (`{MODULE_ON}`, `{LOAD_CONF}`, event MPM, 16 threads per child), wrk "
             f"`-t1 -c{LOAD_CONNECTIONS}` for {o.load_seconds} s after a 1 s warm-up. No "
             "connection is closed by the server, so that every wrk read error is a response it "
             "could not parse: fewer connections than one child's threads (with as many, the "
             "event MPM closes idle keep-alive connections), unlimited keep-alive (the last "
             "response on a connection Apache closes after an error page has a body delimited "
             "by the close, which wrk counts as a read error). Request i asks for file i mod "
             f"FILES with field set i mod {len(loaded)} (wrk's Lua `request` hook, as "
             "servers/farm/load.py): the sets of the last table that stock Apache does not "
             "refuse with 400 (its own request parser refuses the DEL byte before any module "
             "runs, and closes the connection). "
             "File i has 1,000 + i bytes. Checks: the same children before and after, no crash "
             "in the error log (" + ", ".join(f"`{w}`" for w in CRASH_WORDS) + "), RSS growth "
             f"after the warm-up under {RSS_BOUND_KB:,} KiB per child, no wrk socket error (a "
             "response wrk cannot parse counts as a read error), every status in "
             f"{sorted(EXPECTED)} (counted by wrk's `response` hook). Hashes: "
             "`content_etag: hashed` lines in the error log during the run.", "",
             "| run | children | req/s | responses | statuses | socket errors | child PIDs "
             "before → after | RSS KiB start / after warm-up / after | hashes | verdict |",
             "|---|---:|---:|---:|---|---:|---|---:|---:|---|"]
    failed, checked = [], None
    for label, conf, children, files in MALFORMED_RUNS:
        row, problems, one = malformed_run(label, conf, children, files, loaded, o)
        lines.append(row)
        failed += problems
        checked = checked or one
    odd = [(name, m, s) for (name, _), m, s in zip(sets, checked, stock)
           if m not in EXPECTED and not (m == 400 and s == 400)]
    failed += [f"{ascii(name)}: {m} (stock {s})" for name, m, s in odd]
    lines += ["", "Each field set once more on its own connection through Python's http.client "
              "(which refuses a malformed response), the module on the one-file server and "
              "stock Apache on the same file:", "",
              "| fields | in the load | module | stock |", "|---|---|---:|---:|"]
    for (name, fields), m, s in zip(sets, checked, stock):
        shown = "yes" if (name, fields) in loaded else "no"
        lines.append(f"| `{ascii(name)[1:-1]}` | {shown} | {m} | {s} |")
    o.failed += failed
    o.summary.append("malformed load: " + ("ok (same children, flat memory, every response "
                                           "parsed and expected)" if not failed
                                           else "FAILED: " + "; ".join(failed)))
    return lines


# ------------------------------------------------------------------------------ report


def apache_version():
    out = subprocess.run([APACHE, "-v"], capture_output=True, text=True).stdout
    m = re.search(r"Server version:\s*(.+)", out)
    return m.group(1).strip() if m else "Apache ?"


def heading(load, module):
    cmd = shlex.join(["python3", "servers/apache/bench.py"] + sys.argv[1:])
    when = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    return ["# mod_content_etag: stock speed", "",
            f"Generated by `make apache-bench` (`{cmd}`) on {when}; nproc {os.cpu_count()}; "
            f"{apache_version()}; tree at {git_head()}; {module}; load average at start "
            f"{load}. Do not edit: run the command again.", "",
            "Everything on 127.0.0.1, each Apache with its own prefix and config, stopped by the "
            "PID it wrote; \"stock\" is the same config without the module loaded (Apache's "
            "default `FileETag MTime Size` unless a row says otherwise). Every file is left at "
            f"least {SETTLE:g} s old (ctime) before its first request: the module keeps no tag "
            "of a file changed less than 2 s before it hashed it.", ""]


def check_tools(o):
    if {"throughput", "malformed"} & set(o.parts) and not shutil.which("wrk"):
        raise SystemExit("wrk is missing: bash servers/apache/install-deps.sh wrk")
    if "syscalls" in o.parts and not shutil.which("strace"):
        raise SystemExit("strace is missing: apt-get install strace")


def main(argv=None):
    o = options(argv)
    check_tools(o)
    o.summary, o.failed = [], []
    load = load_average()
    began = time.time()
    workdir = tempfile.mkdtemp(prefix="etagcore-bench-module-")
    try:
        lines = heading(load, snapshot_module(apache_server, workdir, "make apache-module"))
        sections = {"throughput": throughput_section, "syscalls": syscall_section,
                    "large": large_section, "malformed": malformed_section}
        for part, section in sections.items():
            if part in o.parts:
                lines += section(o) + [""]
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    lines += ["", f"Run time: {time.time() - began:.0f} s."]
    write_report(o.output, lines, show=False)
    print(f"mod_content_etag vs stock Apache ({load_average()} load now, "
          f"{time.time() - began:.0f} s):")
    for line in o.summary:
        print("  " + line)
    print(f"report: {os.path.relpath(o.output, ROOT)}")
    if o.failed:
        sys.exit(1)


if __name__ == "__main__":
    main()
