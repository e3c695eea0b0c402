#!/usr/bin/env python3
"""`etagcore probe` against real farms on 127.0.0.1: stock nginx origins with different mtimes
(exit 1, the matrix shows the 200s), origins with the module (exit 0), a balancer in front of
each, gzip variants, TLS with a self-signed certificate, and every bad origin the tool must
survive: a closed port, a server that never answers, one that answers garbage, a redirect,
origins serving different bytes. Prints `ok - NAME` / `not ok - NAME: why` and
`probe: N passed, M failed`; exits 1 on any failure.

Usage: python3 servers/farm/probe_test.py PATH/TO/etagcore
"""
import json
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from nginx_server import Nginx  # noqa: E402

BIN = None
BODY = b"console.log('one tag per file');\n" * 64
MTIME = 1_760_000_000
URL = "http://farm.test/app.js"


def origins(module, count=3, conf="", tls=None, bodies=None):
    """`count` started origins holding app.js with a different mtime (and inode) each."""
    out = []
    for i in range(count):
        o = Nginx(("content_etag on; " if module else "") + conf, module=module, tls=tls)
        body = bodies[i] if bodies else BODY
        o.write("app.js", body, mtime=MTIME + 3600 * i)
        out.append(o)
    for o in out:
        o.start()
    return out


def probe(*args, timeout=60):
    """(exit code, stdout, stderr, seconds) of `etagcore probe ARGS`."""
    start = time.monotonic()
    p = subprocess.run([BIN, "probe", *args], capture_output=True, text=True, timeout=timeout)
    return p.returncode, p.stdout, p.stderr, time.monotonic() - start


def at(servers):
    return [a for s in servers for a in ("--origin", f"127.0.0.1:{s.port}")]


class Farm:
    """Servers stopped (by PID) however the test ends."""

    def __init__(self, *servers):
        self.servers = list(servers)

    def __enter__(self):
        return self

    def add(self, server):
        self.servers.append(server)
        return server

    def __exit__(self, *exc):
        for s in self.servers:
            s.stop()


def expect(cond, message):
    if not cond:
        raise AssertionError(message)


# ------------------------------------------------------------------------------ cases

def stock_origins_disagree():
    with Farm(*origins(module=False)) as f:
        code, out, err, _ = probe(URL, *at(f.servers))
        expect(code == 1, f"exit {code}, expected 1\n{out}{err}")
        expect("3 distinct ETags for identical bodies: 6 of 9 revalidations got 200 instead of 304"
               in out, out)
        expect("  1     304  200  200" in out, f"the matrix shows the 200s:\n{out}")


def module_origins_agree():
    with Farm(*origins(module=True)) as f:
        code, out, err, _ = probe(URL, *at(f.servers))
        expect(code == 0, f"exit {code}, expected 0\n{out}{err}")
        expect("the 3 origins agree: one ETag for identical bodies (the ETag is the body's "
               "content tag); 9 of 9 revalidations got 304" in out, out)
        expect("warning: If-Modified-Since alone" in out, out)


def json_output_for_monitoring():
    with Farm(*origins(module=False, count=2)) as f:
        code, out, _, _ = probe(URL, *at(f.servers), "--json")
        doc = json.loads(out)
        expect(code == 1 and doc["exit"] == 1 and doc["agree"] is False, out)
        u = doc["urls"][0]
        expect(u["mode"] == "origins" and len(u["responses"]) == 2, out)
        inm = u["revalidations"][0]
        expect(inm["kind"] == "If-None-Match" and inm["statuses"] == [[304, 200], [200, 304]], out)


def several_urls_from_a_file():
    with Farm(*origins(module=True, count=2)) as f:
        f.servers[0].write("b.txt", b"b\n")
        f.servers[1].write("b.txt", b"b\n")
        with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as urls:
            urls.write(f"# the site\n{URL}\n\nhttp://farm.test/b.txt\n")
        try:
            code, out, err, _ = probe("--urls-file", urls.name, *at(f.servers))
        finally:
            os.unlink(urls.name)
        expect(code == 0, f"exit {code}\n{out}{err}")
        expect(out.count("verdict: the 2 origins agree") == 2, out)


def through_a_balancer():
    for module, want in ((False, 1), (True, 0)):
        with Farm(*origins(module=module)) as f:
            upstream = " ".join(f"server 127.0.0.1:{o.port};" for o in f.servers)
            lb = f.add(Nginx("location / { proxy_pass http://farm; }",
                             http_conf=f"upstream farm {{ {upstream} }}", module=False))
            lb.start()
            code, out, err, _ = probe(f"http://127.0.0.1:{lb.port}/app.js", "--rounds", "6")
            expect(code == want, f"module={module}: exit {code}, expected {want}\n{out}{err}")
            expect("(6 requests through its own host)" in out, out)
            if not module:
                expect("3 distinct ETags for identical bodies" in out, out)


def gzip_variants():
    gz = "gzip on; gzip_types application/javascript; gzip_min_length 1;"
    with Farm(*origins(module=True, conf=gz)) as f:
        code, out, err, _ = probe(URL, *at(f.servers), "--accept-encoding", "gzip")
        expect(code == 0, f"exit {code}\n{out}{err}")
        expect(' W/"' in out and " gzip " in out, f"weak tags on gzip bodies:\n{out}")


