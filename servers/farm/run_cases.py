#!/usr/bin/env python3
"""The data-driven server tests: every block of the given *.test files runs against a fresh
server of one backend (harness.backend), and is reported as `ok - NAME`, `not ok - NAME: why`, or
`skip - NAME: why` (no config for SERVER, or HTTP/1.1-only over HTTP/2). The last line is
`SERVER_cases: N passed, M failed, K skipped`; the exit status is 1 on any failure, or when no
block ran.

Usage: python3 servers/farm/run_cases.py --server nginx [--http2] [--valgrind] [-k SUBSTRING]
                                         FILE.test|DIR ...

--http2     every request over HTTP/2 (cleartext, prior knowledge) through curl; the summary
            reads `SERVER_cases (HTTP/2): ...`. Blocks that test HTTP/1.1 itself are skipped with
            the reason (see HTTP1_ONLY): a `--- connection` check (HTTP/1.1 keep-alive), a
            config that proxies to the server's own port (nginx: proxy_pass speaks HTTP/1.x),
            and a `--- truncated` step (curl fails an aborted stream, leaving nothing to check).
            Other conn=NAME steps run on a connection each, with a `# note` saying so.
            Response header names arrive lowercase; the checks ignore case anyway.
--valgrind  each server runs as one process under valgrind's memcheck (memcheck.py); a block
            fails when an error has a frame in etagcore's module or library, other errors are
            printed as `# info`; then `SERVER_cases valgrind: L logs, E errors in etagcore,
            O other errors`. The server starts before a block's first actions (see run_block).

One case format serves every server module. What a case expects (status, headers, body) is the
same on every server; only the configuration that sets it up is written once per server, in
`--- config SERVER [LEVEL]` sections. A block runs on SERVER only when it has at least one config
section for SERVER; the others skip it. So a shared case (servers/farm/cases/) gains a server by
gaining that server's config section, and a server-only case (servers/nginx/t/) has one config.

Block format (modelled on Test::Nginx blocks, as in openresty's headers-more t/*.t)
=================================================================================

    === NAME                              starts a block (a test case); text before the first
                                          `---` section of a block is a comment
    --- SECTION [ARG ...]                 starts a section; its body is the following lines up to
                                          the next `---`/`===` line, each line ending in "\\n",
                                          trailing blank lines dropped

Lines before the first `===` and lines starting with `#` between blocks are comments.

Server sections (anywhere in the block):
    --- config SERVER [LEVEL]             directives for SERVER at LEVEL (nginx: the server block
                                          by default, `http` for http level); {docroot} is the
                                          docroot, {app}, {app_fastcgi}, {app_scgi} and
                                          {app_uwsgi} the app backends' addresses (the only
                                          placeholders of a config); an empty body is valid
    --- workers N                         worker processes (default 1)

Actions, run in the order written (those before the first request run before the server starts):
    --- file NAME [OPT ...]               writes NAME (under the docroot) with the body
        options: chomp (drop the body's final newline), size=N (N bytes of a-z repeated instead
        of the body), mtime=SECONDS | mtime=now | mtime=now+N | mtime=now-N | mtime=keep (the
        mtime the file had before this write, to the nanosecond), rename (write a new file and
        rename it over NAME: a new inode; default: truncate and rewrite in place)
    --- gzip_file NAME.gz from NAME [mtime=...]   NAME's current bytes, gzip-compressed
    --- dir NAME                          creates a directory
    --- touch NAME mtime=...              sets a file's mtime
    --- remove NAME                       deletes a file
    --- set                               lines `VAR = TEMPLATE`: saves the expanded template as
                                          {$VAR} (e.g. a file's tag before it is rewritten)
    --- sleep SECONDS
    --- log_count N                       exactly N lines of the server's error log contain the
                                          body (its first line), e.g. `content_etag: hashed`

A request step, and its expectations (each belongs to the latest `--- request`):
    --- request [conn=NAME]               one line `METHOD /path`; steps with the same conn=NAME
                                          share one keep-alive connection, which must not have
                                          been closed by the server in between
    --- request_headers                   `Name: value` lines (a name may repeat: separate lines);
                                          `\\xNN` in a value is the byte NN
    --- status                            the expected status code
    --- response_headers                  `Name: value` exact (any field line of that name),
                                          `Name: ~REGEX` (re.fullmatch), `!Name` absent
    --- body [chomp] [gunzip] [file=NAME] the exact body, `\\xNN` being the byte NN (file=NAME:
                                          the current bytes of NAME; gunzip: decompress the
                                          received body first)
    --- connection open|closed            (a conn=NAME step) whether the server kept the
                                          connection open after this response
    --- truncated                         the body is cut short: the server closed the
                                          connection before the end its framing announced
                                          (Content-Length, chunked); the other checks see the
                                          bytes that arrived. A step without it fails on a
                                          truncated body; a step with it, on a complete one

Placeholders, expanded in configs, request lines, header values, bodies and `set`:
    {etag:F}        the strong content tag of F's current bytes, "<32 hex>"
    {wetag:F}       its weak form W/"<32 hex>"
    {hex:F}         the 32 hex digits alone
    {lm:F}          F's mtime as an IMF-fixdate; {lm:F:+N} / {lm:F:-N} N seconds later/earlier
    {stock_etag:F}  the server's own tag for F (nginx: "%xT-%xO", mtime-size in hex)
    {body_etag}     (response checks only) the content tag of the body received
    {docroot}       the server's root folder
    {app}           127.0.0.1:PORT of the application backend (app_backend.py, name "app"): one
                    for the whole run, started the first time a config or a step expands {app}
    {app_fastcgi}   the same for app_backend.py --protocol fastcgi (nginx: fastcgi_pass), one
    {app_scgi}      of its own for each protocol, started on first use like {app}: the routes
    {app_uwsgi}     /bytes, /status and /abort send the same bodies and headers as {app}'s, the
                    request's target, method and HTTP_* headers coming from the parameters
                    (REQUEST_URI, REQUEST_METHOD; nginx's *_params files send them); its
                    chunked routes answer 404 there. A route matches at the end of the path
                    (/f/bytes/3000 is /bytes/3000), so a location need not rewrite its URI
    {$VAR}          a value saved by `--- set`
"""
import atexit
import email.utils
import gzip
import http.client
import os
import re
import socket
import sys
import time
import traceback

