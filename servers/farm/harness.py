"""Real servers for the module tests, the vectors, the farm demo and the load test.

`Server` is what every backend shares: its own prefix folder (world-readable: nginx and Apache
workers run as an unprivileged user), a docroot, a free port on 127.0.0.1, a foreground master
process stopped by the PID it wrote, plain HTTP/1.1 requests. A backend (`nginx_server.Nginx`,
`apache_server.Apache`) only says how to write its configuration, how to start it, what its stock
ETag is and which signal stops it. `backend(name)` finds one by name. Python's standard library
only.

Two ways to run the same server differently, chosen per Server: `http2=True` (the backend listens
for HTTP/2 over cleartext and every request goes through `curl --http2-prior-knowledge`), and
`valgrind=True` (the backend runs one process under memcheck; `stop()` then scans its logs into
`self.memcheck`, see memcheck.py).
"""
import ctypes
import http.client
import importlib
import os
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import time

import memcheck

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
# libetagcore.so for content_tag(): `make ffi` puts it here; ETAGCORE_LIB names another copy.
LIBETAGCORE = os.environ.get("ETAGCORE_LIB") or os.path.join(ROOT, "target", "ffi", "lib",
                                                             "libetagcore.so")
CURL = shutil.which("curl") or "curl"
# name -> "module.Class", imported on demand so that one backend's absence never breaks another.
BACKENDS = {"nginx": "nginx_server.Nginx", "apache": "apache_server.Apache"}


def backend(name):
    """The Server subclass registered as `name`."""
    if name not in BACKENDS:
        raise SystemExit(f"unknown server {name!r}; known: {', '.join(sorted(BACKENDS))}")
    module, cls = BACKENDS[name].rsplit(".", 1)
    return getattr(importlib.import_module(module), cls)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


_lib = None


def content_tag(data, weak=False):
    """The content ETag of `data`, computed by libetagcore through its C ABI."""
    global _lib
    if _lib is None:
        _lib = ctypes.CDLL(LIBETAGCORE)
    out = ctypes.create_string_buffer(64)
    n = ctypes.c_size_t(0)
    rc = _lib.etagcore_content_tag_compute(data, ctypes.c_size_t(len(data)),
                                           ctypes.c_uint8(1 if weak else 0), out,
                                           ctypes.c_size_t(64), ctypes.byref(n))
    if rc != 0:
        raise RuntimeError(f"etagcore_content_tag_compute returned {rc}")
    return out.raw[: n.value].decode()


def header(headers, name):
    """The value of the first header `name` (case-insensitive), or None."""
    for k, v in headers:
        if k.lower() == name.lower():
            return v
    return None


def curl_header(name, value):
    """One `--header` argument for curl (bytes: values may hold any byte but NUL). curl drops a
    header given as `Name:` with nothing after it, and sends `Name;` as an empty value; a value of
    whitespace alone is empty too once a server strips the field's OWS."""
    if not value.strip(b" \t"):
        return name.encode() + b";"
    return name.encode() + b": " + value


def parse_curl_head(text):
    """(status, [(name, value)]) from curl's --dump-header output: the last response head (an
    interim 1xx would come first), names as sent (lowercase over HTTP/2)."""
    heads = [h for h in re.split(r"\r?\n\r?\n", text) if h.startswith("HTTP/")]
    if not heads:
        raise ConnectionError(f"curl printed no response head: {text[:200]!r}")
    lines = heads[-1].splitlines()
    status = int(lines[0].split()[1])
    headers = []
    for line in lines[1:]:
        name, sep, value = line.partition(":")
        if sep:
            headers.append((name, value.strip()))
    return status, headers


