"""What the modules' cache tests (servers/*/cache_test.py) share: ok / not ok lines, xxh128sum
as the independent oracle for a content tag, the module's `content_etag: hashed` log lines, and
concurrent clients on one file."""
import subprocess
import threading

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


def hashed_lines(server):
    """How many times the server's module hashed a file, by its error log."""
    return server.log().count("content_etag: hashed")


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
