"""What the server benches share (servers/nginx/bench.py, servers/nginx/bench_buffer.py,
servers/apache/bench.py, load.py): wrk runs and their parsed output (statuses counted by a Lua
hook included), the server children's CPU time, interleaved stock/module rounds and their
Markdown rows, system calls per request under strace, large files evicted from the page cache,
the module snapshot, the malformed conditional headers of the load runs, and the written
report. Python's standard library only; everything on 127.0.0.1.
"""
import collections
import datetime
import hashlib
import http.client
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import time

from harness import ROOT

MIB = 1 << 20
KINDS = ("200", "304")
LABELS = ("stock", "module")
# The modules keep no tag of a file changed less than 2 s before they hashed it ("racily
# clean"): benches leave files this old (ctime) before their first request.
SETTLE = 2.5

# Malformed conditional fields for the load runs (load.py, servers/apache/bench.py).
BAD = ['If-None-Match: "unterminated, W/, *, "\x7f"', "If-Match: , , , ,,,,",
       "If-Modified-Since: Sunday, 99-Foo-99 99:99:99 GMT", "If-Unmodified-Since: 0",
       "If-Range: W/\"x", "Range: bytes=0-4"]
# wrk's request hook: each request asks for the next of FILES files, round robin.
ROUND_ROBIN_LUA = """
local i = 0
request = function()
  i = (i + 1) %% %d
  return wrk.format(nil, "/f" .. i .. ".bin")
end
"""
# wrk's response and done hooks: every status counted in its thread (global `counts`), printed
# by done() as `status N COUNT` lines (read back by status_counts()); a script's own request hook
# goes before them.
STATUS_LUA = """
local threads = {}
function setup(thread) table.insert(threads, thread) end
counts = {}
response = function(status, headers, body)
  counts[status] = (counts[status] or 0) + 1
end
done = function(summary, latency, requests)
  for _, thread in ipairs(threads) do
    for status, n in pairs(thread:get("counts")) do
      io.write(string.format("status %d %d\\n", status, n))
    end
  end
end
"""

Wrk = collections.namedtuple("Wrk", "rps requests non2xx errors stdout")


def log(*args):
    print(*args, file=sys.stderr, flush=True)


def wrk(url, seconds, threads=1, connections=16, headers=(), script=None):
    """One wrk run: Wrk(requests/s, requests, responses other than 2xx/3xx, socket errors
    (connect + read + write + timeout; a response wrk cannot parse is a read error), stdout)."""
    cmd = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s"]
    if script:
        cmd += ["-s", script]
    for h in headers:
        cmd += ["-H", h]
    out = subprocess.run(cmd + [url], capture_output=True, text=True, check=True,
                         timeout=seconds + 30).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    count = int(re.search(r"(\d+) requests in", out).group(1))
    non2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)",
                       out)
    return Wrk(rps, count, int(non2xx.group(1)) if non2xx else 0,
               sum(map(int, errors.groups())) if errors else 0, out)


def status_counts(stdout):
    """{status: responses} from the `status N COUNT` lines of a wrk run with STATUS_LUA."""
    return {int(s): int(n) for s, n in re.findall(r"^status (\d+) (\d+)$", stdout, re.M)}


def cpu_seconds(server, pids):
    """User + system CPU time used so far by these children of `server` (from /proc), all
    their threads included."""
    total = 0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except FileNotFoundError:
            raise RuntimeError(f"worker {pid} died (module loaded: {server.module}); "
                               f"error log:\n{server.log()[-3000:]}") from None
        total += int(fields[11]) + int(fields[12])
    return total / os.sysconf("SC_CLK_TCK")


# ------------------------------------------------------------------------------ throughput