def curl_request(port, method, path, headers, timeout):
    """One HTTP/2 request over cleartext (h2c, prior knowledge) by curl, as
    (status, headers, body) like Server.request. One curl, one connection: HTTP/2 has no
    keep-alive to test across curl processes."""
    with tempfile.NamedTemporaryFile(prefix="etagcore-curl-") as body_file:
        cmd = [CURL, "--http2-prior-knowledge", "--silent", "--show-error",
               "--globoff", "--path-as-is",  # the path as the case wrote it
               "--max-time", str(timeout), "--dump-header", "-", "--output", body_file.name,
               # curl's default Accept and User-Agent: http.client sends neither
               "--header", "Accept:", "--header", "User-Agent:"]
        # --head, not --request HEAD: curl then expects no body (it would wait for one)
        cmd += ["--head"] if method == "HEAD" else ["--request", method]
        for name, value in headers:
            cmd += ["--header", curl_header(name, value)]
        cmd.append(f"http://127.0.0.1:{port}{path}")
        run = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        if run.returncode != 0:
            raise ConnectionError(f"curl exit {run.returncode}: "
                                  + run.stderr.decode(errors="replace").strip())
        status, got = parse_curl_head(run.stdout.decode("latin-1"))
        # with --head curl writes the head into --output: a HEAD has no body, as in http.client
        body = b"" if method == "HEAD" else body_file.read()
    return status, got, body


