#!/usr/bin/env python3
"""The buffering-mode benchmark of ngx_http_content_etag_module: proxied responses through stock
nginx vs through the module with `content_etag_buffer`, on 127.0.0.1, written as Markdown to
servers/nginx/BENCHMARKS-buffer.md (`make nginx-buffer-bench`).

One backend nginx (module not loaded, `etag off;`, so that the module tags what it proxies)
serves three files of random bytes (fixed seed): 2 KiB, 64 KiB and 1 MiB. Two front nginx
servers proxy every request to it over kept-alive upstream connections (`upstream` with
`keepalive 16`, `proxy_http_version 1.1`, `proxy_set_header Connection ""`): "stock" without
the module, "module" with `content_etag on; content_etag_buffer 2m;`, which holds each 200 GET,
copies and hashes its body, then sends it with the content tag and a Content-Length. One worker
each.

1. throughput    requests/s with wrk (`-t1 -c16`) of a plain GET (200) for each size; and a
                 revalidation: If-None-Match with the module's content tag, which the module
                 answers 304 (after fetching and hashing the whole body) and stock answers 200
                 (it has no tag to match). A warm-up run of each, then ROUNDS interleaved rounds
                 (stock, module, then module, stock, ...); medians, module/stock with each
                 round's ratio, and the front worker's CPU time per request.
2. latency       a raw-socket client on one keep-alive connection, N sequential GETs per server,
                 size and round (after one untimed GET): the time from the request's last byte
                 sent to the first response byte (TTFB) and to the last body byte (total),
                 Content-Length or chunked framing; medians and p99 of all rounds' requests.
3. memory        the front worker's RSS (idle, peak while sampled every 50 ms, after) around
                 ROUNDS interleaved 16-connection wrk runs of the 1 MiB response, on fronts
                 started for this part.
4. malformed     wrk with benchtools.BAD (malformed conditional fields) against the module
                 front's 64 KiB URL: as proxied (the fields reach the backend, which answers the
                 malformed If-Match itself), and through a location that does not forward the
                 conditional and Range fields (the backend always answers 200, and the module
                 holds, hashes and decides); the stock front's as proxied for comparison. The
                 worker must survive (same pid), its RSS grow by less than 2 MiB, and a plain
                 GET afterwards still get 200 (with the content tag from the module). Then each
                 field alone, once: the status, and whether the connection stays open.
The exit status is 1 when a malformed-load check fails (the report is written first).

Everything on 127.0.0.1; the client, the two nginx and the backend share the machine's cores.
Every nginx has its own prefix and is stopped by the PID it wrote; every run is bounded.

Usage: bench_buffer.py [--rounds N] [--seconds S] [--requests N] [--quick] [--output FILE]
--quick is a smoke test (1 round of 1 s runs, 50 timed requests) that writes
target/nginx/BENCHMARKS-buffer-quick.md unless --output says otherwise.
"""
import argparse
import datetime
import os
import random
import re
import shlex
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time

sys.dont_write_bytecode = True  # leave no __pycache__ beside the scripts
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "farm"))
import harness  # noqa: E402
from harness import ROOT, header  # noqa: E402
import nginx_server  # noqa: E402
from nginx_server import NGINX, Nginx  # noqa: E402
from benchtools import (BAD, LABELS, STATUS_LUA, git_head, interleaved,  # noqa: E402
                        load_average, log, percentile, snapshot_module, status_counts,
                        throughput_ratios, write_report, wrk)

KIB, MIB = 1 << 10, 1 << 20
SIZES = (2 * KIB, 64 * KIB, MIB)
# fixed seed: the same bytes, so the same tags, in every run
FILES = {size: random.Random(size).randbytes(size) for size in SIZES}
MODULE_ON = "content_etag on; content_etag_buffer 2m;"
PROXY = 'proxy_http_version 1.1; proxy_set_header Connection "";'
# The second location: the conditional and Range fields stay at the front, so the backend
# (which has no ETag, and answers a malformed If-Match or If-Unmodified-Since with its own 412)
# always sends the 200 the module holds and decides on.
OWN_FIELDS = " ".join(f'proxy_set_header {name} "";' for name in (
    "If-Match", "If-None-Match", "If-Modified-Since", "If-Unmodified-Since", "If-Range", "Range"))
