"""Starts and stops real nginx servers for the module's tests, the farm demo and the load test.

Each server gets its own prefix folder (world-readable: workers run as nobody), listens on
127.0.0.1 only, runs in the foreground of its own master process, and is stopped by the PID it
wrote. Python's standard library only.
"""
import ctypes
import http.client
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
MODULE = os.path.join(ROOT, "target", "nginx", "ngx_http_content_etag_module.so")
LIBETAGCORE = os.path.join(ROOT, "target", "ffi", "lib", "libetagcore.so")
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def content_tag(data, weak=False):
    """The content ETag of `data`, computed by libetagcore through its C ABI."""
    lib = ctypes.CDLL(LIBETAGCORE)
    out = ctypes.create_string_buffer(64)
    n = ctypes.c_size_t(0)
    rc = lib.etagcore_content_tag_compute(data, ctypes.c_size_t(len(data)), ctypes.c_bool(weak),
                                          out, ctypes.c_size_t(64), ctypes.byref(n))
    assert rc == 0, rc
    return out.raw[: n.value].decode()


class Nginx:
    """One nginx master on 127.0.0.1:port with `server_conf` inside its server block."""

    def __init__(self, server_conf, http_conf="", module=True, workers=1, docroot=None):
        self.prefix = tempfile.mkdtemp(prefix="etagcore-nginx-")
        os.chmod(self.prefix, 0o755)
        self.docroot = docroot or os.path.join(self.prefix, "html")
        os.makedirs(self.docroot, exist_ok=True)
        os.makedirs(os.path.join(self.prefix, "logs"))
        self.port = free_port()
        self.pid = None
        load = f"load_module {MODULE};" if module else ""
        self.conf = os.path.join(self.prefix, "nginx.conf")
        with open(self.conf, "w") as f:
            f.write(f"""{load}
daemon off;
master_process on;
worker_processes {workers};
pid {self.prefix}/nginx.pid;
error_log {self.prefix}/logs/error.log info;
events {{ worker_connections 1024; }}
http {{
    access_log off;
    default_type application/octet-stream;
    types {{ text/plain txt; text/html html; application/javascript js; text/css css; }}
    client_body_temp_path {self.prefix}/body;
    proxy_temp_path {self.prefix}/proxy;
    fastcgi_temp_path {self.prefix}/fastcgi;
    uwsgi_temp_path {self.prefix}/uwsgi;
    scgi_temp_path {self.prefix}/scgi;
    {http_conf}
    server {{
        listen 127.0.0.1:{self.port};
        root {self.docroot};
        {server_conf}
    }}
}}
""")

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
        for d, _, files in os.walk(self.prefix):
            os.chmod(d, 0o755)
        self.proc = subprocess.Popen([NGINX, "-p", self.prefix, "-c", self.conf, "-e",
                                      os.path.join(self.prefix, "logs", "error.log")],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        pidfile = os.path.join(self.prefix, "nginx.pid")
        deadline = time.time() + 10
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError("nginx failed to start: " + self.proc.stderr.read().decode())
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2):
                    pass
                # the master writes its pid file before it listens, but maybe not in one write
                text = open(pidfile).read().strip() if os.path.exists(pidfile) else ""
                if text.isdigit() and int(text) == self.proc.pid:
                    self.pid = self.proc.pid
                    return self
            except OSError:
                pass
            time.sleep(0.05)
        self.proc.kill()  # the process we started, by its pid
        self.proc.wait()
        raise RuntimeError("nginx did not start listening in time")

    def stop(self):
        """Stops the master by the PID it wrote (QUIT: graceful), then cleans up."""
        if self.pid:
            os.kill(self.pid, signal.SIGQUIT)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.kill(self.pid, signal.SIGKILL)
                self.proc.wait()
            self.pid = None
        shutil.rmtree(self.prefix, ignore_errors=True)

    def log(self):
        with open(os.path.join(self.prefix, "logs", "error.log"), errors="replace") as f:
            return f.read()

    def worker_rss_kb(self):
        """Resident memory of the worker processes (children of our master), in KiB."""
        total = 0
        for pid in os.listdir("/proc"):
            if pid.isdigit():
                try:
                    stat = open(f"/proc/{pid}/stat").read().split()
                    if int(stat[3]) == self.pid:
                        for line in open(f"/proc/{pid}/status"):
                            if line.startswith("VmRSS:"):
                                total += int(line.split()[1])
                except (OSError, IndexError, ValueError):
                    pass
        return total

    def request(self, method, path, headers=(), conn=None):
        """(status, headers as a list of (name, value), body). Headers may repeat a name."""
        own = conn is None
        conn = conn or http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        conn.putrequest(method, path, skip_accept_encoding=True)
        for name, value in headers:
            conn.putheader(name, value)
        conn.endheaders()
        resp = conn.getresponse()
        body = resp.read()
        result = (resp.status, resp.getheaders(), body)
        if own:
            conn.close()
        return result

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()


def header(headers, name):
    """The value of the first header `name` (case-insensitive), or None."""
    for k, v in headers:
        if k.lower() == name.lower():
            return v
    return None