def tls_with_a_self_signed_certificate():
    tmp = tempfile.mkdtemp(prefix="etagcore-tls-")
    os.chmod(tmp, 0o755)
    cert, key = os.path.join(tmp, "cert.pem"), os.path.join(tmp, "key.pem")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
                    "-subj", "/CN=farm.test", "-keyout", key, "-out", cert],
                   check=True, capture_output=True)
    os.chmod(key, 0o644)
    try:
        with Farm(*origins(module=True, count=2, tls=(cert, key))) as f:
            https = "https://farm.test/app.js"
            code, out, err, _ = probe(https, *at(f.servers), "--insecure")
            expect(code == 0, f"--insecure: exit {code}\n{out}{err}")
            code, out, err, _ = probe(https, *at(f.servers))
            expect(code == 2 and "TLS failed" in out and "--insecure" in out,
                   f"verified: exit {code}\n{out}{err}")
    finally:
        for p in (cert, key):
            os.unlink(p)
        os.rmdir(tmp)


def different_bodies_are_not_an_etag_problem():
    with Farm(*origins(module=True, count=2, bodies=[BODY, BODY + b"// v2\n"])) as f:
        code, out, _, _ = probe(URL, *at(f.servers))
        expect(code == 1 and "2 different bodies" in out, out)


def a_closed_port():
    with socket.socket() as s:  # a port that was free a moment ago, now closed
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with Farm(*origins(module=True, count=1)) as f:
        code, out, err, _ = probe(URL, *at(f.servers), "--origin", f"127.0.0.1:{port}")
        expect(code == 2 and "connection refused" in out, f"exit {code}\n{out}{err}")


class Silent:
    """A TCP server on 127.0.0.1 that accepts and then never answers (or answers `reply` once
    the request has arrived, and closes). Bounded: it serves for at most 30 s."""

    def __init__(self, reply=None):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.sock.settimeout(30)
        self.port = self.sock.getsockname()[1]
        self.reply = reply
        self.held = []
        threading.Thread(target=self.serve, daemon=True).start()

    def serve(self):
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            if self.reply is None:
                self.held.append(conn)  # keep it open, say nothing
            else:
                conn.settimeout(5)
                try:
                    conn.recv(65536)
                    conn.sendall(self.reply)
                except OSError:
                    pass
                conn.close()

    def stop(self):
        self.sock.close()
        for c in self.held:
            c.close()


def a_server_that_never_answers():
    silent = Silent()
    try:
        code, out, err, took = probe(URL, "--origin", f"127.0.0.1:{silent.port}",
                                     "--timeout", "1")
        expect(code == 2 and "no answer within 1 s" in out, f"exit {code}\n{out}{err}")
        expect(took < 10, f"took {took:.1f} s with --timeout 1")
    finally:
        silent.stop()


def a_server_that_answers_garbage():
    garbage = Silent(reply=b"SSH-2.0-OpenSSH_9.2\r\n\r\n")
    try:
        code, out, err, _ = probe(URL, "--origin", f"127.0.0.1:{garbage.port}", "--timeout", "3")
        expect(code == 2 and "error" in out, f"exit {code}\n{out}{err}")
    finally:
        garbage.stop()


def a_redirect():
    with Farm(*origins(module=True, count=2, conf="location = /old.js { return 301 /app.js; }")) as f:
        code, out, err, _ = probe("http://farm.test/old.js", *at(f.servers))
        expect(code == 2 and "a redirect to http://farm.test:" in out and "/app.js)" in out
               and "probe the URL it names" in out, f"exit {code}\n{out}{err}")


def usage_errors():
    for args, needle in ((["ftp://x/"], "absolute http:// or https:// URL"),
                         (["not a url"], "is not a URL"),
                         ([URL, "--origin", "nohostport"], "expected HOST:PORT"),
                         ([URL, "--timeout", "0"], "more than 0"),
                         ([], "required")):
        code, out, err, _ = probe(*args)
        expect(code == 2 and needle in err, f"{args}: exit {code}\n{out}{err}")


CASES = [stock_origins_disagree, module_origins_agree, json_output_for_monitoring,
         several_urls_from_a_file, through_a_balancer, gzip_variants,
         tls_with_a_self_signed_certificate, different_bodies_are_not_an_etag_problem,
         a_closed_port, a_server_that_never_answers, a_server_that_answers_garbage, a_redirect,
         usage_errors]


def main(argv):
    global BIN
    if len(argv) != 1 or not os.access(argv[0], os.X_OK):
        print("usage: probe_test.py PATH/TO/etagcore", file=sys.stderr)
        return 2
    BIN = os.path.abspath(argv[0])
    passed = failed = 0
    for case in CASES:
        try:
            case()
        except Exception as e:  # noqa: BLE001 - every failure is reported, the rest still run
            print(f"not ok - {case.__name__}: {type(e).__name__}: {e}")
            failed += 1
        else:
            print(f"ok - {case.__name__}")
            passed += 1
        sys.stdout.flush()
    print(f"probe: {passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