CONNECTIONS = 16
RSS_BOUND_KB = 2048
PROBLEM = re.compile(r"\[(warn|error|crit|alert|emerg)\]")

# ------------------------------------------------------------------------------ options


def options(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--rounds", type=int, default=5, help="interleaved rounds (default 5)")
    p.add_argument("--seconds", type=int, default=3, help="seconds per wrk run (default 3)")
    p.add_argument("--requests", type=int, default=200,
                   help="timed requests per server, size and round in part 2 (default 200)")
    p.add_argument("--quick", action="store_true",
                   help="smoke test: 1 round, 1 s runs, 50 timed requests")
    p.add_argument("--output", help="Markdown report (default servers/nginx/BENCHMARKS-buffer.md)")
    o = p.parse_args(argv)
    if o.quick:
        o.rounds, o.seconds, o.requests = 1, 1, 50
    if o.rounds < 1 or o.seconds < 1 or o.requests < 1:
        p.error("--rounds, --seconds and --requests must be at least 1")
    o.warmup = 1
    default = ("target/nginx/BENCHMARKS-buffer-quick.md" if o.quick
               else "servers/nginx/BENCHMARKS-buffer.md")
    o.output = os.path.abspath(o.output) if o.output else os.path.join(ROOT, default)
    return o


def size_label(size):
    return f"{size // MIB} MiB" if size >= MIB else f"{size // KIB} KiB"


def path_of(size, prefix="/"):
    return f"{prefix}{size_label(size).replace(' ', '').lower()}.bin"


# ------------------------------------------------------------------------------ servers


def start_backend():
    """The origin: stock nginx, no ETag, the three files."""
    backend = Nginx("etag off;", module=False, workers=1)
    try:
        for size, data in FILES.items():
            backend.write(path_of(size)[1:], data)
        backend.start()
    except BaseException:
        backend.stop()
        raise
    return backend


def front(label, backend):
    """A front proxying everything to `backend`: `/` as it is, `/own/` without forwarding the
    conditional and Range fields; the module's front adds MODULE_ON to both locations."""
    on = MODULE_ON if label == "module" else ""
    upstream = f"upstream backend {{ server 127.0.0.1:{backend.port}; keepalive 16; }}"
    server = (f"location / {{ proxy_pass http://backend; {PROXY} {on} }} "
              f"location /own/ {{ proxy_pass http://backend/; {PROXY} {OWN_FIELDS} {on} }}")
    return Nginx(server, http_conf=upstream, module=(label == "module"), workers=1)


def start_fronts(backend):
    """{label: front}, both started and checked."""
    fronts = {label: front(label, backend) for label in LABELS}
    try:
        for server in fronts.values():
            server.start()
        for size in SIZES:
            check(fronts, size)
    except BaseException:
        stop_all(fronts.values())
        raise
    return fronts


EXPECTED = {}  # size: the content tag of FILES[size] by libetagcore, from expected_tags()


def expected_tags(workdir):
    """Fills EXPECTED with libetagcore's content tags (when `make ffi` has built it), computed
    by a copy of the library in `workdir`: a rebuild copies the new library over the old one
    in place, which would crash a process that has it mapped."""
    built = os.path.realpath(harness.LIBETAGCORE)
    if not os.path.exists(built):
        log(f"{harness.LIBETAGCORE} is missing (`make ffi`): the module's tags are checked for "
            "their form and stability only")
        return "tags not checked against libetagcore (not built)"
    copy = os.path.join(workdir, os.path.basename(built))
    shutil.copy2(built, copy)
    harness.LIBETAGCORE = copy
    for size, data in FILES.items():
        EXPECTED[size] = harness.content_tag(data)
    return "tags checked against libetagcore's"


TAGS = {}  # size: the module's tag, from check()
FRAMING = {}  # (label, size): how that front framed the 200


def check(fronts, size, prefix="/"):
    """Both fronts' 200 and revalidation for one size: the body whole, the module's content tag
    (libetagcore's, when built) with a Content-Length, its 304; stock's 200 without a tag."""
    path = path_of(size, prefix)
    for label, server in fronts.items():
        status, headers, body = server.request("GET", path)
        etag = header(headers, "ETag")
        assert status == 200 and body == FILES[size], (label, path, status, len(body))
        if label == "stock":
            assert etag is None, f"stock front sent an ETag {etag} (the backend has etag off)"
        else:
            want = EXPECTED.get(size)
            assert etag and re.fullmatch(r'"[0-9a-f]{32}"', etag), (path, etag)
            assert want is None or etag == want, f"{path}: module tag {etag}, content tag {want}"
            assert header(headers, "Content-Length") == str(size), (path, headers)
            assert TAGS.setdefault(size, etag) == etag, (path, etag, TAGS[size])
        FRAMING[(label, size)] = ("chunked" if header(headers, "Transfer-Encoding")
                                  else "Content-Length")
    tag = TAGS[size]
    status, headers, body = fronts["module"].request("GET", path, [("If-None-Match", tag)])
    assert status == 304 and not body and header(headers, "ETag") == tag, (path, status)
    status, _, body = fronts["stock"].request("GET", path, [("If-None-Match", tag)])
    assert status == 200 and body == FILES[size], (path, status)


def stop_all(servers):
    for server in servers:
        server.stop()


def log_problems(server, start=0, end=None):
    """{message: count} of the `[warn]` and worse lines in a server's error log (from character
    `start` to `end`), a message being the line without its time, pids, connection number and
    what follows ", client:"."""
    counts = {}
    for line in server.log()[start:end].splitlines():
        m = PROBLEM.search(line)
        if m:
            text = re.sub(r"^\d+#\d+: (\*\d+ )?", "", line[m.end():].strip())
            message = f"[{m.group(1)}] " + text.split(", client:")[0]
            counts[message] = counts.get(message, 0) + 1
    return counts


# ------------------------------------------------------------------------------ 1. throughput


def throughput_section(fronts, o):
    """Markdown lines: the 200 table, then the revalidation table."""
    runs = {}
    for size in SIZES:
        pair = {label: (fronts[label], TAGS[size]) for label in LABELS}
        # kind "304": If-None-Match with the content tag; stock has no tag and sends its 200
        runs[size] = interleaved(pair, path_of(size), o.rounds, o.seconds, o.warmup, 1,
                                 size_label(size))
        check(fronts, size)  # still the same answers after the load
    head = ("| size | stock req/s | module req/s | module/stock | per-round ratios "
            "| stock CPU µs/req | module CPU µs/req |")
    rule = "|---|---:|---:|---:|---|---:|---:|"
    lines = ["### 1. Throughput", "",
             f"wrk `-t1 -c{CONNECTIONS}` on the fronts, a plain GET (200) of each file through "
             f"the proxy; {o.rounds} interleaved round(s) of {o.seconds} s after a "
             f"{o.warmup} s warm-up, medians. Ratio: module/stock of the medians, then each "
             "round's. CPU: the front worker's user+system time per request (median); the "
             "backend's is not counted.", "", head, rule]
    lines += [row(size, runs[size], "200") for size in SIZES]
    lines += ["", "### Revalidation: module 304 vs stock 200", "",
              "The same GET with `If-None-Match:` the module's content tag. The module still "
              "fetches the whole body from the backend and hashes it, then answers **304** "
              "without a body; stock nginx has no tag to match and answers the full **200**. "
              "So this compares what a revalidating client costs and gets with each, not two "
              "304s.", "", head, rule]
    lines += [row(size, runs[size], "304") for size in SIZES]
    return lines


def row(size, runs, kind):
    stock = statistics.median(rps for rps, _ in runs[("stock", kind)])
    mod = statistics.median(rps for rps, _ in runs[("module", kind)])
    ratio, per_round = throughput_ratios(runs, kind)
    cpu = [statistics.median(c for _, c in runs[(label, kind)]) for label in LABELS]
    return (f"| {size_label(size)} | {stock:,.0f} | {mod:,.0f} | **{ratio:.2f}** | "
            f"{', '.join(f'{r:.2f}' for r in per_round)} | {cpu[0]:.1f} | {cpu[1]:.1f} |")


# ------------------------------------------------------------------------------ 2. latency


class Client:
    """One keep-alive HTTP/1.1 connection on a raw socket. get() times a GET from the moment
    its last byte is sent to the first response byte received and to the last body byte."""

    def __init__(self, port):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=30)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.host = f"127.0.0.1:{port}"
        self.scratch = memoryview(bytearray(256 * KIB))
        self.buf = bytearray()
        self.pos = 0
        self.first = self.last = None

    def close(self):
        self.sock.close()

    def _recv(self):
        n = self.sock.recv_into(self.scratch)
        now = time.perf_counter()
        if n == 0:
            raise ConnectionError("the server closed the connection")
        if self.first is None:
            self.first = now
        self.last = now
        self.buf += self.scratch[:n]

    def _line(self):
        while True:
            i = self.buf.find(b"\r\n", self.pos)
            if i >= 0:
                line = bytes(self.buf[self.pos:i])
                self.pos = i + 2
                return line
            self._recv()

    def _take(self, n):
        while len(self.buf) - self.pos < n:
            self._recv()
        self.pos += n
        return self.buf[self.pos - n:self.pos]

    def get(self, path, headers=()):
        """(status, {lowercase name: value}, body, framing, TTFB s, total s)."""
        assert self.pos == len(self.buf), "bytes left over from the previous response"
        self.buf, self.pos = bytearray(), 0
        request = f"GET {path} HTTP/1.1\r\nHost: {self.host}\r\n"
        request += "".join(f"{k}: {v}\r\n" for k, v in headers) + "\r\n"
        self.first = self.last = None
        self.sock.sendall(request.encode("latin-1"))
        sent = time.perf_counter()
        status = int(self._line().split()[1])
        fields = {}
        while True:
            line = self._line()
            if not line:
                break
            name, value = line.decode("latin-1").split(":", 1)
            fields[name.strip().lower()] = value.strip()
        if "chunked" in fields.get("transfer-encoding", "").lower():
            framing, body = "chunked", bytearray()
            while True:
                n = int(self._line().split(b";")[0], 16)
                if n == 0:
                    while self._line():  # trailer fields, then the empty line
                        pass
                    break
                body += self._take(n)
                assert self._line() == b"", "chunk not followed by CRLF"
        elif "content-length" in fields:
            framing, body = "Content-Length", self._take(int(fields["content-length"]))
        else:
            raise AssertionError(f"{path}: a response without a length on a keep-alive "
                                 f"connection: {status} {fields}")
        return status, fields, body, framing, self.first - sent, self.last - sent


