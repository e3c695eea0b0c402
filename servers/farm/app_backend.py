#!/usr/bin/env python3
"""An application backend for the proxy cases: a small HTTP/1.1 server on 127.0.0.1 whose
responses a proxy in front of it (nginx's proxy_pass to `{app}`, see run_cases.py) buffers,
streams or sees cut short. The framing is written by hand (no http.server), so a route says
exactly what goes on the wire.

Usage: python3 servers/farm/app_backend.py --port N [--name NAME]    (until SIGTERM or SIGINT)
Python API: `AppBackend(name="app", port=None)`, `.start()`, `.stop()`, `.address`, `with`.

The body of size N is always the first N bytes of a-z repeated: the bytes of the case runner's
`--- file NAME size=N`, so a case can expect the tag `{etag:NAME}` of such a file.

    /bytes/N            200, Content-Type: text/html, Content-Length: N, the N bytes
    /chunked/N          200 chunked: the N bytes in chunks of at most 4096, 5 ms apart
    /abort/N            200 with Content-Length: 2*N, N bytes, then the connection closes
    /abort-chunked/N    200 chunked, N bytes as /chunked sends them, then closes (no last chunk)
    /stream/N           200 chunked: N chunks of 100 bytes (the body of size 100*N), 100 ms apart
    /sse/N              200 text/event-stream, no-cache, chunked: `data: K\\n\\n` for K = 1..N,
                        50 ms apart
    /status/CODE/N      status CODE (200-599) with the N-byte body and its Content-Length (no
                        body for 204 and 304)
    anything else       404; a malformed request gets 400 and the connection closes

Query parameters, on every route:
    h=Name:value        a response header line, URL-decoded, written verbatim (repeatable); one
                        named like a default header (Content-Type, Cache-Control, Date, Server, or
                        stamp's) replaces it, a framing one (Content-Length, Transfer-Encoding,
                        Connection) is added as a second line
    stamp=1             X-Served-By: NAME and ETag: "NAME-<N>", as each backend of a farm would
    delay=MS            waits MS milliseconds before sending the head
    chunk=K             (/chunked, /abort-chunked) chunks of K bytes, all written at once

A 200 that carries an ETag (stamp=1, or h=ETag:...) is answered 304 when the request's
If-None-Match names that tag (weak comparison, or `*`), as the conditional-GET middleware of
application frameworks does (Django's ConditionalGetMiddleware, Express's `fresh`): a farm of
these backends gives each client's revalidation its 304 only from the server that made the tag.

Every response has Date and `Server: app-NAME`, and the status line HTTP/1.1. The chunked routes
answer chunked to an HTTP/1.0 request too (nginx's proxy_http_version 1.0 decodes it). HTTP/1.1
connections stay open unless the request says `Connection: close`; HTTP/1.0 ones close unless it
says `Connection: keep-alive`. HEAD gets GET's head and no body. Request bodies are read
(Content-Length) and ignored. Python's standard library only.
"""
import argparse
import email.utils
import http
import os
import re
import select
import signal
import socket
import socketserver
import subprocess
import sys
import tempfile
import time
import urllib.parse