class Server:
    """One server master on 127.0.0.1:port. Subclasses define `name`, `config_text()`,
    `command()`, `pidfile`, `stock_etag(path)`, and may change `start_timeout` and
    `stop_signal`."""

    name = "?"
    start_timeout = 10
    # What stop() sends the master: nginx stops gracefully on SIGQUIT (its workers finish their
    # requests, and under valgrind the one process writes its ERROR SUMMARY); SIGQUIT would kill
    # Apache outright, whose stop is SIGTERM.
    stop_signal = signal.SIGQUIT
    # Timeouts under memcheck: nginx starts in about a second there (0.1 s without) and a first
    # request takes a few hundred milliseconds; six times the plain ones leaves room on a busy
    # two-core machine.
    VALGRIND_SLOWDOWN = 6

    def __init__(self, config=None, module=True, workers=1, docroot=None, http2=False,
                 valgrind=False):
        """`config` maps a level (the backend's own names; None is its default level) to
        directives. `module`: load the etagcore module. `docroot`: serve this folder.
        `http2`: listen for HTTP/2 over cleartext, send requests with curl. `valgrind`: run
        one process under memcheck (the backend's `command()` puts valgrind first)."""
        self.http2 = http2
        self.valgrind = valgrind
        self.memcheck = []  # the memcheck.Log of each valgrind log, filled by stop()
        self.config = dict(config or {})
        self.module = module
        self.workers = workers
        self.prefix = tempfile.mkdtemp(prefix=f"etagcore-{self.name}-")
        os.chmod(self.prefix, 0o755)
        self.docroot = docroot or os.path.join(self.prefix, "html")
        os.makedirs(self.docroot, exist_ok=True)
        os.makedirs(os.path.join(self.prefix, "logs"))
        self.port = free_port()
        self.pid = None
        self.proc = None

    # ---------------------------------------------------------------- backend hooks

    def config_text(self):
        raise NotImplementedError

    def command(self):
        raise NotImplementedError

    @property
    def pidfile(self):
        raise NotImplementedError

    def stock_etag(self, path):
        """The ETag the server itself would give the file at `path`."""
        raise NotImplementedError

    def error_log(self):
        return os.path.join(self.prefix, "logs", "error.log")

    def timeout(self, seconds):
        """`seconds` for a plain run, longer under valgrind."""
        return seconds * (self.VALGRIND_SLOWDOWN if self.valgrind else 1)

    # ---------------------------------------------------------------- shared

    def level(self, name=None):
        """The directives for one config level, with {docroot} expanded."""
        return self.config.get(name, "").replace("{docroot}", self.docroot)

    def write(self, name, data, mtime=None):
        path = os.path.join(self.docroot, name)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as f:
            f.write(data)
        if mtime is not None:
            os.utime(path, (mtime, mtime))
        os.chmod(path, 0o644)
        return path

    def start(self):
        with open(os.path.join(self.prefix, f"{self.name}.conf"), "w") as f:
            f.write(self.config_text())
        for d, _, _ in os.walk(self.prefix):
            os.chmod(d, 0o755)
        # a session of its own: Apache's prefork stops its children with kill(-pgrp), which
        # would take the test (and make) down with them in a shared process group
        self.proc = subprocess.Popen(self.command(), stdout=subprocess.DEVNULL,
                                     stderr=subprocess.PIPE, start_new_session=True)
        deadline = time.time() + self.timeout(self.start_timeout)
        while time.time() < deadline:
            if self.proc.poll() is not None:
                # nginx says why in its error log (`-e`), not on stderr: show both
                why = self.proc.stderr.read().decode(errors="replace").strip()
                raise RuntimeError(f"{self.name} failed to start (exit {self.proc.returncode}): "
                                   f"{why} {self.log()[-300:].strip()}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2):
                    pass
                # the master writes its pid file before it listens, but maybe not in one write
                text = open(self.pidfile).read().strip() if os.path.exists(self.pidfile) else ""
                if text.isdigit() and int(text) == self.proc.pid:
                    self.pid = self.proc.pid
                    return self
            except OSError:
                pass
            time.sleep(0.05)
        self.stop()
        raise RuntimeError(f"{self.name} did not start listening in time")

    def stop(self):
        """Stops the master by the PID it wrote (`stop_signal`), or, when it never wrote one, the
        process we spawned; then removes the prefix, after reading any valgrind logs in it."""
        pid = self.pid
        if pid is None and self.proc is not None and self.proc.poll() is None:
            pid = self.proc.pid
        if pid is not None:
            os.kill(pid, self.stop_signal)
            try:
                self.wait_exit(self.timeout(10))
            except subprocess.TimeoutExpired:
                os.kill(pid, signal.SIGKILL)
                self.proc.wait()
        self.pid = None
        if self.valgrind:
            self.memcheck = memcheck.scan(self.prefix)
        shutil.rmtree(self.prefix, ignore_errors=True)

    def wait_exit(self, timeout):
        """Waits for the process to exit after its stop signal. Under valgrind the signal's
        handler runs but the process may still enter its blocking epoll_wait (memcheck can take
        the signal just before the call instead of interrupting it), and sleep there until its
        next event: a connection to its port is one."""
        if not self.valgrind:
            self.proc.wait(timeout=timeout)
            return
        deadline = time.time() + timeout
        while True:
            try:
                self.proc.wait(timeout=0.5)
                return
            except subprocess.TimeoutExpired:
                if time.time() >= deadline:
                    raise
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
            except OSError:
                pass  # no longer listening: exiting anyway

    def log(self):
        try:
            with open(self.error_log(), errors="replace") as f:
                return f.read()
        except FileNotFoundError:
            return ""

    def worker_pids(self):
        """The children of our master process."""
        pids = []
        for pid in os.listdir("/proc"):
            if pid.isdigit():
                try:
                    if int(open(f"/proc/{pid}/stat").read().split()[3]) == self.pid:
                        pids.append(int(pid))
                except (OSError, IndexError, ValueError):
                    pass
        return sorted(pids)

    def worker_rss_kb(self):
        """Resident memory of the worker processes, in KiB."""
        total = 0
        for pid in self.worker_pids():
            try:
                for line in open(f"/proc/{pid}/status"):
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1])
            except OSError:
                pass
        return total

    def request(self, method, path, headers=(), conn=None):
        """(status, headers as a list of (name, value), body). Headers may repeat a name.
        Over HTTP/2 (`self.http2`) there is no `conn` to share: curl opens one per request."""
        if self.http2:
            if conn is not None:
                raise ValueError("no shared connection over HTTP/2 (one curl per request)")
            return curl_request(self.port, method, path, headers, self.timeout(10))
        own = conn is None
        conn, resp = self.send(method, path, headers, conn)
        body = resp.read()
        result = (resp.status, resp.getheaders(), body)
        if own:
            conn.close()
        return result

    def send(self, method, path, headers=(), conn=None):
        """One HTTP/1.1 request on `conn` (a new connection when None), its body not read:
        (connection, http.client response)."""
        conn = conn or self.connection()
        conn.putrequest(method, path, skip_accept_encoding=True)
        for name, value in headers:
            conn.putheader(name, value)
        conn.endheaders()
        return conn, conn.getresponse()

    def connection(self):
        """A new HTTP/1.1 connection to the server (not connected yet)."""
        return http.client.HTTPConnection("127.0.0.1", self.port, timeout=self.timeout(10))

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()