def timed_series(server, size, n, tag):
    """[(TTFB, total)] of `n` GETs of one file on one connection, after one untimed GET; each
    checked (200, the whole body, the content tag from the module and no tag from stock)."""
    client = Client(server.port)
    samples = []
    try:
        for i in range(n + 1):
            status, fields, body, framing, ttfb, total = client.get(path_of(size))
            assert status == 200 and len(body) == size, (server.module, size, status, len(body))
            assert fields.get("etag") == (tag if server.module else None), fields.get("etag")
            if i == 0:
                assert body == FILES[size], "wrong body"
                FRAMING[("module" if server.module else "stock", size)] = framing
            else:
                samples.append((ttfb, total))
    finally:
        client.close()
    return samples


def diff(ms):
    """A difference in milliseconds, signed, without "-0.000"."""
    return f"{ms + 0.0:+.3f}".replace("-0.000", "+0.000")


def latency_section(fronts, o):
    samples = {(label, size): [] for label in LABELS for size in SIZES}
    medians = {(label, size): [] for label in LABELS for size in SIZES}  # per round
    for r in range(o.rounds):
        log(f"latency: round {r + 1}/{o.rounds}")
        order = LABELS if r % 2 == 0 else LABELS[::-1]
        for size in SIZES:
            for label in order:
                series = timed_series(fronts[label], size, o.requests, TAGS[size])
                samples[(label, size)] += series
                medians[(label, size)].append(statistics.median(t for t, _ in series))
    lines = ["### 2. Time to first byte and to last byte", "",
             f"A Python client on a raw socket, one keep-alive connection per server, size and "
             f"round: one untimed GET, then {o.requests} sequential GETs, each timed from its "
             "request's last byte sent to the first response byte received (TTFB) and to the "
             "last body byte (total; Content-Length or chunked framing parsed). "
             f"{o.rounds} interleaved round(s); median / p99 in milliseconds over all "
             f"{o.rounds * o.requests} requests of a cell; module−stock: difference of the "
             "medians, then the range of the per-round differences of the TTFB medians. The "
             "module sends no byte before the whole body has arrived from the backend and "
             "been hashed: its TTFB is about its total.", "",
             "| size | framing stock / module | stock TTFB median / p99 ms | module TTFB "
             "median / p99 ms | module−stock TTFB median | stock total median / p99 ms | "
             "module total median / p99 ms | module−stock total median |",
             "|---|---|---:|---:|---:|---:|---:|---:|"]
    for size in SIZES:
        cells = {}
        for label in LABELS:
            ttfb = [t * 1e3 for t, _ in samples[(label, size)]]
            total = [t * 1e3 for _, t in samples[(label, size)]]
            cells[label] = (statistics.median(ttfb), percentile(ttfb, 0.99),
                            statistics.median(total), percentile(total, 0.99))
        s, m = cells["stock"], cells["module"]
        per_round = [(mm - sm) * 1e3 for mm, sm in zip(medians[("module", size)],
                                                       medians[("stock", size)])]
        spread = (f" ({diff(min(per_round))} to {diff(max(per_round))})"
                  if len(per_round) > 1 else "")
        lines.append(f"| {size_label(size)} | {FRAMING[('stock', size)]} / "
                     f"{FRAMING[('module', size)]} | {s[0]:.3f} / {s[1]:.3f} | "
                     f"{m[0]:.3f} / {m[1]:.3f} | **{diff(m[0] - s[0])}**{spread} | "
                     f"{s[2]:.3f} / {s[3]:.3f} | {m[2]:.3f} / {m[3]:.3f} | "
                     f"**{diff(m[2] - s[2])}** |")
    return lines


