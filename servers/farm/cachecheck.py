"""What the modules' cache tests (servers/*/cache_test.py) share: ok / not ok lines, xxh128sum
as the independent oracle for a content tag, the module's `content_etag: hashed` log lines,
concurrent clients on one file, and the worker process that holds a file open."""
import os
import signal
import subprocess
import threading
import time

from harness import header

# The names of the checks that failed, in order.
failures = []


def check(ok, name, detail=""):
    print(f"ok - {name}" if ok else f"not ok - {name}: {detail}")
    if not ok:
        failures.append(name)


def xxh128_tag(path):
    """The strong content tag of the file at `path`, by Debian's xxh128sum (not etagcore)."""
    out = subprocess.run(["xxh128sum", path], check=True, capture_output=True, text=True).stdout
    return '"%s"' % out.split()[0]


def hasher_lines(server):
    """The lines of the server's error log where its module says it hashed a file."""
    return [line for line in server.log().splitlines() if "content_etag: hashed" in line]


def hashed_lines(server):
    """How many times the server's module hashed a file, by its error log."""
    return len(hasher_lines(server))


def concurrent_gets(server, path, clients):
    """Each client on its own connection at once, a third GET and the rest HEAD;
    [(status, etag, body length, method)] (None for a client that got no answer in 60 s)."""
    results = [None] * clients
    go = threading.Event()

    def client(i):
        go.wait()
        method = "GET" if i % 3 == 0 else "HEAD"
        status, headers, body = server.request(method, path)
        results[i] = (status, header(headers, "ETag"), len(body), method)

    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    for t in threads:
        t.start()
    go.set()
    for t in threads:
        t.join(60)
    return results

def holding_worker(server, path, timeout=10):
    """The worker (nginx) or child (Apache) that holds `path` open, the one hashing it when the
    file is cold, or None after `timeout` seconds."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        for pid in server.worker_pids():
            try:
                fds = os.listdir(f"/proc/{pid}/fd")
            except OSError:
                continue
            for fd in fds:
                try:
                    if os.readlink(f"/proc/{pid}/fd/{fd}") == path:
                        return pid
                except OSError:
                    pass
        time.sleep(0.01)
    return None


def kill_hasher(server, path, url):
    """Sends a HEAD for the cold file `path` (at `url`), SIGKILLs the process that opens it (the
    one hashing it: a cold 512 MiB hash takes far longer than the 10 ms this takes to see it),
    then sends the HEAD again; (victim pid or None, status or the error, headers, seconds)."""
    def doomed():
        try:
            server.request("HEAD", url)
        except OSError:
            pass  # its process is killed: no response

    threading.Thread(target=doomed, daemon=True).start()
    victim = holding_worker(server, path)
    if victim is not None:
        os.kill(victim, signal.SIGKILL)
    started = time.time()
    try:
        status, headers, _ = server.request("HEAD", url)
    except OSError as e:
        status, headers = str(e), []
    return victim, status, headers, time.time() - started
