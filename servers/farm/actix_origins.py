"""actix-web origins for the farm demo and the load test: crates/actix's serve_dir example.

`ActixOrigin` is one `actix_serve_dir` process on 127.0.0.1 serving its own docroot, with
content tags (TaggedFiles and its TagCache under Compress and Preconditions) or, with
`stock=True`, plain actix-files `Files` under the same Compress. It is rust_origins'
`ServeDirOrigin` (started by Popen, ready when its port accepts, stopped by that PID) with
another command line and another stock ETag.

The binary comes from $ETAGCORE_ACTIX_SERVE_DIR (`cargo build --release -p etagcore-actix
--example actix_serve_dir` builds target/release/examples/actix_serve_dir); `available()` says
whether it is set. Python's standard library only.
"""
import os

from rust_origins import ServeDirOrigin

ACTIX_SERVE_DIR = os.environ.get("ETAGCORE_ACTIX_SERVE_DIR")


def available():
    """Whether $ETAGCORE_ACTIX_SERVE_DIR names an executable."""
    return bool(ACTIX_SERVE_DIR) and os.access(ACTIX_SERVE_DIR, os.X_OK)


def missing_note():
    if not ACTIX_SERVE_DIR:
        return ("ETAGCORE_ACTIX_SERVE_DIR is not set "
                "(cargo build --release -p etagcore-actix --example actix_serve_dir)")
    return f"ETAGCORE_ACTIX_SERVE_DIR={ACTIX_SERVE_DIR} is not an executable"


class ActixOrigin(ServeDirOrigin):
    name = "actix_serve_dir"

    def __init__(self, stock=False, workers=1):
        super().__init__(stock=stock)
        self.workers = workers

    def command(self):
        cmd = [ACTIX_SERVE_DIR, "--root", self.docroot, "--listen", f"127.0.0.1:{self.port}",
               "--workers", str(self.workers)]
        if self.stock:
            cmd.append("--stock")
        return cmd

    def stock_etag(self, path):
        """actix-files' tag: "<ino>:<len>:<mtime secs>:<nanos>" in lowercase hex."""
        st = os.stat(path)
        return '"%x:%x:%x:%x"' % (st.st_ino, st.st_size, st.st_mtime_ns // 10**9,
                                  st.st_mtime_ns % 10**9)