# ------------------------------------------------------------------------------ 3. memory


def rss_around(server, run):
    """(run's result, the workers' RSS in KiB before, peak while sampled every 50 ms, after)."""
    before = server.worker_rss_kb()
    peak, done = [before], threading.Event()

    def sample():
        while not done.is_set():
            peak[0] = max(peak[0], server.worker_rss_kb())
            done.wait(0.05)

    sampler = threading.Thread(target=sample)
    sampler.start()
    try:
        result = run()
    finally:
        done.set()
        sampler.join()
    after = server.worker_rss_kb()
    return result, before, max(peak[0], after), after


def memory_section(backend, o):
    fronts = start_fronts(backend)
    idle = {label: fronts[label].worker_rss_kb() for label in LABELS}
    peaks = {label: [] for label in LABELS}
    runs = {label: [] for label in LABELS}
    try:
        for r in range(o.rounds):
            log(f"memory: round {r + 1}/{o.rounds}, 1 MiB")
            for label in (LABELS if r % 2 == 0 else LABELS[::-1]):
                server = fronts[label]
                url = f"http://127.0.0.1:{server.port}{path_of(MIB)}"
                run, _, peak, _ = rss_around(server,
                                             lambda: wrk(url, o.seconds, 1, CONNECTIONS))
                assert run.non2xx == 0, f"{label}: {run.non2xx} responses other than 2xx/3xx"
                peaks[label].append(peak)
                runs[label].append(run)
        after = {label: fronts[label].worker_rss_kb() for label in LABELS}
        check(fronts, MIB)
        problems = {label: log_problems(fronts[label]) for label in LABELS}
    finally:
        stop_all(fronts.values())
    lines = ["### 3. Memory", "",
             "Each front worker's RSS (`VmRSS`) on fronts started for this part (checked with "
             "one GET of each size, then idle), around wrk `-t1 -c16` runs of the 1 MiB "
             f"response, {o.rounds} interleaved round(s) of {o.seconds} s: idle before the "
             "first, the highest of samples every 50 ms during the runs, the peak of each run, "
             "and after the last. The module holds each body in its request's pool until the "
             f"request ends: at most about {CONNECTIONS} × 1 MiB in flight.", "",
             "| front | RSS idle KiB | peak during KiB | each run's peak KiB | after KiB | "
             "req/s (median) |",
             "|---|---:|---:|---|---:|---:|"]
    for label in LABELS:
        lines.append(f"| {label} | {idle[label]:,} | {max(peaks[label]):,} | "
                     f"{', '.join(f'{p:,}' for p in peaks[label])} | {after[label]:,} | "
                     f"{statistics.median(r.rps for r in runs[label]):,.0f} |")
    sp, mp = max(peaks["stock"]), max(peaks["module"])
    lines += ["", f"Module − stock: **{(mp - sp) / KIB:+.1f} MiB** at the peak, "
              f"{(after['module'] - after['stock']) / KIB:+.1f} MiB after the runs, "
              f"{(idle['module'] - idle['stock']) / KIB:+.1f} MiB idle; the module worker's "
              f"growth over idle: {(mp - idle['module']) / KIB:+.1f} MiB at the peak, "
              f"{(after['module'] - idle['module']) / KIB:+.1f} MiB after (memory freed to "
              "the allocator stays resident until it is returned to the system)."]
    return lines, problems


