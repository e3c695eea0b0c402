#!/usr/bin/env python3
"""The module's shared tag cache and thread pool on real nginx: what the case format cannot say
(several workers, concurrent clients, a reload, a zone under eviction, a worker killed
mid-hash, symlinks, named thread pools), with xxh128sum as the independent oracle for the tag.

Usage: python3 servers/nginx/cache_test.py     prints ok / not ok per check, exits 1 on failure.
"""
import os
import signal
import sys
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "farm"))
from cachecheck import (check, concurrent_gets, failures, hasher_lines, hashed_lines,  # noqa: E402
                        kill_hasher, xxh128_tag)
from harness import header  # noqa: E402
from nginx_server import Nginx  # noqa: E402

OLD_MTIME = 1445412480
# tags of files changed within 2 s of their read are not cached (racily clean)
AGE = 2.1


class MainNginx(Nginx):
    """nginx with directives in the main (top-level) context too."""

    def __init__(self, main_conf, **kw):
        super().__init__(**kw)
        self.main_conf = main_conf

    def config_text(self):
        return self.main_conf + "\n" + super().config_text()


def test_hash_once_per_host():
    """Two workers, 24 clients at once on a cold 32 MiB file: one hash; a reload keeps it."""
    with Nginx("content_etag on;", http_conf="content_etag_zone tags:1m;", workers=2) as n:
        block = os.urandom(1 << 20)
        path = n.write("big.bin", block * 32, mtime=OLD_MTIME)
        time.sleep(AGE)
        want = xxh128_tag(path)
        results = concurrent_gets(n, "/big.bin", 24)
        check(all(r and r[0] == 200 and r[1] == want for r in results),
              "24 concurrent clients, 2 workers: every response has the xxh128sum tag",
              f"{results} want {want}")
        check(all(r[2] == (32 << 20) for r in results if r and r[3] == "GET"),
              "the GET bodies are whole")
        check(hashed_lines(n) == 1, "the file was hashed once for the host",
              f"{hashed_lines(n)} hashed lines")

        old = set(n.worker_pids())
        os.kill(n.pid, signal.SIGHUP)
        deadline = time.time() + 10
        while time.time() < deadline and (set(n.worker_pids()) & old
                                          or len(n.worker_pids()) != 2):
            time.sleep(0.1)
        status, headers, _ = n.request("HEAD", "/big.bin")
        check(status == 200 and header(headers, "ETag") == want and hashed_lines(n) == 1,
              "after nginx -s reload (SIGHUP) the new workers find the tag in the zone",
              f"{status} {header(headers, 'ETag')} {hashed_lines(n)} hashed lines")


def test_eviction():
    """A 32 KiB zone and 300 files: tags stay right, the oldest are evicted, no warning."""
    with Nginx("content_etag on;", http_conf="content_etag_zone small:32k;") as n:
        paths = [n.write(f"f{i}.txt", b"file %d\n" % i, mtime=OLD_MTIME) for i in range(300)]
        time.sleep(AGE)
        pids = n.worker_pids()
        wrong = []
        for _ in range(2):
            for i, p in enumerate(paths):
                status, headers, _ = n.request("GET", f"/f{i}.txt")
                if status != 200 or header(headers, "ETag") != xxh128_tag(p):
                    wrong.append((i, status))
        hashed = hashed_lines(n)
        check(not wrong, "300 files through a 32k zone: every tag is the xxh128sum tag",
              str(wrong[:5]))
        check(300 < hashed <= 600, "the zone evicted the least recently used tags",
              f"{hashed} hashed lines for 600 requests")
        check("is full" not in n.log() and n.worker_pids() == pids,
              "no 'zone is full' warning, the same worker")