sys.dont_write_bytecode = True  # leave no __pycache__ beside the tests
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import app_backend  # noqa: E402
import harness  # noqa: E402
import memcheck  # noqa: E402


ACTIONS = {"file", "gzip_file", "dir", "touch", "remove", "set", "sleep", "log_count"}
STEP_PARTS = {"request_headers", "status", "response_headers", "body", "connection",
              "truncated"}


class CaseError(Exception):
    """A malformed test block (counted as a failure)."""


class Failure(Exception):
    """An expectation the server did not meet."""


class Skip(Exception):
    """A block that does not run here; the message says why."""


# ---------------------------------------------------------------- parsing

class Section:
    def __init__(self, name, args, lineno):
        self.name, self.args, self.lineno, self.lines = name, args, lineno, []

    def text(self):
        lines = list(self.lines)
        while lines and not lines[-1].strip():
            lines.pop()
        return "".join(line + "\n" for line in lines)

    def opts(self):
        """key=value arguments as a dict, bare words mapped to True."""
        out = {}
        for a in self.args:
            k, sep, v = a.partition("=")
            out[k] = v if sep else True
        return out


class Block:
    def __init__(self, name, path, lineno):
        self.name, self.path, self.lineno, self.sections = name, path, lineno, []


def parse(path):
    blocks, block, section = [], None, None
    with open(path, encoding="utf-8") as f:
        for lineno, raw in enumerate(f, 1):
            line = raw.rstrip("\n")
            if line.startswith("=== "):
                block = Block(line[4:].strip(), path, lineno)
                blocks.append(block)
                section = None
            elif line.startswith("--- ") and block is not None:
                words = line[4:].split()
                section = Section(words[0], words[1:], lineno)
                block.sections.append(section)
            elif section is not None:
                section.lines.append(line)
            # else: a comment (before the first block, or before a block's first section)
    return blocks