# ------------------------------------------------------------------------------ 4. malformed


def wrk_errors(run):
    """{kind: count} of wrk's socket errors (connect, read, write, timeout)."""
    m = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)",
                  run.stdout)
    return dict(zip(("connect", "read", "write", "timeout"),
                    map(int, m.groups()) if m else (0, 0, 0, 0)))


def malformed_run(server, label, prefix, size, o):
    """(Markdown row, [problems]) of one wrk run with every BAD field on each request. wrk
    counts a connection the server closes after a complete response as a read error: nginx
    closes it after a 412 decided by a header filter (see one_by_one()), so read errors up to
    the number of 412s are expected; any other socket error is a problem."""
    path = path_of(size, prefix)
    script = os.path.join(server.prefix, "statuses.lua")
    with open(script, "w") as f:
        f.write(STATUS_LUA)
    server.request("GET", path)
    pids, rss = server.worker_pids(), server.worker_rss_kb()
    log(f"malformed: {label} {path}, {o.seconds} s")
    run = wrk(f"http://127.0.0.1:{server.port}{path}", o.seconds, 1, CONNECTIONS, BAD, script)
    after_pids, after_rss = server.worker_pids(), server.worker_rss_kb()
    status, headers, body = server.request("GET", path)
    statuses = status_counts(run.stdout)
    errors = wrk_errors(run)
    want_tag = TAGS[size] if server.module else None
    problems = []
    if after_pids != pids:
        problems.append(f"worker {pids} became {after_pids}")
    if after_rss - rss >= RSS_BOUND_KB:
        problems.append(f"worker RSS grew by {after_rss - rss} KiB")
    if status != 200 or body != FILES[size] or header(headers, "ETag") != want_tag:
        problems.append(f"GET afterwards: {status}, {len(body)} bytes, "
                        f"ETag {header(headers, 'ETag')}")
    if errors["connect"] or errors["write"] or errors["timeout"]:
        problems.append(f"socket errors {errors}")
    if errors["read"] > statuses.get(412, 0):
        problems.append(f"{errors['read']} read errors, more than the 412s")
    if not statuses or set(statuses) - {200, 206, 304, 412}:
        problems.append(f"statuses {sorted(statuses)}")
    log(f"malformed: {label} {path}: {run.requests} responses, {run.non2xx} non-2xx/3xx, "
        f"statuses {statuses}, socket errors {errors}")
    counts = ", ".join(f"{s}: {n:,}" for s, n in sorted(statuses.items()))
    shown = ", ".join(f"{k} {n:,}" for k, n in errors.items() if n) or "0"
    verdict = "**ok**" if not problems else "**FAILED**: " + "; ".join(problems)
    return (f"| {label} | `{path}` | {run.rps:,.0f} | {run.requests:,} | {counts} | "
            f"{run.non2xx:,} | {shown} | {pids} → {after_pids} | {rss:,} → {after_rss:,} | "
            f"{status}, {header(headers, 'ETag') or 'no ETag'} | {verdict} |"), problems