def test_owner_killed():
    """The worker hashing a file is killed mid-hash: a worker takes the claim over (the claim
    names its process) instead of polling the zone for it forever."""
    with Nginx("content_etag on; directio 4k;", workers=2) as n:
        path = n.write("big.bin", os.urandom(1 << 20) * 512, mtime=OLD_MTIME)
        time.sleep(AGE)
        victim, status, headers, seconds = kill_hasher(n, path, "/big.bin")
        hashers = hasher_lines(n)
        check(victim is not None and status == 200
              and header(headers, "ETag") == xxh128_tag(path) and seconds < 30
              and len(hashers) == 1 and f" {victim}#" not in hashers[0],
              "a worker killed while it hashes: another takes the hash over",
              f"victim {victim}, {status} {header(headers, 'ETag')}, {hashers}")


def test_changed_while_hashed():
    """A file rewritten, or removed, while its cold hash runs: never its old strong tag."""
    for action in ("append", "remove"):
        with Nginx("content_etag on; directio 4k;") as n:
            path = n.write("big.bin", os.urandom(1 << 20) * 512, mtime=OLD_MTIME)
            time.sleep(AGE)

            def change():
                time.sleep(0.05)
                if action == "append":
                    with open(path, "ab") as f:
                        f.write(b"more")
                else:
                    os.unlink(path)

            t = threading.Thread(target=change)
            t.start()
            status, headers, _ = n.request("HEAD", "/big.bin")
            t.join()
            etag = header(headers, "ETag") or ""
            check(status == 200 and etag.startswith("W/")
                  and "changed while hashed" in n.log(),
                  f"a file changed ({action}) during its hash gets a weak tag, logged at info",
                  f"{status} {etag} {n.log()[-300:]!r}")


def test_symlinks():
    with Nginx("content_etag on;\nlocation /off/ { disable_symlinks off; }\n"
               "location /on/ { disable_symlinks on; }") as n:
        for d in ("off", "on"):
            real = n.write(f"{d}/real.txt", b"the target\n", mtime=OLD_MTIME)
            os.symlink(real, os.path.join(n.docroot, d, "link.txt"))
        status, headers, body = n.request("GET", "/off/link.txt")
        check(status == 200 and header(headers, "ETag") == xxh128_tag(real)
              and body == b"the target\n",
              "disable_symlinks off: a symlink gets its target's content tag",
              f"{status} {header(headers, 'ETag')}")
        status, headers, _ = n.request("GET", "/on/link.txt")
        check(status == 403 and header(headers, "ETag") is None,
              "disable_symlinks on: nginx refuses the symlink (403), no tag",
              f"{status} {header(headers, 'ETag')}")


def test_unreadable():
    with Nginx("content_etag on;") as n:
        path = n.write("secret.txt", b"secret\n", mtime=OLD_MTIME)
        os.chmod(path, 0)
        status, headers, _ = n.request("GET", "/secret.txt")
        check(status == 403 and header(headers, "ETag") is None,
              "a file the workers cannot read: nginx's own 403, no tag",
              f"{status} {header(headers, 'ETag')}")


def test_thread_pools():
    with MainNginx("thread_pool etag threads=2;",
                   server_conf="content_etag on; content_etag_thread_pool etag;") as n:
        path = n.write("a.txt", b"hello, farm\n", mtime=OLD_MTIME)
        status, headers, _ = n.request("GET", "/a.txt")
        check(status == 200 and header(headers, "ETag") == xxh128_tag(path),
              "content_etag_thread_pool NAME: a pool of the main context hashes",
              f"{status} {header(headers, 'ETag')}")
    n = MainNginx("", server_conf="content_etag on; content_etag_thread_pool nosuch;")
    try:
        n.start()
        n.stop()
        check(False, "an unknown thread pool is refused at start", "nginx started")
    except RuntimeError as e:
        check('unknown thread pool "nosuch"' in str(e),
              "an unknown thread pool is refused at start", str(e)[:200])


def main():
    for test in (test_hash_once_per_host, test_eviction, test_owner_killed,
                 test_changed_while_hashed,
                 test_symlinks, test_unreadable, test_thread_pools):
        test()
    print(f"cache_test: {'FAIL' if failures else 'PASS'}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