def plan(block, server_name):
    """The block as (server settings, ordered list of actions and request steps); settings are
    None when the block has no config for `server_name`."""
    server = {"config": {}, "workers": 1}
    configured = False
    items, step = [], None
    for s in block.sections:
        if s.name == "config":
            if not 1 <= len(s.args) <= 2:
                raise CaseError(f"line {s.lineno}: --- config SERVER [LEVEL]")
            if s.args[0] == server_name:
                configured = True
                level = s.args[1] if len(s.args) == 2 else None
                if level in server["config"]:
                    raise CaseError(f"line {s.lineno}: a second --- config {' '.join(s.args)}")
                server["config"][level] = s.text()
        elif s.name == "workers":
            server["workers"] = int(s.args[0])
        elif s.name == "request":
            line = s.text().strip().split()
            if len(line) != 2:
                raise CaseError(f"line {s.lineno}: --- request needs one line 'METHOD /path'")
            step = {"method": line[0], "path": line[1], "conn": s.opts().get("conn"),
                    "headers": [], "status": None, "expect": [], "body": None,
                    "connection": None, "truncated": False, "lineno": s.lineno}
            items.append(("request", step))
        elif s.name in STEP_PARTS:
            if step is None:
                raise CaseError(f"line {s.lineno}: --- {s.name} before any --- request")
            if s.name == "request_headers":
                for line in s.text().splitlines():
                    if not line.strip():
                        continue
                    name, sep, value = line.partition(":")
                    if not sep:
                        raise CaseError(f"line {s.lineno}: request header without ':': {line!r}")
                    step["headers"].append((name.strip(), value.strip()))
            elif s.name == "status":
                step["status"] = int(s.text().strip())
            elif s.name == "connection":
                if s.args not in (["open"], ["closed"]) or not step["conn"]:
                    raise CaseError(f"line {s.lineno}: --- connection open|closed needs a "
                                    "--- request conn=NAME step")
                step["connection"] = s.args[0]
            elif s.name == "truncated":
                if s.args or s.text():
                    raise CaseError(f"line {s.lineno}: --- truncated takes no argument or body")
                step["truncated"] = True
            elif s.name == "response_headers":
                step["expect"].extend(l.strip() for l in s.text().splitlines() if l.strip())
            else:
                step["body"] = s
        elif s.name in ACTIONS:
            items.append((s.name, s))
        else:
            raise CaseError(f"line {s.lineno}: unknown section --- {s.name}")
    if not any(kind == "request" for kind, _ in items):
        raise CaseError("no --- request")
    return (server if configured else None), items


# Over HTTP/2, blocks that test HTTP/1.1 itself: (why, predicate on the server settings and the
# plan's items). Predicates, not a list of names, so that a new case of the same kind skips too.
HTTP1_ONLY = [
    ("checks whether the server keeps an HTTP/1.1 connection open (--- connection); over "
     "HTTP/2 each request is its own curl, its own connection",
     lambda server, items: any(kind == "request" and item["connection"]
                               for kind, item in items)),
    ("proxies to its own port, and proxy_pass speaks HTTP/1.x, which nginx 1.22's cleartext "
     "HTTP/2 listener refuses",
     lambda server, items: any(re.search(r"proxy_pass\s+http://[^;]*\$server_port", text)
                               for text in server["config"].values())),
    ("expects a body cut short (--- truncated); curl reports an aborted HTTP/2 stream as an "
     "error, with no partial response to check",
     lambda server, items: any(kind == "request" and item["truncated"]
                               for kind, item in items)),
]


def http1_only(server, items):
    """Why a block cannot run over HTTP/2, or None."""
    for why, applies in HTTP1_ONLY:
        if applies(server, items):
            return why
    return None


def prepare(block, name, http2):
    """(server settings, items, note) of a block on the server `name`; raises Skip when it has
    no config for that server or cannot run over HTTP/2. `note` says what runs differently."""
    server, items = plan(block, name)
    if server is None:
        raise Skip(f"no config for {name}")
    if not http2:
        return server, items, None
    why = http1_only(server, items)
    if why:
        raise Skip(f"HTTP/1.1 only: {why}")
    if any(kind == "request" and item["conn"] for kind, item in items):
        # the checks of each step still hold; only the shared connection is not tested
        return server, items, "HTTP/2: its conn=NAME steps run on one connection each"
    return server, items, None