def once(port, path, field):
    """The status of one GET with `field`, whether it was tagged, and whether the connection
    then served a second GET ("kept") or was closed by the server."""
    client = Client(port)
    try:
        status, fields, _, _, _, _ = client.get(path, [field])
        answer = f"{status}" + (" tagged" if "etag" in fields else "")
        try:
            client.get(path)
            return answer + ", kept"
        except (ConnectionError, OSError):
            return answer + ", **closed**"
    finally:
        client.close()


def one_by_one(fronts, backend, size):
    """[(field, module /own/, stock /own/, backend)] of each BAD field alone."""
    rows = []
    for line in BAD:
        field = tuple(part.strip() for part in line.split(":", 1))
        rows.append((line, once(fronts["module"].port, path_of(size, "/own/"), field),
                     once(fronts["stock"].port, path_of(size, "/own/"), field),
                     once(backend.port, path_of(size), field)))
    return rows


def malformed_section(fronts, backend, o):
    size = 64 * KIB
    check(fronts, size, "/own/")
    runs = (("module", "/"), ("module", "/own/"), ("stock", "/"))
    results = [malformed_run(fronts[label], label + (" (control)" if label == "stock" else ""),
                             prefix, size, o) for label, prefix in runs]
    lines = ["### 4. Malformed conditional headers under load", "",
             f"wrk `-t1 -c{CONNECTIONS}` for {o.seconds} s against the module front's "
             f"{size_label(size)} URL, every request with all of benchtools.BAD: "
             + ", ".join(f"`{ascii(b)[1:-1]}`" for b in BAD) + ". "
             "`/`: the fields go on to the backend, which has no ETag and answers the "
             "malformed `If-Match` (and `If-Unmodified-Since: 0`) with its own 412: the module "
             f"passes that on without holding it. `/own/`: the same proxy plus `{OWN_FIELDS}`, "
             "so the backend sends its 200 and the module holds and hashes the body and "
             "decides: the malformed `If-Match` fails closed (412). Last row: the stock front's "
             "`/` under the same load, for comparison. Statuses counted by wrk's `response` "
             "hook. Checks: the same worker before and after, its RSS growth (after one GET; "
             f"the fronts already warm from parts 1-2) under {RSS_BOUND_KB:,} KiB, a plain GET "
             "afterwards answered 200 (with the content tag from the module), no connect, "
             "write or timeout error, and no more read errors than 412s: wrk counts a "
             "connection closed after a complete response as a read error, and nginx closes "
             "the connection after a 412 decided by a header filter, the module's as its own "
             "(table below).", "",
             "| front | URL | req/s | responses | statuses | non-2xx/3xx | socket errors | "
             "worker before → after | RSS KiB before → after | GET afterwards | verdict |",
             "|---|---|---:|---:|---|---:|---|---|---:|---|---|"]
    lines += [r for r, _ in results]
    lines += ["", "Each field alone, once, on a new connection, then a plain GET on the same "
              "connection: the status (\"tagged\": with an ETag) and whether the server kept "
              "the connection open for that second GET. Through `/own/` on both fronts (the "
              "backend always answers 200; stock nginx applies no precondition to a proxied "
              "response), and to the backend directly (stock nginx serving the static file, "
              "`etag off;`).", "",
              "| field | module front `/own/` | stock front `/own/` | backend |",
              "|---|---|---|---|"]
    lines += [f"| `{ascii(f)[1:-1]}` | {m} | {s} | {b} |"
              for f, m, s, b in one_by_one(fronts, backend, size)]
    return lines, [p for _, problems in results for p in problems]