ALPHABET = b"abcdefghijklmnopqrstuvwxyz"
PIECE = 65536  # the most bytes one sendall of a Content-Length body carries
PATTERN = ALPHABET * (PIECE // 26 + 2)
CHUNK = 4096  # /chunked and /abort-chunked
CHUNK_PAUSE = 0.005
STREAM_CHUNK, STREAM_PAUSE = 100, 0.1  # /stream
SSE_PAUSE = 0.05  # /sse
LINE_LIMIT = 8192  # request line and each header line
HEADER_LIMIT = 100  # header lines per request
IDLE_TIMEOUT = 60  # seconds a connection may wait for its next request
# defaults an h= header of the same name replaces (framing headers are never replaced)
REPLACEABLE = {"content-type", "cache-control", "date", "server", "x-served-by", "etag"}
HERE = os.path.abspath(__file__)


def not_modified(if_none_match, fields):
    """Whether If-None-Match (one field value, or None) matches the ETag among `fields`, by
    weak comparison."""
    tags = [f.partition(":")[2].strip() for f in fields if f.lower().startswith("etag:")]
    if if_none_match is None or not tags:
        return False
    listed = [t.strip() for t in if_none_match.split(",")]
    weak = lambda t: t[2:] if t.startswith("W/") else t
    return "*" in listed or weak(tags[0]) in {weak(t) for t in listed}


def body(offset, n):
    """n bytes of the body, from `offset` (n at most PIECE)."""
    start = offset % 26
    return PATTERN[start:start + n]


def pieces(offset, n, size):
    """The bytes offset..offset+n of the body, `size` at a time."""
    end = offset + n
    while offset < end:
        k = min(size, end - offset)
        yield body(offset, k)
        offset += k


class BadRequest(Exception):
    pass


class Closed(Exception):
    """The connection is over: the client's end inside a request, or an abort route's close."""


class Request:
    def __init__(self, method, target, version, headers):
        self.method, self.target, self.version, self.headers = method, target, version, headers

    def header(self, name):
        return [v for k, v in self.headers if k.lower() == name]

    def tokens(self, name):
        return {t.strip().lower() for v in self.header(name) for t in v.split(",")}


REQUEST_LINE = re.compile(rb"([!#$%&'*+.^_`|~0-9A-Za-z-]+) (\S+) HTTP/(\d)\.(\d)")
FIELD_NAME = re.compile(rb"[!#$%&'*+.^_`|~0-9A-Za-z-]+")


class Handler(socketserver.BaseRequestHandler):
    """One connection: requests read and answered in turn until one closes it."""

    def setup(self):
        self.sock = self.request
        self.sock.settimeout(IDLE_TIMEOUT)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.rfile = self.sock.makefile("rb")
        self.version = (1, 1)  # of the request being answered

    def finish(self):
        self.rfile.close()

    def handle(self):
        try:
            while True:
                try:
                    req = self.read_request()
                except BadRequest as e:
                    self.simple(400, f"bad request: {e}\n".encode(), keep=False, head=False)
                    return
                if req is None or not self.respond(req):
                    return
        except (Closed, OSError):
            pass  # a client gone, an idle timeout, or an abort route: nothing left to say

    # ------------------------------------------------------------ reading

    def line(self):
        raw = self.rfile.readline(LINE_LIMIT + 1)
        if len(raw) > LINE_LIMIT:
            raise BadRequest("line too long")
        if raw and not raw.endswith(b"\n"):
            raise Closed()  # EOF inside a line
        return raw

    def read_request(self):
        """The next Request, None at a clean end of the connection; raises BadRequest."""
        raw = self.line()
        while raw in (b"\r\n", b"\n"):  # empty lines before a request line are allowed
            raw = self.line()
        if not raw:
            return None
        m = REQUEST_LINE.fullmatch(raw.rstrip(b"\r\n"))
        if not m or m.group(3) != b"1":
            raise BadRequest("request line")
        method, target = m.group(1).decode(), m.group(2).decode("latin-1")
        version = (1, int(m.group(4)))
        headers = []
        while True:
            raw = self.line()
            if not raw:
                raise Closed()
            raw = raw.rstrip(b"\r\n")
            if not raw:
                break
            name, sep, value = raw.partition(b":")
            if not sep or not FIELD_NAME.fullmatch(name) or len(headers) >= HEADER_LIMIT:
                raise BadRequest("header line")
            headers.append((name.decode().lower(), value.strip(b" \t").decode("latin-1")))
        req = Request(method, target, version, headers)
        self.version = version
        if req.header("transfer-encoding"):
            raise BadRequest("request bodies are read by Content-Length only")
        lengths = set(req.header("content-length"))
        if len(lengths) > 1 or not all(re.fullmatch(r"\d{1,18}", v) for v in lengths):
            raise BadRequest("Content-Length")
        left = int(lengths.pop()) if lengths else 0
        while left:
            data = self.rfile.read(min(left, PIECE))
            if not data:
                raise Closed()
            left -= len(data)
        return req

    # ------------------------------------------------------------ writing

    def head(self, status, fields, keep):
        """The status line and header lines, then the blank line, in one write."""
        try:
            reason = http.HTTPStatus(status).phrase
        except ValueError:
            reason = "Unknown"
        lines = [f"HTTP/1.1 {status} {reason}"] + fields
        if not keep:
            lines.append("Connection: close")
        elif self.version < (1, 1):
            lines.append("Connection: keep-alive")
        self.sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1"))

    def defaults(self):
        return [f"Date: {email.utils.formatdate(usegmt=True)}", f"Server: app-{self.server.name}"]

    def simple(self, status, text, keep, head):
        fields = self.defaults() + ["Content-Type: text/plain", f"Content-Length: {len(text)}"]
        self.head(status, fields, keep)
        if not head:
            self.sock.sendall(text)

    def chunk(self, data):
        self.sock.sendall(b"%x\r\n%s\r\n" % (len(data), data))

    def respond(self, req):
        """Answers one request; returns whether the connection stays open."""
        if req.target.startswith(("http://", "https://")):
            parts = urllib.parse.urlsplit(req.target)
            path, query = parts.path or "/", parts.query
        else:
            path, _, query = req.target.partition("?")
        if req.version >= (1, 1):
            keep = "close" not in req.tokens("connection")
        else:
            keep = "keep-alive" in req.tokens("connection")
        is_head = req.method == "HEAD"
        try:
            params = urllib.parse.parse_qsl(query, keep_blank_values=True)
        except ValueError:
            params = []
        extra = [v for k, v in params if k == "h"]
        if any(c in v for v in extra for c in "\r\n\0"):
            self.simple(400, b"bad request: CR, LF or NUL in h=\n", keep=False, head=is_head)
            return False
        opts = dict((k, v) for k, v in params if k != "h")

        m = re.fullmatch(r"/(bytes|chunked|abort|abort-chunked|stream|sse)/(\d{1,15})"
                         r"|/status/([2-5]\d\d)/(\d{1,15})", path)
        if not m:
            self.simple(404, b"not found\n", keep, is_head)
            return keep
        route = m.group(1) or "status"
        n = int(m.group(2) or m.group(4))
        status = int(m.group(3)) if m.group(3) else 200
        if re.fullmatch(r"\d{1,7}", opts.get("delay", "")):
            time.sleep(int(opts["delay"]) / 1000)

        fields = self.defaults()
        if route == "sse":
            fields += ["Content-Type: text/event-stream", "Cache-Control: no-cache"]
        else:
            fields.append("Content-Type: text/html")
        if opts.get("stamp") == "1":
            fields += [f"X-Served-By: {self.server.name}", f'ETag: "{self.server.name}-{n}"']
        replaced = {v.partition(":")[0].strip().lower() for v in extra} & REPLACEABLE
        fields = [f for f in fields if f.partition(":")[0].lower() not in replaced] + extra
        if status == 200 and not_modified(", ".join(req.header("if-none-match")) or None, fields):
            self.head(304, [f for f in fields if not f.lower().startswith("content-")], keep)
            return keep
        chunked = route in ("chunked", "abort-chunked", "stream", "sse")
        no_body = status == 204 or status == 304
        if chunked:
            fields.append("Transfer-Encoding: chunked")
        elif route == "abort":
            fields.append(f"Content-Length: {2 * n}")
        elif status != 204:
            fields.append(f"Content-Length: {n}")
        self.head(status, fields, keep)
        if is_head or no_body:
            return keep

        if route in ("bytes", "status", "abort"):
            for data in pieces(0, n, PIECE):
                self.sock.sendall(data)
        elif route in ("chunked", "abort-chunked"):
            small = opts.get("chunk", "")
            if re.fullmatch(r"[1-9]\d{0,4}", small):  # many small chunks, written at once
                self.sock.sendall(b"".join(b"%x\r\n%s\r\n" % (len(d), d)
                                           for d in pieces(0, n, int(small))))
            else:
                for i, data in enumerate(pieces(0, n, CHUNK)):
                    if i:
                        time.sleep(CHUNK_PAUSE)
                    self.chunk(data)
        elif route == "stream":
            for i in range(n):
                if i:
                    time.sleep(STREAM_PAUSE)
                self.chunk(body(i * STREAM_CHUNK, STREAM_CHUNK))
        else:  # sse
            for k in range(1, n + 1):
                if k > 1:
                    time.sleep(SSE_PAUSE)
                self.chunk(f"data: {k}\n\n".encode())
        if route.startswith("abort"):
            self.abort()
        if chunked:
            self.sock.sendall(b"0\r\n\r\n")
        return keep

    def abort(self):
        """Closes the connection before the end its framing announced."""
        try:
            self.sock.shutdown(socket.SHUT_RDWR)
        finally:
            self.sock.close()
        raise Closed()


class AppServer(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128

    def __init__(self, port, name):
        self.name = name
        super().__init__(("127.0.0.1", port), Handler)


class AppBackend:
    """`app_backend.py --port PORT --name NAME` as a process of its own session (a free port
    when None), ready once it says so on a pipe and its port accepts connections (10 s at most,
    RuntimeError otherwise), stopped by its PID (SIGTERM, SIGKILL after 5 s)."""

    start_timeout = 10

    def __init__(self, name="app", port=None):
        if port is None:
            import harness  # same folder; only for a free port
            port = harness.free_port()
        self.name, self.port = name, port
        self.proc = None
        self.stderr = None

    @property
    def address(self):
        return f"127.0.0.1:{self.port}"

    def start(self):
        self.stderr = tempfile.TemporaryFile()
        # the script says "ready" on a pipe once it listens: a connection alone could reach
        # another process that took the port first
        ready_r, ready_w = os.pipe()
        try:
            self.proc = subprocess.Popen(
                [sys.executable, HERE, "--port", str(self.port), "--name", self.name,
                 "--ready-fd", str(ready_w)], pass_fds=[ready_w], stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL, stderr=self.stderr, start_new_session=True)
        finally:
            os.close(ready_w)
        deadline = time.time() + self.start_timeout
        try:
            ready = select.select([ready_r], [], [], self.start_timeout)[0]
            said = os.read(ready_r, 16) if ready else b""
        finally:
            os.close(ready_r)
        if said == b"ready\n":
            while time.time() < deadline and self.proc.poll() is None:
                try:
                    with socket.create_connection(("127.0.0.1", self.port), timeout=0.2):
                        return self
                except OSError:
                    time.sleep(0.05)
        elif said == b"":  # the pipe closed unsaid: the script exited, or is exiting
            try:
                self.proc.wait(timeout=2)
            except subprocess.TimeoutExpired:
                pass
        if self.proc.poll() is not None:
            self.stderr.seek(0)
            why = self.stderr.read().decode(errors="replace").strip().splitlines()
            self.stop()
            raise RuntimeError(f"app backend {self.name} failed to start on {self.address}: "
                               + (why[-1] if why else "no message"))
        self.stop()
        raise RuntimeError(f"app backend {self.name} did not listen on {self.address} in "
                           f"{self.start_timeout} s")

    def stop(self):
        proc, self.proc = self.proc, None
        if proc is not None and proc.poll() is None:
            os.kill(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                os.kill(proc.pid, signal.SIGKILL)
                proc.wait()
        if self.stderr is not None:
            self.stderr.close()
            self.stderr = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()


class Stop(Exception):
    pass


def main(argv):
    parser = argparse.ArgumentParser(description="the proxy cases' application backend")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--name", default="app")
    parser.add_argument("--ready-fd", type=int, help=argparse.SUPPRESS)  # AppBackend's pipe
    args = parser.parse_args(argv)

    def stop(signum, frame):
        raise Stop()

    server = AppServer(args.port, args.name)
    try:
        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        if args.ready_fd is not None:
            os.write(args.ready_fd, b"ready\n")
            os.close(args.ready_fd)
        server.serve_forever()
    except Stop:
        pass
    finally:
        server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
