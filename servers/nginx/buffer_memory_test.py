#!/usr/bin/env python3
"""The buffering mode's memory bound (content_etag_buffer), measured on a real nginx worker
proxying to servers/farm/app_backend.py on 127.0.0.1:

1. A 1 MB body sent as a million 1-byte chunks, with `content_etag_buffer 1m`: the worker's peak
   resident memory (VmHWM) may grow by the buffer and a little more, not by a buffer structure
   per chunk (the first version held a copy per incoming buffer: +135 MB).
2. 300 buffered 64 KB responses on one keep-alive connection: resident memory stays flat (the
   held body goes with each request's pool).
3. 30 clients that close their connection while their body is being held: the worker survives,
   the next request is tagged, resident memory stays flat.

Prints what it measured and `buffer_memory_test: PASS`, or exits 1. Usage: buffer_memory_test.py
"""
import os
import socket
import sys
import time

sys.dont_write_bytecode = True  # leave no __pycache__ beside the tests
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "farm"))
from harness import content_tag, header  # noqa: E402
from nginx_server import Nginx  # noqa: E402
from app_backend import AppBackend, pieces  # noqa: E402

BUFFER = 1 << 20
PEAK_SLACK_KB = 4096  # the buffer (1 MiB) plus its blocks' links, pool pages and malloc's slack
FLAT_KB = 2048


def body(n):
    """The n bytes app_backend's routes send."""
    return b"".join(pieces(0, n, 65536))


def status_kb(pid, field):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    raise RuntimeError(f"no {field} for {pid}")


def check(ok, what):
    print(("ok - " if ok else "not ok - ") + what, flush=True)
    return ok


def main():
    ok = True
    with AppBackend() as app:
        conf = (f"content_etag on; content_etag_buffer {BUFFER}; location / "
                f"{{ proxy_http_version 1.1; proxy_pass http://{app.address}; }}")
        with Nginx(conf) as n:
            n.request("GET", "/bytes/100")
            [pid] = n.worker_pids()

            # 1. a million 1-byte chunks
            before = status_kb(pid, "VmHWM")
            status, headers, got = n.request("GET", "/chunked/1000000?chunk=1")
            grown = status_kb(pid, "VmHWM") - before
            ok &= check(status == 200 and got == body(1_000_000)
                        and header(headers, "ETag") == content_tag(got),
                        "a 1 MB body of 1-byte chunks is tagged")
            ok &= check(grown < PEAK_SLACK_KB, f"its peak memory grew {grown} KiB "
                        f"(limit {PEAK_SLACK_KB} KiB for a {BUFFER >> 10} KiB buffer)")

            # 2. many buffered responses on one connection
            conn = n.connection()
            n.request("GET", "/bytes/65536", conn=conn)
            before = status_kb(pid, "VmRSS")
            tags = set()
            for _ in range(300):
                status, headers, got = n.request("GET", "/bytes/65536", conn=conn)
                tags.add((status, header(headers, "ETag"), len(got)))
            conn.close()
            grown = status_kb(pid, "VmRSS") - before
            ok &= check(tags == {(200, content_tag(body(65536)), 65536)},
                        "300 buffered 64 KB responses, each tagged")
            ok &= check(grown < FLAT_KB, f"resident memory after them: {grown:+} KiB")

            # 3. clients that leave while their body is held
            before = status_kb(pid, "VmRSS")
            for _ in range(30):
                s = socket.create_connection(("127.0.0.1", n.port))
                s.sendall(b"GET /chunked/1000000?chunk=1 HTTP/1.1\r\nHost: x\r\n\r\n")
                time.sleep(0.05)
                s.close()
            time.sleep(1)
            status, headers, got = n.request("GET", "/bytes/3000")
            grown = status_kb(pid, "VmRSS") - before
            ok &= check(n.worker_pids() == [pid] and status == 200
                        and header(headers, "ETag") == content_tag(got),
                        "after 30 clients left mid-body: the same worker, the next tag right")
            ok &= check(grown < FLAT_KB, f"resident memory after them: {grown:+} KiB")
            ok &= check("alert" not in n.log() and "crit" not in n.log(),
                        "no alert or crit line in the error log")
    print("buffer_memory_test: " + ("PASS" if ok else "FAIL"))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