# ---------------------------------------------------------------- running

PLACEHOLDER = re.compile(r"\{(etag|wetag|hex|lm|stock_etag):([^{}:]+)(?::([+-]\d+))?\}"
                         r"|\{(body_etag|docroot|app|app_fastcgi|app_scgi|app_uwsgi)\}"
                         r"|\{\$(\w+)\}")


class SharedApp:
    """The application backend of one placeholder ({app}, {app_fastcgi}...): one AppBackend
    ("app", speaking `protocol`) for the whole run, started the first time a config or a step
    expands the placeholder; main() stops it (and exit, for importers)."""

    def __init__(self, protocol="http"):
        self.protocol = protocol
        self.backend = None

    def address(self):
        if self.backend is None:
            backend = app_backend.AppBackend("app", protocol=self.protocol)
            backend.start()
            self.backend = backend
            atexit.register(backend.stop)
        return self.backend.address

    def stop(self):
        if self.backend is not None:
            self.backend.stop()
            self.backend = None


# placeholder name -> its shared backend
APPS = {"app": SharedApp("http"), "app_fastcgi": SharedApp("fastcgi"),
        "app_scgi": SharedApp("scgi"), "app_uwsgi": SharedApp("uwsgi")}


def expand_config(text):
    """A config's {app}, {app_fastcgi}, {app_scgi} and {app_uwsgi}, the exact tokens only: `{`
    and `}` are block braces there. {docroot} is the server's to expand (Server.level)."""
    for name, app in APPS.items():
        token = "{" + name + "}"
        if token in text:
            text = text.replace(token, app.address())
    return text