# ------------------------------------------------------------------------------ report


def nginx_version():
    out = subprocess.run([NGINX, "-v"], capture_output=True, text=True)
    return (out.stderr or out.stdout).strip().split(":", 1)[-1].strip()


def tree_state():
    """The commit, and whether the module's sources differ from it."""
    out = subprocess.run(["git", "-C", ROOT, "status", "--porcelain", "--", "servers/nginx/src",
                          "servers/nginx/config"], capture_output=True, text=True).stdout
    return git_head() + (" (with uncommitted changes to the module's sources)"
                         if out.strip() else "")


def heading(o, load, module):
    cmd = shlex.join(["python3", "servers/nginx/bench_buffer.py"] + sys.argv[1:])
    when = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    return ["## nginx buffering mode (content_etag_buffer): proxied responses, module vs stock",
            "",
            f"Generated by `make nginx-buffer-bench` (`{cmd}`) on {when}; nproc "
            f"{os.cpu_count()}; {nginx_version()}; tree at {tree_state()}; {module}; load "
            f"average at start {load}. Do not edit: run the command again.", "",
            "A backend nginx (module not loaded, `etag off;`, 1 worker) serves "
            + ", ".join(f"{size_label(s)} ({s:,} B)" for s in SIZES)
            + " of random bytes (fixed seed). Two fronts, 1 worker each, proxy every request to "
            "it: `upstream backend { server 127.0.0.1:PORT; keepalive 16; }` and "
            f"`proxy_pass http://backend; {PROXY}` (default proxy buffering). \"stock\": the "
            f"module not loaded; \"module\": the same plus `{MODULE_ON}`. Everything on "
            f"127.0.0.1: **the client (wrk or Python), the front and the backend share the "
            f"{os.cpu_count()} cores**, so a front's extra work also takes CPU from the backend "
            "and the client, and absolute figures are lower than with separate machines.", ""]


