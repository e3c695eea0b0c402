"""Rust origins for the farm demo and the load test: crates/http's `serve_dir` example.

`ServeDirOrigin` is one `serve_dir` process on 127.0.0.1 serving its own docroot, with content
tags (ContentServeDir under CompressionLayer and PreconditionLayer) or, with `stock=True`,
plain tower-http ServeDir under the same CompressionLayer. It has what the farm needs of an
origin (`write`, `start`, `stop`, `port`, `request`), shares `harness.Server`'s prefix, docroot,
port and requests, and differs in how it starts and stops: `serve_dir` writes no pid file, so
the PID is the one `Popen` gave, and it is stopped by that PID (SIGTERM, SIGKILL after 10 s).

The binary comes from $ETAGCORE_SERVE_DIR (`make` builds target/release/examples/serve_dir);
`available()` says whether it is set. Python's standard library only.
"""
import os
import signal
import socket
import subprocess
import time

from harness import Server

SERVE_DIR = os.environ.get("ETAGCORE_SERVE_DIR")


def available():
    """Whether $ETAGCORE_SERVE_DIR names an executable."""
    return bool(SERVE_DIR) and os.access(SERVE_DIR, os.X_OK)


def missing_note():
    if not SERVE_DIR:
        return "ETAGCORE_SERVE_DIR is not set (cargo build --release -p etagcore-http --example serve_dir)"
    return f"ETAGCORE_SERVE_DIR={SERVE_DIR} is not an executable"


class ServeDirOrigin(Server):
    name = "serve_dir"
    start_timeout = 20

    def __init__(self, stock=False, manifest=None):
        super().__init__(module=not stock)
        self.stock = stock
        self.manifest = manifest

    def command(self):
        cmd = [SERVE_DIR, "--root", self.docroot, "--listen", f"127.0.0.1:{self.port}"]
        if self.stock:
            cmd.append("--stock")
        if self.manifest:
            cmd += ["--manifest", self.manifest]
        return cmd

    def start(self):
        self.proc = subprocess.Popen(self.command(), stdout=subprocess.DEVNULL,
                                     stderr=subprocess.PIPE)
        deadline = time.time() + self.start_timeout
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError("serve_dir failed to start: "
                                   + self.proc.stderr.read().decode(errors="replace"))
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2):
                    self.pid = self.proc.pid
                    return self
            except OSError:
                time.sleep(0.05)
        self.stop()
        raise RuntimeError("serve_dir did not start listening in time")

    def stop(self):
        """Stops the process by the PID it was started with, then removes the prefix."""
        if self.proc is not None and self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.kill(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
        if self.proc is not None and self.proc.stderr:
            self.proc.stderr.close()
        self.pid = None
        self.proc = None
        super().stop()  # nothing left to signal: removes the prefix

    def stock_etag(self, path):
        """tower-http ServeDir's metadata tag: "<mtime secs hex>.<nanos 08x>-<size hex>"."""
        st = os.stat(path)
        return '"%x.%08x-%x"' % (st.st_mtime_ns // 10**9, st.st_mtime_ns % 10**9, st.st_size)