def measure(server, path, etag, kind, threads, seconds):
    """(requests/s, CPU microseconds per request of the server's children) of one wrk run with
    `threads` threads and 16 connections per thread: a plain GET ("200") or If-None-Match with
    `etag` ("304")."""
    extra = [f"If-None-Match: {etag}"] if kind == "304" else []
    pids = server.worker_pids()
    before = cpu_seconds(server, pids)
    run = wrk(f"http://127.0.0.1:{server.port}{path}", seconds, threads, 16 * threads, extra)
    used = cpu_seconds(server, pids) - before
    assert run.non2xx == 0, f"{kind}: {run.non2xx} responses other than 2xx/3xx"
    if run.errors:
        log(f"{server.name} {kind}: {run.errors} socket errors")
    return run.rps, 1e6 * used / max(run.requests, 1)


def interleaved(pair, path, rounds, seconds, warmup, threads, name):
    """{(label, kind): [(requests/s, CPU us/request) per round]}: `pair` is {label: (server,
    etag)}, both started. A warm-up run of each, then `rounds` rounds alternating the order
    (stock, module, then module, stock, ...)."""
    runs = {(label, kind): [] for label in LABELS for kind in KINDS}
    for kind in KINDS:
        for server, etag in pair.values():
            measure(server, path, etag, kind, threads, warmup)
    for r in range(rounds):
        log(f"throughput {name}: round {r + 1}/{rounds}")
        order = LABELS if r % 2 == 0 else LABELS[::-1]
        for kind in KINDS:
            for label in order:
                server, etag = pair[label]
                runs[(label, kind)].append(measure(server, path, etag, kind, threads, seconds))
    return runs


def throughput_ratios(runs, kind):
    """(module/stock of the medians, [module/stock per round]) of interleaved()'s runs."""
    stock = [rps for rps, _ in runs[("stock", kind)]]
    mod = [rps for rps, _ in runs[("module", kind)]]
    return statistics.median(mod) / statistics.median(stock), [m / s for m, s in zip(mod, stock)]


def throughput_rows(name, runs):
    """Markdown rows: config | response | stock req/s | module req/s | module/stock | per round
    | stock CPU us/req | module CPU us/req."""
    rows = []
    for kind in KINDS:
        stock = statistics.median(rps for rps, _ in runs[("stock", kind)])
        mod = statistics.median(rps for rps, _ in runs[("module", kind)])
        ratio, per_round = throughput_ratios(runs, kind)
        cpu = [statistics.median(c for _, c in runs[(label, kind)]) for label in LABELS]
        rows.append(f"| {name} | {kind} | {stock:,.0f} | {mod:,.0f} | **{ratio:.2f}** | "
                    f"{min(per_round):.2f}–{max(per_round):.2f} | {cpu[0]:.1f} | {cpu[1]:.1f} |")
    return rows


# ------------------------------------------------------------------------------ syscalls

STRACE_ROW = re.compile(r"^\s*[\d.]+\s+[\d.]+\s+\d+\s+(\d+)\s+(?:\d+\s+)?(\w+)\s*$")


def parse_strace(text):
    """{syscall: calls} from `strace -c` output."""
    counts = {}
    for line in text.splitlines():
        m = STRACE_ROW.match(line)
        if m and m.group(2) != "total":
            counts[m.group(2)] = int(m.group(1))
    return counts


def traced_counts(server, path, headers, expect, n):
    """{syscall: calls} of the only child (all its threads) over exactly `n` requests on one
    keep-alive connection (opened, and the file's tag computed, before strace attaches)."""
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
    try:
        assert server.request("GET", path, headers, conn=conn)[0] == expect
        (worker,) = server.worker_pids()
        out = os.path.join(server.prefix, "strace.txt")
        strace = subprocess.Popen(["strace", "-c", "-f", "-o", out, "-p", str(worker)],
                                  stderr=subprocess.PIPE, text=True)
        attached = strace.stderr.readline()
        assert "attached" in attached, attached
        for _ in range(n):
            assert server.request("GET", path, headers, conn=conn)[0] == expect
        strace.send_signal(signal.SIGINT)
        strace.communicate(timeout=30)
    finally:
        conn.close()
    with open(out) as f:
        return parse_strace(f.read())


