#!/usr/bin/env python3
"""An application backend for the proxy cases: a small server on 127.0.0.1, speaking HTTP/1.1
(the default), FastCGI, SCGI or uwsgi, whose responses a proxy in front of it (nginx's
proxy_pass to `{app}`, fastcgi_pass to `{app_fastcgi}`, scgi_pass to `{app_scgi}`, uwsgi_pass to
`{app_uwsgi}`, see run_cases.py) buffers, streams or sees cut short. The framing is written by
hand (no http.server), so a route says exactly what goes on the wire.

Usage: python3 servers/farm/app_backend.py --port N [--name NAME]
                                           [--protocol http|fastcgi|scgi|uwsgi]
       (until SIGTERM or SIGINT)
Python API: `AppBackend(name="app", port=None, protocol="http")`, `.start()`, `.stop()`,
`.address`, `with`.

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
    anything else       404; a malformed HTTP request gets 400 and the connection closes

A route is matched at the END of the path, after any prefix of whole segments: /f/bytes/3000
is /bytes/3000 (so a location can pass its own URI on, as fastcgi_pass does, or proxy_pass
without a URI part), /f/bytesx/3000 is no route.

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

Every response has Date and `Server: app-NAME`. HEAD gets GET's head and no body. Request
bodies are read (Content-Length) and ignored. Python's standard library only.

--protocol http (default): the status line is HTTP/1.1. The chunked routes answer chunked to an
HTTP/1.0 request too (nginx's proxy_http_version 1.0 decodes it). HTTP/1.1 connections stay
open unless the request says `Connection: close`; HTTP/1.0 ones close unless it says
`Connection: keep-alive`. A malformed request gets 400 and the connection closes.

--protocol fastcgi|scgi|uwsgi: the request comes as the protocol's parameters (nginx's
fastcgi_param, scgi_param, uwsgi_param): the target is REQUEST_URI when present, else
DOCUMENT_URI (or PATH_INFO) and `?QUERY_STRING`; the method REQUEST_METHOD (GET without it); the
request headers the HTTP_* parameters (HTTP_IF_NONE_MATCH is If-None-Match); a body is
CONTENT_LENGTH bytes (SCGI, uwsgi) or the STDIN records (FastCGI), read and ignored. The routes
/bytes, /status and /abort answer as over HTTP, with the same query parameters, own 304 and
body; the chunked ones (/chunked, /abort-chunked, /stream, /sse) answer 404 (no chunked
framing there). Malformed input closes the connection with no answer.
    fastcgi   the Responder role (FastCGI 1.0): BEGIN_REQUEST, PARAMS up to an empty PARAMS
              record, STDIN up to an empty STDIN record; the answer is a CGI response
              (`Status: 200 OK`, header lines, a blank line, the body, Content-Length when
              known) in STDOUT records of at most 65535 bytes, an empty STDOUT record, then
              END_REQUEST (appStatus 0, REQUEST_COMPLETE). The connection stays open for the
              next request when BEGIN_REQUEST sets FCGI_KEEP_CONN (nginx's fastcgi_keep_conn
              on), else closes after END_REQUEST. One request at a time (a second
              BEGIN_REQUEST gets CANT_MPX_CONN; a role other than Responder, UNKNOWN_ROLE);
              ABORT_REQUEST ends the request with END_REQUEST; GET_VALUES is answered
              (FCGI_MPXS_CONNS 0), other management records get UNKNOWN_TYPE. /abort/N sends N
              bytes of STDOUT and closes the socket with no END_REQUEST.
    scgi      a netstring of NUL-separated names and values, then the body; the answer is a
              CGI response as FastCGI's; one request per connection, closed after the answer
    uwsgi     a 4-byte header (modifier1 0, datasize u16 little-endian, modifier2), the vars
              (u16 LE key length, key, u16 LE value length, value, ...), then the body; the
              answer is an HTTP response (`HTTP/1.1 200 OK` status line, header lines with
              Content-Length and `Connection: close`, the body); one request per connection,
              closed after the answer (nginx reads a uwsgi response until the close)
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
import struct
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
PROTOCOLS = ("http", "fastcgi", "scgi", "uwsgi")


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
# the route at the end of the path, after any prefix of whole segments (/f/bytes/3000)
ROUTE = re.compile(r"(?:/.*)?/(bytes|chunked|abort|abort-chunked|stream|sse)/(\d{1,15})"
                   r"|(?:/.*)?/status/([2-5]\d\d)/(\d{1,15})")
CHUNKED_ROUTES = ("chunked", "abort-chunked", "stream", "sse")


def reason(status):
    try:
        return http.HTTPStatus(status).phrase
    except ValueError:
        return "Unknown"


class Answer:
    """What a request gets, whatever the protocol frames it in: the status, the header lines
    but the framing ones, the Content-Length to announce (None: none), whether a body follows
    (HEAD aside), and the route that makes it (None: `text` is the body)."""

    def __init__(self, status, fields, length=None, has_body=True, route=None, n=0, opts=None,
                 text=b"", close=False):
        self.status, self.fields, self.length, self.has_body = status, fields, length, has_body
        self.route, self.n, self.opts, self.text = route, n, opts or {}, text
        self.close = close  # HTTP: the connection closes after it (a malformed request)

    def chunks(self, size):
        """The body of a route that is not chunked, `size` bytes at a time at most."""
        if self.route is None:
            if self.text:
                yield self.text
        else:
            yield from pieces(0, self.n, size)


def defaults(name):
    return [f"Date: {email.utils.formatdate(usegmt=True)}", f"Server: app-{name}"]


def plain(name, status, text, close=False):
    return Answer(status, defaults(name) + ["Content-Type: text/plain"], len(text), text=text,
                  close=close)


def decide(req, name, protocol="http"):
    """The Answer to `req` from the backend `name` (its Server and stamp): the route, the
    fields, the own 304. Sleeps for delay=. Shared by every protocol; only the framing differs."""
    if req.target.startswith(("http://", "https://")):
        parts = urllib.parse.urlsplit(req.target)
        path, query = parts.path or "/", parts.query
    else:
        path, _, query = req.target.partition("?")
    try:
        params = urllib.parse.parse_qsl(query, keep_blank_values=True)
    except ValueError:
        params = []
    extra = [v for k, v in params if k == "h"]
    if any(c in v for v in extra for c in "\r\n\0"):
        return plain(name, 400, b"bad request: CR, LF or NUL in h=\n", close=True)
    opts = dict((k, v) for k, v in params if k != "h")

    m = ROUTE.fullmatch(path)
    if not m or (protocol != "http" and m.group(1) in CHUNKED_ROUTES):
        return plain(name, 404, b"not found\n")
    route = m.group(1) or "status"
    n = int(m.group(2) or m.group(4))
    status = int(m.group(3)) if m.group(3) else 200
    if re.fullmatch(r"\d{1,7}", opts.get("delay", "")):
        time.sleep(int(opts["delay"]) / 1000)

    fields = defaults(name)
    if route == "sse":
        fields += ["Content-Type: text/event-stream", "Cache-Control: no-cache"]
    else:
        fields.append("Content-Type: text/html")
    if opts.get("stamp") == "1":
        fields += [f"X-Served-By: {name}", f'ETag: "{name}-{n}"']
    replaced = {v.partition(":")[0].strip().lower() for v in extra} & REPLACEABLE
    fields = [f for f in fields if f.partition(":")[0].lower() not in replaced] + extra
    if status == 200 and not_modified(", ".join(req.header("if-none-match")) or None, fields):
        return Answer(304, [f for f in fields if not f.lower().startswith("content-")],
                      has_body=False, route=route, n=n, opts=opts)
    if route in CHUNKED_ROUTES:
        length = None  # the HTTP framing says chunked
    elif route == "abort":
        length = 2 * n
    elif status != 204:
        length = n
    else:
        length = None
    return Answer(status, fields, length, has_body=status not in (204, 304), route=route, n=n,
                  opts=opts)


def cgi_request(pairs):
    """(Request, body length) of a CGI-style request's parameters, (name, value) byte pairs;
    raises BadRequest."""
    env, headers = {}, []
    for k, v in pairs:
        k, v = k.decode("latin-1"), v.decode("latin-1")
        env[k] = v  # a repeated parameter: the last one counts
        if k.startswith("HTTP_") and len(k) > 5:
            headers.append((k[5:].replace("_", "-").lower(), v))
    target = env.get("REQUEST_URI")
    if not target:
        target = env.get("DOCUMENT_URI") or env.get("PATH_INFO") or "/"
        if env.get("QUERY_STRING"):
            target += "?" + env["QUERY_STRING"]
    length = env.get("CONTENT_LENGTH", "").strip() or "0"
    if not re.fullmatch(r"\d{1,18}", length):
        raise BadRequest("CONTENT_LENGTH")
    method = env.get("REQUEST_METHOD") or "GET"
    return Request(method, target, (1, 1), headers), int(length)


# FastCGI 1.0 (https://fastcgi-archives.github.io/FastCGI_Specification.html)
FCGI_BEGIN_REQUEST, FCGI_ABORT_REQUEST, FCGI_END_REQUEST, FCGI_PARAMS, FCGI_STDIN = 1, 2, 3, 4, 5
FCGI_STDOUT, FCGI_STDERR, FCGI_DATA, FCGI_GET_VALUES, FCGI_GET_VALUES_RESULT = 6, 7, 8, 9, 10
FCGI_UNKNOWN_TYPE = 11
FCGI_RESPONDER, FCGI_KEEP_CONN = 1, 1
FCGI_REQUEST_COMPLETE, FCGI_CANT_MPX_CONN, FCGI_UNKNOWN_ROLE = 0, 1, 3
FCGI_MAX_CONTENT = 65535
FCGI_VALUES = {b"FCGI_MAX_CONNS": b"100", b"FCGI_MAX_REQS": b"100", b"FCGI_MPXS_CONNS": b"0"}
PARAMS_LIMIT = 1 << 20  # bytes of parameters per request (FastCGI, SCGI; uwsgi's are < 64 KiB)


def fcgi_pairs(data):
    """FastCGI name-value pairs (lengths of 1 byte, or 4 with the high bit set); raises
    BadRequest."""
    out, i, end = [], 0, len(data)
    while i < end:
        lengths = []
        for _ in range(2):
            if i >= end:
                raise BadRequest("name-value pair")
            if data[i] & 0x80:
                if i + 4 > end:
                    raise BadRequest("name-value pair")
                lengths.append(struct.unpack_from(">I", data, i)[0] & 0x7FFFFFFF)
                i += 4
            else:
                lengths.append(data[i])
                i += 1
        k, v = lengths
        if i + k + v > end:
            raise BadRequest("name-value pair")
        out.append((bytes(data[i:i + k]), bytes(data[i + k:i + k + v])))
        i += k + v
    return out


def fcgi_pair(name, value):
    def length(n):
        return bytes([n]) if n < 128 else struct.pack(">I", n | 0x80000000)
    return length(len(name)) + length(len(value)) + name + value


class FcgiRequest:
    def __init__(self, rid, keep):
        self.id, self.keep = rid, keep
        self.params = bytearray()
        self.params_done = self.stdin_done = False


class Handler(socketserver.BaseRequestHandler):
    """One connection: requests read and answered in turn until one closes it, in the server's
    protocol."""

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
            getattr(self, "handle_" + self.server.protocol)()
        except (BadRequest, Closed, OSError):
            pass  # malformed input, a client gone, an idle timeout, or an abort route: the
            # connection closes with nothing more said

    # ------------------------------------------------------------ HTTP

    def handle_http(self):
        while True:
            try:
                req = self.read_request()
            except BadRequest as e:
                self.simple(400, f"bad request: {e}\n".encode(), keep=False, head=False)
                return
            if req is None or not self.respond(req):
                return

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
        self.skip(int(lengths.pop()) if lengths else 0)
        return req

    def head(self, status, fields, keep):
        """The status line and header lines, then the blank line, in one write."""
        lines = [f"HTTP/1.1 {status} {reason(status)}"] + fields
        if not keep:
            lines.append("Connection: close")
        elif self.version < (1, 1):
            lines.append("Connection: keep-alive")
        self.sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1"))

    def simple(self, status, text, keep, head):
        a = plain(self.server.name, status, text)
        self.head(status, a.fields + [f"Content-Length: {a.length}"], keep)
        if not head:
            self.sock.sendall(text)

    def chunk(self, data):
        self.sock.sendall(b"%x\r\n%s\r\n" % (len(data), data))

    def respond(self, req):
        """Answers one request; returns whether the connection stays open."""
        if req.version >= (1, 1):
            keep = "close" not in req.tokens("connection")
        else:
            keep = "keep-alive" in req.tokens("connection")
        a = decide(req, self.server.name)
        keep = keep and not a.close
        fields = list(a.fields)
        chunked = a.has_body and a.route in CHUNKED_ROUTES
        if chunked:
            fields.append("Transfer-Encoding: chunked")
        elif a.length is not None:
            fields.append(f"Content-Length: {a.length}")
        self.head(a.status, fields, keep)
        if req.method == "HEAD" or not a.has_body:
            return keep

        route, n, opts = a.route, a.n, a.opts
        if not chunked:
            for data in a.chunks(PIECE):
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
        if route in ("abort", "abort-chunked"):
            self.abort()
        if chunked:
            self.sock.sendall(b"0\r\n\r\n")
        return keep

    # ------------------------------------------------------------ shared by the others

    def exact(self, n):
        """n bytes of input; raises Closed at an EOF before them."""
        data = self.rfile.read(n)
        if len(data) != n:
            raise Closed()
        return data

    def skip(self, n):
        """Reads and drops n bytes (a request body)."""
        while n:
            data = self.rfile.read(min(n, PIECE))
            if not data:
                raise Closed()
            n -= len(data)

    def answer(self, req, write, status_line=False, size=PIECE):
        """Answers a request of a CGI-style protocol through `write`: the head as a CGI
        response (`Status:`), or an HTTP one (uwsgi: `status_line`); then the body, `size`
        bytes a write at most; /abort closes the connection before the end announced."""
        a = decide(req, self.server.name, self.server.protocol)
        fields = list(a.fields)
        if a.length is not None:
            fields.append(f"Content-Length: {a.length}")
        if status_line:
            first = f"HTTP/1.1 {a.status} {reason(a.status)}"
            fields.append("Connection: close")
        else:
            first = f"Status: {a.status} {reason(a.status)}"
        write(("\r\n".join([first] + fields) + "\r\n\r\n").encode("latin-1"))
        if req.method == "HEAD" or not a.has_body:
            return
        for data in a.chunks(size):
            write(data)
        if a.route == "abort":
            self.abort()

    def abort(self):
        """Closes the connection before the end its framing announced."""
        try:
            self.sock.shutdown(socket.SHUT_RDWR)
        finally:
            self.sock.close()
        raise Closed()

    # ------------------------------------------------------------ FastCGI

    def fcgi_record(self):
        """The next record as (type, request id, content), None at a clean end of the
        connection (between records); raises BadRequest, Closed."""
        head = self.rfile.read(8)
        if not head:
            return None
        if len(head) != 8:
            raise Closed()
        version, kind, rid, length, padding = struct.unpack(">BBHHBx", head)
        if version != 1:
            raise BadRequest("FastCGI version")
        content = self.exact(length)
        self.exact(padding)
        return kind, rid, content

    def fcgi_send(self, kind, rid, content=b""):
        self.sock.sendall(struct.pack(">BBHHBx", 1, kind, rid, len(content), 0) + content)

    def fcgi_stdout(self, rid, data):
        for i in range(0, len(data), FCGI_MAX_CONTENT):
            self.fcgi_send(FCGI_STDOUT, rid, data[i:i + FCGI_MAX_CONTENT])

    def fcgi_end(self, rid, protocol_status):
        self.fcgi_send(FCGI_END_REQUEST, rid, struct.pack(">IB3x", 0, protocol_status))

    def handle_fastcgi(self):
        current = None  # the request being read: one at a time (no multiplexing)
        while True:
            record = self.fcgi_record()
            if record is None:
                return
            kind, rid, content = record
            if rid == 0:  # a management record
                if kind == FCGI_GET_VALUES:
                    self.fcgi_send(FCGI_GET_VALUES_RESULT, 0, b"".join(
                        fcgi_pair(k, FCGI_VALUES[k]) for k, _ in fcgi_pairs(content)
                        if k in FCGI_VALUES))
                else:
                    self.fcgi_send(FCGI_UNKNOWN_TYPE, 0, bytes([kind]) + bytes(7))
                continue
            if kind == FCGI_BEGIN_REQUEST:
                if len(content) != 8:
                    raise BadRequest("BEGIN_REQUEST")
                role, flags = struct.unpack(">HB5x", content)
                if current is not None:
                    self.fcgi_end(rid, FCGI_CANT_MPX_CONN)
                elif role != FCGI_RESPONDER:
                    self.fcgi_end(rid, FCGI_UNKNOWN_ROLE)
                    if not flags & FCGI_KEEP_CONN:
                        return
                else:
                    current = FcgiRequest(rid, bool(flags & FCGI_KEEP_CONN))
                continue
            if current is None or rid != current.id:
                continue  # a record of no active request: ignored, as the spec says
            if kind == FCGI_ABORT_REQUEST:
                self.fcgi_end(rid, FCGI_REQUEST_COMPLETE)
                if not current.keep:
                    return
                current = None
                continue
            if kind == FCGI_PARAMS:
                if current.params_done:
                    raise BadRequest("PARAMS after the empty PARAMS record")
                if not content:
                    current.params_done = True
                elif len(current.params) + len(content) > PARAMS_LIMIT:
                    raise BadRequest("PARAMS too long")
                else:
                    current.params += content
            elif kind == FCGI_STDIN:
                if current.stdin_done:
                    raise BadRequest("STDIN after the empty STDIN record")
                if not content:
                    current.stdin_done = True  # the body's bytes are dropped as they come
            elif kind != FCGI_DATA:
                raise BadRequest(f"record type {kind}")
            if current.params_done and current.stdin_done:
                req, _ = cgi_request(fcgi_pairs(current.params))
                rid = current.id
                self.answer(req, lambda data: self.fcgi_stdout(rid, data), size=32768)
                self.fcgi_send(FCGI_STDOUT, rid)
                self.fcgi_end(rid, FCGI_REQUEST_COMPLETE)
                if not current.keep:
                    return
                current = None

    # ------------------------------------------------------------ SCGI

    def handle_scgi(self):
        digits = b""
        while True:
            c = self.rfile.read(1)
            if not c:
                if digits:
                    raise Closed()
                return  # a connection closed unused
            if c == b":":
                break
            if not c.isdigit() or len(digits) >= 7:
                raise BadRequest("netstring length")
            digits += c
        if not digits or int(digits) > PARAMS_LIMIT:
            raise BadRequest("netstring length")
        data = self.exact(int(digits))
        if self.exact(1) != b",":
            raise BadRequest("netstring end")
        items = data.split(b"\0")
        if items[-1] != b"" or len(items) % 2 != 1:
            raise BadRequest("headers")
        req, length = cgi_request(zip(items[0:-1:2], items[1:-1:2]))
        self.skip(length)
        self.answer(req, self.sock.sendall)

    # ------------------------------------------------------------ uwsgi

    def handle_uwsgi(self):
        head = self.rfile.read(4)
        if not head:
            return  # a connection closed unused
        if len(head) != 4:
            raise Closed()
        modifier1, size, _ = struct.unpack("<BHB", head)
        if modifier1 != 0:
            raise BadRequest("modifier1 (only 0, WSGI variables)")
        data = self.exact(size)
        pairs, i = [], 0
        while i < size:
            if i + 2 > size:
                raise BadRequest("vars")
            k = struct.unpack_from("<H", data, i)[0]
            if i + 2 + k + 2 > size:
                raise BadRequest("vars")
            key = data[i + 2:i + 2 + k]
            i += 2 + k
            v = struct.unpack_from("<H", data, i)[0]
            if i + 2 + v > size:
                raise BadRequest("vars")
            pairs.append((key, data[i + 2:i + 2 + v]))
            i += 2 + v
        req, length = cgi_request(pairs)
        self.skip(length)
        self.answer(req, self.sock.sendall, status_line=True)


class AppServer(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128

    def __init__(self, port, name, protocol="http"):
        self.name, self.protocol = name, protocol
        super().__init__(("127.0.0.1", port), Handler)


class AppBackend:
    """`app_backend.py --port PORT --name NAME --protocol PROTOCOL` as a process of its own
    session (a free port when None), ready once it says so on a pipe and its port accepts
    connections (10 s at most, RuntimeError otherwise), stopped by its PID (SIGTERM, SIGKILL
    after 5 s)."""

    start_timeout = 10

    def __init__(self, name="app", port=None, protocol="http"):
        if protocol not in PROTOCOLS:
            raise ValueError(f"protocol {protocol!r}: one of {', '.join(PROTOCOLS)}")
        if port is None:
            import harness  # same folder; only for a free port
            port = harness.free_port()
        self.name, self.port, self.protocol = name, port, protocol
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
                 "--protocol", self.protocol, "--ready-fd", str(ready_w)],
                pass_fds=[ready_w], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                stderr=self.stderr, start_new_session=True)
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
            raise RuntimeError(f"app backend {self.name} ({self.protocol}) failed to start on "
                               f"{self.address}: " + (why[-1] if why else "no message"))
        self.stop()
        raise RuntimeError(f"app backend {self.name} ({self.protocol}) did not listen on "
                           f"{self.address} in {self.start_timeout} s")

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
    parser.add_argument("--protocol", choices=PROTOCOLS, default="http")
    parser.add_argument("--ready-fd", type=int, help=argparse.SUPPRESS)  # AppBackend's pipe
    args = parser.parse_args(argv)

    def stop(signum, frame):
        raise Stop()

    server = AppServer(args.port, args.name, args.protocol)
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