RETRIED = "upstream prematurely closed connection while reading response header"


def problems_section(servers):
    """Lines on `[warn]` and worse in the logs: {name: {message: count}}."""
    lines = ["### Error logs", "",
             "Lines at `[warn]` or worse in each server's error log (nginx's own level "
             "`info` set: client hang-ups are `[info]` and not counted), by message."]
    if any(RETRIED in message for counts in servers.values() for message in counts):
        lines[-1] += (f" `{RETRIED}`: the backend closes its connection after each 412 (part "
                      "4's last table); a front that sends the next request on that kept-alive "
                      "upstream connection before it sees the close logs this, and nginx "
                      "retries the request on a new connection (a cached upstream connection's "
                      "failure is not counted as a try): the client still gets the backend's "
                      "answer (the statuses of part 4).")
    lines.append("")
    for name, counts in servers.items():
        if not counts:
            lines.append(f"- {name}: none")
        for message, n in sorted(counts.items(), key=lambda kv: -kv[1])[:5]:
            lines.append(f"- {name}: {n:,} × `{message[:160]}`")
    return lines


def main(argv=None):
    o = options(argv)
    # SIGTERM (make interrupted, a timeout) unwinds like ^C: every server stopped by its PID
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    if not shutil.which("wrk"):
        raise SystemExit("wrk is missing: bash servers/nginx/install-deps.sh wrk")
    load = load_average()
    began = time.time()
    workdir = tempfile.mkdtemp(prefix="etagcore-bench-module-")
    failed = []
    try:
        module = snapshot_module(nginx_server, workdir, "make nginx-module")
        module += "; " + expected_tags(workdir)
        lines = heading(o, load, module)
        backend = start_backend()
        try:
            memory, logs = memory_section(backend, o)
            logs = {f"{label} front, part 3": v for label, v in logs.items()}
            fronts = start_fronts(backend)
            try:
                lines += throughput_section(fronts, o) + [""]
                lines += latency_section(fronts, o) + [""]
                lines += memory + [""]
                mark = {label: len(fronts[label].log()) for label in LABELS}
                marked = len(backend.log())
                malformed, failed = malformed_section(fronts, backend, o)
                lines += malformed + [""]
                for label in LABELS:
                    logs[f"{label} front, parts 1-2"] = log_problems(fronts[label], 0,
                                                                     mark[label])
                    logs[f"{label} front, part 4"] = log_problems(fronts[label], mark[label])
            finally:
                stop_all(fronts.values())
            logs["backend, parts 1-3"] = log_problems(backend, 0, marked)
            logs["backend, part 4"] = log_problems(backend, marked)
        finally:
            backend.stop()
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    lines += problems_section(logs)
    lines += ["", f"Run time: {time.time() - began:.0f} s."]
    write_report(o.output, lines)
    if failed:
        log("malformed load FAILED: " + "; ".join(failed))
        sys.exit(1)


if __name__ == "__main__":
    main()
