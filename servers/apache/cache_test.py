#!/usr/bin/env python3
"""mod_content_etag's tag caches on a real Apache: what the case format cannot say (several
children and threads, event and prefork, concurrent clients, caches under eviction, a file
changed while it is hashed, bad directive values), with xxh128sum as the independent oracle for
the tag.

Usage: python3 servers/apache/cache_test.py     prints ok / not ok per check, exits 1 on failure.
"""
import os
import subprocess
import sys
import threading
import time

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "farm"))
from cachecheck import (check, concurrent_gets, failures, hasher_lines, hashed_lines,  # noqa: E402
                        kill_hasher, xxh128_tag)
from harness import header  # noqa: E402
from apache_server import Apache  # noqa: E402

OLD_MTIME = 1445412480
# tags of files changed (mtime or ctime) within 2 s of their read are not cached (racily clean)
AGE = 2.1


def test_hash_once_per_host():
    """12 clients at once on a cold 64 MiB file: one hash for the host, the other threads and
    children wait for it; under event (threads) and prefork (one request per child)."""
    for children, mpm in ((1, "event"), (2, "event"), (3, "prefork")):
        with Apache("ContentETag On", workers=children, mpm=mpm) as a:
            path = a.write("big.bin", os.urandom(1 << 20) * 64, mtime=OLD_MTIME)
            time.sleep(AGE)
            want = xxh128_tag(path)
            results = concurrent_gets(a, "/big.bin", 12)
            check(all(r and r[0] == 200 and r[1] == want for r in results),
                  f"12 concurrent clients, {children} {mpm} child(ren): every response has "
                  "the xxh128sum tag", f"{results} want {want}")
            check(all(r[2] == (64 << 20) for r in results if r and r[3] == "GET"),
                  "the GET bodies are whole")
            check(hashed_lines(a) == 1, "the file was hashed once for the host",
                  f"{hashed_lines(a)} hashed lines")


def test_eviction():
    """ContentETagCacheEntries 16 and 100 files: tags stay right, the oldest are evicted."""
    with Apache("ContentETag On\nContentETagCacheEntries 16") as a:
        paths = [a.write(f"f{i}.txt", b"file %d\n" % i, mtime=OLD_MTIME) for i in range(100)]
        time.sleep(AGE)
        pids = a.worker_pids()
        wrong = []
        for _ in range(2):
            for i, p in enumerate(paths):
                status, headers, _ = a.request("GET", f"/f{i}.txt")
                if status != 200 or header(headers, "ETag") != xxh128_tag(p):
                    wrong.append((i, status))
        check(not wrong, "100 files through 16 entries: every tag is the xxh128sum tag",
              str(wrong[:5]))
        hashed = hashed_lines(a)
        check(100 < hashed <= 200, "the caches evicted tags (a cyclic scan of 100 files "
              "through 16 entries misses in the child's LRU every time, and in the host's "
              "windowed table mostly)", f"{hashed} hashed")
        status, headers, _ = a.request("GET", "/f99.txt")
        check(hashed_lines(a) == hashed and header(headers, "ETag") == xxh128_tag(paths[99]),
              "the most recently used tag is still cached", f"{hashed_lines(a)} hashed")
        check(a.worker_pids() == pids, "the same children")




def test_owner_killed():
    """The child hashing a file is killed mid-hash: another child takes the claim over (the
    claim names its process) instead of waiting for it forever."""
    with Apache("ContentETag On", workers=2, mpm="prefork") as a:
        path = a.write("big.bin", os.urandom(1 << 20) * 512, mtime=OLD_MTIME)
        time.sleep(AGE)
        subprocess.run(["sh", "-c", "echo 3 > /proc/sys/vm/drop_caches"],
                       stderr=subprocess.DEVNULL)
        victim, status, headers, seconds = kill_hasher(a, path, "/big.bin")
        hashers = hasher_lines(a)
        check(victim is not None and status == 200
              and header(headers, "ETag") == xxh128_tag(path) and seconds < 30
              and len(hashers) == 1 and f"[pid {victim}:" not in hashers[0],
              "a child killed while it hashes: the next request takes the hash over",
              f"victim {victim}, {status} {header(headers, 'ETag')}, {hashers}")


def test_changed_while_hashed():
    """A file appended to, or removed, while its cold hash runs: never its old strong tag."""
    for action in ("append", "remove"):
        with Apache("ContentETag On") as a:
            path = a.write("big.bin", os.urandom(1 << 20) * 512, mtime=OLD_MTIME)
            time.sleep(AGE)
            subprocess.run(["sh", "-c", "echo 3 > /proc/sys/vm/drop_caches"],
                           stderr=subprocess.DEVNULL)  # a cold read: a longer hash

            def change():
                time.sleep(0.05)
                if action == "append":
                    with open(path, "ab") as f:
                        f.write(b"more")
                else:
                    os.unlink(path)

            t = threading.Thread(target=change)
            t.start()
            status, headers, _ = a.request("HEAD", "/big.bin")
            t.join()
            etag = header(headers, "ETag") or ""
            check(status == 200 and etag.startswith("W/") and "while hashed" in a.log(),
                  f"a file changed ({action}) during its hash gets a weak tag, logged at info",
                  f"{status} {etag} {a.log()[-300:]!r}")


def test_unreadable():
    with Apache("ContentETag On") as a:
        path = a.write("secret.txt", b"secret\n", mtime=OLD_MTIME)
        os.chmod(path, 0)
        status, headers, _ = a.request("GET", "/secret.txt")
        check(status == 403 and header(headers, "ETag") is None
              and "permissions deny" in a.log(),
              "a file the children cannot read: Apache's 403, logged, no tag",
              f"{status} {header(headers, 'ETag')}")


def test_bad_directives():
    for conf, why in (("ContentETagCacheEntries 0", "from 1 to"),
                      ("ContentETagCacheEntries 12abc", "from 1 to"),
                      ("ContentETag maybe", "must be On or Off"),
                      ("<Directory /tmp>\nContentETagCacheEntries 5\n</Directory>",
                       "not allowed")):
        a = Apache(conf)
        try:
            a.start()
            a.stop()
            check(False, f"{' '.join(conf.split())!r} is refused at start", "Apache started")
        except RuntimeError as e:
            check(why in str(e), f"{' '.join(conf.split())!r} is refused at start",
                  str(e)[:300])


def main():
    for test in (test_hash_once_per_host, test_eviction, test_owner_killed,
                 test_changed_while_hashed,
                 test_unreadable, test_bad_directives):
        test()
    print(f"apache cache_test: {'FAIL' if failures else 'PASS'}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