class Run:
    def __init__(self, block, server, items):
        self.block = block
        self.settings, self.items = server, items
        self.server = None
        self.started = False
        self.vars = {}
        self.conns = {}
        self.socknames = {}

    def path(self, name):
        return os.path.join(self.server.docroot, name)

    def expand(self, text, body=None):
        def sub(m):
            kind, name, offset, simple, var = m.groups()
            if var is not None:
                if var not in self.vars:
                    raise CaseError(f"{{${var}}} was never set")
                return self.vars[var]
            if simple == "docroot":
                return self.server.docroot
            if simple in APPS:
                return APPS[simple].address()
            if simple == "body_etag":
                if body is None:
                    raise CaseError("{body_etag} is only for response checks")
                return harness.content_tag(body)
            path = self.path(name)
            if not os.path.exists(path):
                raise CaseError(f"placeholder {m.group(0)}: no file {name}")
            if kind in ("etag", "wetag", "hex"):
                with open(path, "rb") as f:
                    tag = harness.content_tag(f.read())
                return {"etag": tag, "wetag": "W/" + tag, "hex": tag.strip('"')}[kind]
            if kind == "lm":
                mtime = int(os.stat(path).st_mtime)
                return email.utils.formatdate(mtime + int(offset or 0), usegmt=True)
            return self.server.stock_etag(path)
        return PLACEHOLDER.sub(sub, text)

    # ------------------------------------------------------------ actions

    def mtime_ns(self, spec, previous_ns):
        if spec == "keep":
            if previous_ns is None:
                raise CaseError("mtime=keep on a file that did not exist")
            return previous_ns
        m = re.fullmatch(r"now(?:([+-])(\d+))?", spec)
        if m:
            delta = int(m.group(2) or 0) * (1 if m.group(1) != "-" else -1)
            return (int(time.time()) + delta) * 10**9
        if re.fullmatch(r"-?\d+", spec):
            return int(spec) * 10**9
        raise CaseError(f"bad mtime {spec!r}")

    def write(self, name, data, opts):
        path = self.path(name)
        previous = os.stat(path).st_mtime_ns if os.path.exists(path) else None
        mtime = opts.get("mtime")
        if opts.get("rename"):
            tmp = path + ".tmp-rename"
            self.server.write(os.path.relpath(tmp, self.server.docroot), data)
            if mtime:
                ns = self.mtime_ns(mtime, previous)
                os.utime(tmp, ns=(ns, ns))
            os.replace(tmp, path)
        else:
            self.server.write(name, data)
            if mtime:
                ns = self.mtime_ns(mtime, previous)
                os.utime(path, ns=(ns, ns))

    def action(self, kind, s):
        opts = s.opts()
        if kind == "file":
            if not s.args:
                raise CaseError(f"line {s.lineno}: --- file needs a name")
            if "size" in opts:
                n = int(opts["size"])
                data = (b"abcdefghijklmnopqrstuvwxyz" * (n // 26 + 1))[:n]
            else:
                text = self.expand(s.text())
                if opts.get("chomp") and text.endswith("\n"):
                    text = text[:-1]
                data = text.encode()
            self.write(s.args[0], data, opts)
        elif kind == "gzip_file":
            if len(s.args) < 3 or s.args[1] != "from":
                raise CaseError(f"line {s.lineno}: --- gzip_file NAME.gz from NAME")
            with open(self.path(s.args[2]), "rb") as f:
                data = gzip.compress(f.read(), compresslevel=9, mtime=0)
            self.write(s.args[0], data, opts)
        elif kind == "dir":
            os.makedirs(self.path(s.args[0]), exist_ok=True)
            os.chmod(self.path(s.args[0]), 0o755)
        elif kind == "touch":
            path = self.path(s.args[0])
            ns = self.mtime_ns(opts.get("mtime", "now"), os.stat(path).st_mtime_ns)
            os.utime(path, ns=(ns, ns))
        elif kind == "remove":
            os.remove(self.path(s.args[0]))
        elif kind == "set":
            for line in s.text().splitlines():
                if line.strip():
                    var, sep, template = line.partition("=")
                    if not sep:
                        raise CaseError(f"line {s.lineno}: --- set needs 'VAR = TEMPLATE'")
                    self.vars[var.strip()] = self.expand(template.strip())
        elif kind == "sleep":
            time.sleep(float(s.args[0]))
        elif kind == "log_count":
            want = int(s.args[0])
            needle = self.expand(s.text().splitlines()[0] if s.text() else "")
            got = sum(1 for line in self.server.log().splitlines() if needle in line)
            if got != want:
                raise Failure(f"line {s.lineno}: {got} error-log lines contain {needle!r}, "
                              f"expected {want}")

    # ------------------------------------------------------------ requests

    def request(self, step):
        method, path = step["method"], self.expand(step["path"])
        where = f"line {step['lineno']} ({method} {path})"
        headers = []
        for name, value in step["headers"]:
            value = self.expand(value)
            raw = re.sub(r"\\x([0-9A-Fa-f]{2})", lambda m: chr(int(m.group(1), 16)), value)
            headers.append((name, raw.encode("latin-1")))
        conn = None
        if step["conn"] and not self.server.http2:  # over HTTP/2: one curl, one connection
            key = step["conn"]
            conn = self.conns.get(key)
            if conn is None:
                conn = self.server.connection()
                self.conns[key] = conn
            elif conn.sock is None:
                raise Failure(f"{where}: the server closed the keep-alive connection {key!r}")
        try:
            if step["truncated"] and not self.server.http2:
                status, got, body, complete = request_cut_short(self.server, method, path,
                                                                headers, conn)
            else:
                status, got, body = self.server.request(method, path, headers, conn=conn)
                complete = True
        except http.client.IncompleteRead as e:
            raise Failure(f"{where}: the body was cut short ({e}); a --- truncated step "
                          "expects that") from None
        except (http.client.HTTPException, OSError) as e:
            raise Failure(f"{where}: {type(e).__name__}: {e}") from None
        if conn is not None:
            if conn.sock is None:
                sockname = None
            else:
                sockname = conn.sock.getsockname()
            previous = self.socknames.get(step["conn"])
            if previous is not None and sockname is not None and sockname != previous:
                raise Failure(f"{where}: a new connection was opened for {step['conn']!r}")
            if sockname is not None:
                self.socknames[step["conn"]] = sockname

        def show():
            return f"status {status}, headers {got}, body {body[:80]!r}"

        if step["truncated"] and complete:
            raise Failure(f"{where}: the body arrived complete ({len(body)} bytes), expected it "
                          f"cut short (--- truncated); {show()}")
        if step["connection"]:
            state = "closed" if conn.sock is None or peer_closed(conn.sock) else "open"
            if state != step["connection"]:
                raise Failure(f"{where}: the server left the connection {state}, expected "
                              f"{step['connection']} (status {status}, headers {got})")

        if step["status"] is not None and status != step["status"]:
            raise Failure(f"{where}: status {status}, expected {step['status']}; {show()}")
        for rule in step["expect"]:
            if rule.startswith("!"):
                name = rule[1:].strip()
                values = [v for k, v in got if k.lower() == name.lower()]
                if values:
                    raise Failure(f"{where}: {name} should be absent, got {values}; {show()}")
                continue
            name, sep, want = rule.partition(":")
            if not sep:
                raise CaseError(f"{where}: bad response header rule {rule!r}")
            name, want = name.strip(), want.strip()
            values = [v for k, v in got if k.lower() == name.lower()]
            if want.startswith("~"):
                pattern = self.expand(want[1:].strip(), body)
                ok = any(re.fullmatch(pattern, v) for v in values)
            else:
                want = self.expand(want, body)
                ok = want in values
            if not ok:
                raise Failure(f"{where}: {name}: {values or 'absent'}, expected {want!r}; "
                              f"{show()}")
        if step["body"] is not None:
            s = step["body"]
            opts = s.opts()
            if "file" in opts:
                with open(self.path(opts["file"]), "rb") as f:
                    want = f.read()
            else:
                text = self.expand(s.text(), body)
                if opts.get("chomp") and text.endswith("\n"):
                    text = text[:-1]
                want = re.sub(rb"\\x([0-9A-Fa-f]{2})", lambda m: bytes([int(m.group(1), 16)]),
                              text.encode())
            seen = body
            if opts.get("gunzip"):
                try:
                    seen = gzip.decompress(body)
                except (OSError, EOFError) as e:
                    raise Failure(f"{where}: body is not gzip ({e}); {show()}") from None
            if seen != want:
                raise Failure(f"{where}: body {seen[:80]!r}, expected {want[:80]!r}")


def request_cut_short(server, method, path, headers, conn=None):
    """Server.request for a --- truncated step: (status, headers, body, complete), the body
    being every byte that arrived, `complete` whether its framing's end did too. read1 hands
    the bytes over as they come; read() would raise IncompleteRead, whose `partial` leaves out
    the last, unfinished chunk of a chunked body. A cut-short response closes `conn`."""
    own = conn is None
    conn = conn or server.connection()
    try:
        conn, resp = server.send(method, path, headers, conn)
        parts = []
        try:
            while True:
                data = resp.read1(65536)
                if not data:
                    break
                parts.append(data)
            # no more data: Content-Length bytes still missing, or the end (chunked: the last
            # chunk, read; no framing: the close)
            complete = not resp.length
        except http.client.IncompleteRead:  # chunked: closed before the last chunk
            complete = False  # (its `partial` holds no body byte: at most a chunk's CR)
        if complete:
            resp.read()  # finishes the response, so that the connection can take the next
        else:
            conn.close()  # as the server did: a later step on it fails
        return resp.status, resp.getheaders(), b"".join(parts), complete
    finally:
        if own:
            conn.close()


def peer_closed(sock):
    """Whether the server has closed its side of a connection we are not reading from."""
    sock.settimeout(1.0)
    try:
        return sock.recv(1, socket.MSG_PEEK) == b""
    except socket.timeout:
        return False
    except OSError:
        return True
    finally:
        sock.settimeout(10)


def run_block(block, server, items, make_server):
    """Runs a block's items (from prepare) on a server from
    `make_server(config=..., workers=...)`."""
    r = Run(block, server, items)
    config = {level: expand_config(text) for level, text in server["config"].items()}
    r.server = make_server(config=config, workers=server["workers"])
    try:
        if r.server.valgrind:
            # start first: memcheck's start-up (about a second) would otherwise sit between the
            # files a block writes and the request that reads them, and age files the block
            # means to be fresh (racily-clean tags); a server reads files per request only
            r.server.start()
            r.started = True
        for kind, item in r.items:
            if kind == "request":
                if not r.started:
                    r.server.start()
                    r.started = True
                r.request(item)
            else:
                r.action(kind, item)
    finally:
        for conn in r.conns.values():
            conn.close()
        r.server.stop()


def case_files(paths):
    """The *.test files named, or found (sorted) in the folders named."""
    files = []
    for p in paths:
        if os.path.isdir(p):
            files.extend(sorted(os.path.join(p, f) for f in os.listdir(p) if f.endswith(".test")))
        else:
            files.append(p)
    return files


def valgrind_verdict(label, servers, ok):
    """Prints what memcheck found in the block's servers; returns whether the block still
    passes (no error of etagcore's, every log complete)."""
    failures, infos = memcheck.verdict([log for s in servers for log in s.memcheck])
    for line in failures:
        # the first failure makes the block's `not ok` line, the others follow as comments
        print(f"not ok - {label}: valgrind: {line}" if ok else f"#   {label}: valgrind: {line}")
        ok = False
    for line in infos:
        print(f"# info - {label}: valgrind: {line}")
    return ok


def summary_name(server, http2, valgrind):
    """`nginx_cases` as before; `nginx_cases (HTTP/2, valgrind)` for the other ways to run."""
    ways = [w for w, on in (("HTTP/2", http2), ("valgrind", valgrind)) if on]
    return f"{server}_cases" + (f" ({', '.join(ways)})" if ways else "")


def main(argv):
    paths, only, server = [], None, None
    http2 = valgrind = False
    args = list(argv)
    while args:
        a = args.pop(0)
        if a == "-k" and args:
            only = args.pop(0)
        elif a == "--server" and args:
            server = args.pop(0)
        elif a == "--http2":
            http2 = True
        elif a == "--valgrind":
            valgrind = True
        else:
            paths.append(a)
    if server is None or not paths:
        print("usage: run_cases.py --server NAME [--http2] [--valgrind] [-k SUBSTRING] "
              "FILE.test|DIR ...", file=sys.stderr)
        return 2
    backend = harness.backend(server)
    made = []  # the servers of the current block, for their valgrind logs

    def make_server(**kw):
        made.append(backend(http2=http2, valgrind=valgrind, **kw))
        return made[-1]

    passed = failed = skipped = 0
    all_logs = []
    names = set()
    try:
        for path in case_files(paths):
            try:
                blocks = parse(path)
            except (OSError, UnicodeDecodeError) as e:
                print(f"not ok - {os.path.basename(path)}: cannot read: {e}")
                failed += 1
                continue
            if not blocks:
                print(f"not ok - {os.path.basename(path)}: no test blocks")
                failed += 1
                continue
            for block in blocks:
                label = f"{os.path.basename(path)[:-5]}: {block.name}"
                if only and only not in label:
                    continue
                if label in names:
                    print(f"not ok - {label}: duplicate test name")
                    failed += 1
                    continue
                names.add(label)
                made.clear()
                ok = False
                try:
                    settings, items, note = prepare(block, backend.name, http2)
                    if note:
                        print(f"# note - {label}: {note}")
                    run_block(block, settings, items, make_server)
                    ok = True
                except Skip as e:
                    print(f"skip - {label}: {e}", flush=True)
                    skipped += 1
                    continue
                except Failure as e:
                    print(f"not ok - {label}: {e}")
                except CaseError as e:
                    print(f"not ok - {label}: malformed test: {e}")
                except Exception as e:  # a harness or server start-up problem: report, carry on
                    detail = traceback.format_exception_only(type(e), e)[-1].strip()
                    print(f"not ok - {label}: error: {detail}")
                if valgrind:
                    all_logs.extend(log for s in made for log in s.memcheck)
                    passing = valgrind_verdict(label, made, ok)
                else:
                    passing = ok
                if passing:
                    print(f"ok - {label}")
                passed += passing
                failed += not passing
                sys.stdout.flush()
    finally:
        for app in APPS.values():
            app.stop()  # the app backends of {app}..., those a block started
    name = summary_name(server, http2, valgrind)
    if valgrind:
        logs, ours, other = memcheck.counts(all_logs)
        print(f"{name} valgrind: {logs} logs, {ours} errors in etagcore, {other} other errors")
    print(f"{name}: {passed} passed, {failed} failed, {skipped} skipped")
    return 1 if failed or not passed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