def syscall_rows(cols, n):
    """Markdown rows from {(label, kind): {syscall: calls}} over `n` requests: calls per request,
    columns stock 200, module 200, stock 304, module 304 (rows under 0.005 everywhere left out,
    not from the total)."""
    order = [(label, kind) for kind in KINDS for label in LABELS]
    names = sorted((s for s in {s for c in cols.values() for s in c}
                    if max(cols[k].get(s, 0) for k in order) >= 0.005 * n),
                   key=lambda s: (-max(cols[k].get(s, 0) for k in order), s))
    rows = [f"| {s} | " + " | ".join(f"{cols[k].get(s, 0) / n:.2f}" for k in order) + " |"
            for s in names]
    total = " | ".join(f"**{sum(cols[k].values()) / n:.2f}**" for k in order)
    return rows + [f"| **total** | {total} |"]


# ------------------------------------------------------------------------------ files


def settle(paths):
    """Waits until every file's last change (ctime) is SETTLE seconds old."""
    newest = max(os.stat(path).st_ctime for path in paths)
    time.sleep(max(0.0, newest + SETTLE - time.time()))


def percentile(values, q):
    values = sorted(values)
    return values[min(len(values) - 1, int(q * len(values)))]


def write_large(path, size):
    """`size` real bytes: a 1 MiB urandom block, each copy numbered; fsynced."""
    block = os.urandom(MIB)
    with open(path, "wb") as f:
        for i in range(size // MIB):
            f.write(i.to_bytes(8, "little") + block[8:])
        f.flush()
        os.fsync(f.fileno())
    os.chmod(path, 0o644)


def resident(path):
    """Bytes of `path` in the page cache (fincore), or None when fincore is missing."""
    if not shutil.which("fincore"):
        return None
    out = subprocess.run(["fincore", "--bytes", "--noheadings", "--output", "RES", path],
                         capture_output=True, text=True).stdout.strip()
    return int(out) if out.isdigit() else None


def evict(path):
    """Drops `path` (clean: it was fsynced) from the page cache; returns what stayed resident."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fdatasync(fd)
        os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
    finally:
        os.close(fd)
    return resident(path)


# ------------------------------------------------------------------------------ report


def git_head():
    out = subprocess.run(["git", "-C", ROOT, "log", "-1", "--format=%h"], capture_output=True,
                         text=True)
    return out.stdout.strip() or "?"


def load_average():
    with open("/proc/loadavg") as f:
        return " ".join(f.read().split()[:3])


def write_report(path, lines, show=True):
    """Writes `lines` to `path` (through path.tmp, renamed into place) as Markdown, runs of
    blank lines collapsed to one, and returns the text; `show` also prints it and logs where
    it went."""
    text = re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).rstrip() + "\n"
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path + ".tmp", "w") as f:
        f.write(text)
    os.replace(path + ".tmp", path)
    if show:
        print(text)
        log(f"wrote {os.path.relpath(path, ROOT)}")
    return text


def snapshot_module(backend, workdir, build_hint):
    """Copies `backend.MODULE` (a server backend's module file) to `workdir` and points the
    backend at the copy, so that a rebuild during the run cannot swap the code under a running
    server. Returns a description: path, build time, sha256."""
    built = backend.MODULE
    if not os.path.exists(built):
        raise SystemExit(f"{built} is missing: run `{build_hint}` first")
    copy = os.path.join(workdir, os.path.basename(built))
    shutil.copy2(built, copy)
    os.chmod(workdir, 0o755)
    backend.MODULE = copy
    with open(copy, "rb") as f:
        digest = hashlib.sha256(f.read()).hexdigest()[:12]
    when = datetime.datetime.fromtimestamp(os.stat(copy).st_mtime, datetime.timezone.utc)
    return (f"module {os.path.relpath(built, ROOT)} built {when:%Y-%m-%d %H:%M} UTC, "
            f"sha256 {digest}…")
