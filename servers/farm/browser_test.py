#!/usr/bin/env python3
"""The farm through a real browser: headless Chromium revalidating a page behind the balancer.

Three nginx origins on 127.0.0.1 hold the same small site (index.html with a stylesheet, a
script and a PNG image), written with a different mtime on each origin as after three separate
deploys (farm.py's BASE_MTIME scheme). A round-robin nginx balancer fronts them. Chromium,
driven through chromedriver with the W3C WebDriver HTTP protocol (urllib, no selenium), loads
the page through the balancer and reloads it RELOADS times; the balancer spreads the
revalidations over the three origins. Each origin writes its own access log (JSON lines:
status, request line, If-None-Match, If-Modified-Since, Cache-Control), and the test counts the
conditional requests (If-None-Match or If-Modified-Since) and their 304s.

Twice: stock origins (nginx's "mtime-size" ETags, different on each origin), then origins that
load ngx_http_content_etag_module (`content_etag on;`). Passes when, with the module, every
conditional request got 304, every resource was revalidated at least once and on at least two
origins, and every page load ran its script, applied its stylesheet and decoded its image. The
stock figures are printed beside it as information, with the conditional headers Chromium sent.

The origins answer `Cache-Control: no-cache`: "store, but revalidate before every use". A
reload alone is not enough: since Chromium 54 a reload revalidates only the main resource and
loads subresources under their normal freshness rules, and these files carry Last-Modified, so
without an explicit expiry Chromium gives them heuristic freshness (a share of their age) and
serves them from its cache without asking (tried: only index.html came back, and the test
fails with "no conditional request for app.js"). `no-cache` makes every load of every resource a
conditional request (`max-age=0` and `expires epoch` did the same here; no header did not).

Needs Debian's chromium and chromium-driver (servers/farm/install-browser.sh) and builds the
module with `make nginx-module` when target/nginx/ngx_http_content_etag_module.so is missing.
Everything listens on 127.0.0.1; nginx, chromedriver and Chromium are stopped by their PIDs and
every temporary folder is removed. Exits 0 with `browser: PASS`, 1 with `browser: FAIL`.

Usage: python3 servers/farm/browser_test.py
"""
import ctypes
import json
import os
import shutil
import signal
import struct
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
import zlib

sys.dont_write_bytecode = True  # leave no __pycache__ beside the scripts
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import ROOT, free_port  # noqa: E402
from nginx_server import MODULE, Nginx  # noqa: E402
from farm import BASE_MTIME  # noqa: E402

RELOADS = 6  # after the first load: 2 revalidations of each resource on each of 3 origins
ORIGINS = 3
CHROMIUM = next((p for p in ("/usr/lib/chromium/chromium", shutil.which("chromium") or "")
                 if p and os.access(p, os.X_OK)), None)
CHROMEDRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"
PAGE_LOAD_TIMEOUT = 30  # seconds, for each navigation
HTTP_TIMEOUT = PAGE_LOAD_TIMEOUT + 30  # for each WebDriver command
START_TIMEOUT = 20  # chromedriver's /status ready
CONDITIONAL_LOG = ("log_format conditional escape=json '{\"status\":\"$status\",\"request\":"
                   "\"$request\",\"inm\":\"$http_if_none_match\",\"ims\":"
                   "\"$http_if_modified_since\",\"cc\":\"$http_cache_control\"}';")
ORIGIN_CONF = "add_header Cache-Control no-cache always; access_log {log} conditional;"
# The page's checks, run after each load: the script ran, the stylesheet applied, the image decoded.
PAGE_CHECK = """
const img = document.querySelector('img');
return {ready: document.readyState, js: document.body.dataset.js || '',
        css: getComputedStyle(document.querySelector('h1')).color,
        img: img.complete ? img.naturalWidth : 0};
"""
PAGE_EXPECT = {"ready": "complete", "js": "ran", "css": "rgb(0, 128, 0)", "img": 48}


def png(width, height, seed):
    """An RGB PNG of noise (so it stays a few KB compressed), from the standard library."""
    state = seed
    rows = bytearray()
    for _ in range(height):
        rows.append(0)  # filter: none
        for _ in range(width * 3):
            state = (state * 1103515245 + 12345) & 0x7FFFFFFF
            rows.append(state >> 16 & 0xFF)

    def chunk(kind, data):
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(bytes(rows)))
            + chunk(b"IEND", b""))


def site_files():
    """index.html and what it references, a few KB each."""
    css = b"h1 { color: green; }\n" + b"".join(
        b".c%d { margin: %dpx; color: #%06x; }\n" % (i, i % 17, i * 2654435761 & 0xFFFFFF)
        for i in range(120))
    js = b"document.body.dataset.js = 'ran';\n" + b"".join(
        b"console.debug('farm line %d', %d);\n" % (i, i * i) for i in range(120))
    html = (b"<!doctype html><html><head><meta charset=utf-8><title>farm</title>\n"
            b"<link rel=icon href=\"data:,\">\n"  # no /favicon.ico request
            b"<link rel=stylesheet href=\"style.css\"></head>\n<body><h1>one ETag per file</h1>\n"
            b"<img src=\"logo.png\" width=48 height=48 alt=logo>\n"
            + b"".join(b"<p class=c%d>paragraph %d of the farm page</p>\n" % (i, i)
                       for i in range(60))
            + b"<script src=\"app.js\"></script>\n</body></html>\n")
    return {"index.html": html, "style.css": css, "app.js": js, "logo.png": png(48, 48, 9110)}


def origin_files(i):
    """What origin `i` serves: the same bytes on every origin."""
    return site_files()


# ---------------------------------------------------------------- processes


def ensure_module():
    """Builds the module once, when it is missing."""
    if not os.path.exists(MODULE):
        print(f"{MODULE} is missing: make nginx-module", flush=True)
        subprocess.run(["make", "nginx-module"], cwd=ROOT, check=True, timeout=3600)


def descendants(pid):
    """The PIDs of every process under `pid`, from /proc."""
    children = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as f:
                    ppid = int(f.read().rsplit(")", 1)[1].split()[1])
                children.setdefault(ppid, []).append(int(entry))
            except (OSError, IndexError, ValueError):
                pass
    out, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            out.append(child)
            todo.append(child)
    return out


def become_subreaper():
    """Makes this process the reaper of its orphaned descendants (prctl PR_SET_CHILD_SUBREAPER):
    Chromium's crashpad handler and zygote outlive their parents, and would otherwise linger as
    zombies of PID 1 instead of being reaped by the test that started them."""
    try:
        ctypes.CDLL(None, use_errno=True).prctl(36, 1, 0, 0, 0)
    except (OSError, AttributeError):
        pass


def state(pid):
    """The one-letter state of `pid` ("Z" for a zombie), or None when it is gone."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return None


class WebDriver:
    """chromedriver on 127.0.0.1:port, started and stopped by its PID, and its W3C sessions."""

    def __init__(self):
        self.port = free_port()
        self.dir = tempfile.mkdtemp(prefix="etagcore-chromedriver-")
        self.log_path = os.path.join(self.dir, "chromedriver.log")
        # The proxy environment must reach neither chromedriver nor our own requests to it.
        self.http = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        env = {k: v for k, v in os.environ.items() if "proxy" not in k.lower()}
        self.proc = subprocess.Popen(
            [CHROMEDRIVER, f"--port={self.port}", f"--log-path={self.log_path}"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            if self.proc.poll() is not None:
                raise RuntimeError(f"chromedriver exited with {self.proc.returncode}: {self.log()}")
            try:
                if self.call("GET", "/status", timeout=2).get("ready"):
                    return
            except (OSError, ValueError):
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"chromedriver not ready in {START_TIMEOUT} s: {self.log()}")
            time.sleep(0.1)

    def log(self, lines=20):
        try:
            with open(self.log_path, errors="replace") as f:
                return "".join(f.readlines()[-lines:])
        except OSError:
            return ""

    def call(self, method, path, body=None, timeout=HTTP_TIMEOUT):
        """The `value` of one WebDriver command; a WebDriver error raises RuntimeError."""
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(f"http://127.0.0.1:{self.port}{path}", data=data,
                                     method=method,
                                     headers={"Content-Type": "application/json; charset=utf-8"})
        try:
            with self.http.open(req, timeout=timeout) as resp:
                return json.load(resp)["value"]
        except urllib.error.HTTPError as e:
            value = json.load(e).get("value", {})
            raise RuntimeError(f"WebDriver {method} {path}: {value.get('error')}: "
                               f"{value.get('message', '')[:400]}") from None

    def session(self, profile):
        """A new headless Chromium session on the user-data-dir `profile`: (id, version)."""
        args = ["--headless=new", "--no-sandbox", "--disable-gpu", f"--user-data-dir={profile}",
                "--no-proxy-server", "--no-first-run", "--no-default-browser-check",
                "--disable-background-networking", "--disable-component-update",
                "--disable-extensions", "--disable-sync", "--window-size=800,600"]
        caps = {"browserName": "chrome", "pageLoadStrategy": "normal",
                "proxy": {"proxyType": "direct"},
                "timeouts": {"pageLoad": PAGE_LOAD_TIMEOUT * 1000, "script": 10_000},
                "goog:chromeOptions": {"binary": CHROMIUM, "args": args}}
        value = self.call("POST", "/session", {"capabilities": {"alwaysMatch": caps}})
        return value["sessionId"], value["capabilities"].get("browserVersion", "?")

    def stop(self):
        """Stops chromedriver by its PID (SIGTERM, SIGKILL after 10 s), then, by theirs, every
        browser process left under it or, orphaned, under this process; reaps them and removes
        chromedriver's folder. Call it after every nginx is stopped: by then the only children
        of this process are chromedriver's."""
        left = set(descendants(self.proc.pid))
        if self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.kill(self.proc.pid, signal.SIGKILL)
                self.proc.wait(timeout=10)
        left.update(descendants(os.getpid()))
        for pid in left:
            if state(pid) not in (None, "Z"):
                try:
                    os.kill(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
        deadline = time.monotonic() + 10
        for pid in left:
            while time.monotonic() < deadline:
                try:
                    if os.waitpid(pid, os.WNOHANG)[0] == pid:
                        break
                except ChildProcessError:  # not ours to reap (no subreaper) or already reaped
                    break
                time.sleep(0.05)
        shutil.rmtree(self.dir, ignore_errors=True)


def browse(driver, url):
    """One Chromium session: loads `url`, reloads it RELOADS times, checks each load. Returns
    (Chromium's version, the failed page checks)."""
    profile = tempfile.mkdtemp(prefix="etagcore-chromium-")
    sid = None
    failures = []
    try:
        sid, version = driver.session(profile)
        for n in range(RELOADS + 1):
            if n == 0:
                driver.call("POST", f"/session/{sid}/url", {"url": url})
            else:
                driver.call("POST", f"/session/{sid}/refresh", {})
            got = driver.call("POST", f"/session/{sid}/execute/sync",
                              {"script": PAGE_CHECK, "args": []})
            if got != PAGE_EXPECT:
                failures.append(f"load {n}: {got} (expected {PAGE_EXPECT})")
        return version, failures
    finally:
        if sid is not None:
            try:
                driver.call("DELETE", f"/session/{sid}")  # Chromium quits
            except (OSError, RuntimeError) as e:
                print(f"warning: closing the Chromium session: {e}")
        shutil.rmtree(profile, ignore_errors=True)


# ---------------------------------------------------------------- one run


def run(driver, with_module):
    """Origins (stock or with the module) behind the balancer, browsed by Chromium. Returns
    (Chromium's version, failed page checks, one list of logged requests per origin)."""
    origins, lb = [], None
    try:
        for i in range(ORIGINS):
            o = Nginx(module=with_module, http_conf=CONDITIONAL_LOG)
            log = os.path.join(o.prefix, "logs", "access.log")
            o.config[None] = (("content_etag on; " if with_module else "")
                              + ORIGIN_CONF.format(log=log))
            for j, (name, data) in enumerate(sorted(origin_files(i).items())):
                o.write(name, data, mtime=BASE_MTIME + 3600 * i + 60 * j)
            origins.append(o)
        for o in origins:
            o.start()
        # farm.py's balancer: one worker, so one round-robin order over every request
        upstream = " ".join(f"server 127.0.0.1:{o.port};" for o in origins)
        lb = Nginx("location / { proxy_pass http://farm; }",
                   http_conf=f"upstream farm {{ {upstream} }}", module=False)
        lb.start()
        version, failures = browse(driver, f"http://127.0.0.1:{lb.port}/index.html")
        logs = []
        for o in origins:
            with open(os.path.join(o.prefix, "logs", "access.log")) as f:
                logs.append([json.loads(line) for line in f if line.strip()])
        return version, failures, logs
    finally:
        if lb is not None:
            lb.stop()
        for o in origins:
            o.stop()


def tally(logs, files):
    """Per file: requests, conditional requests, their 304s, the origins that saw a conditional
    request; and the conditional header sets and Cache-Control values Chromium sent."""
    rows = {name: {"requests": 0, "conditional": 0, "304": 0, "origins": set()} for name in files}
    rows["(other)"] = {"requests": 0, "conditional": 0, "304": 0, "origins": set()}
    headers = {}  # (file is index.html, which conditional headers, Cache-Control) -> count
    for i, log in enumerate(logs):
        for entry in log:
            parts = entry["request"].split()
            name = parts[1].lstrip("/") if len(parts) > 1 else "?"
            row = rows.get(name, rows["(other)"])
            row["requests"] += 1
            sent = tuple(h for h, k in (("If-None-Match", "inm"), ("If-Modified-Since", "ims"))
                         if entry[k])
            if sent:
                row["conditional"] += 1
                row["304"] += entry["status"] == "304"
                row["origins"].add(i)
                key = ("index.html" if name == "index.html" else "subresources", sent,
                       entry["cc"] or "none")
                headers[key] = headers.get(key, 0) + 1
    if not rows["(other)"]["requests"]:
        del rows["(other)"]
    return rows, headers


def table(title, rows):
    print(f"\n{title}")
    print(f"{'file':<12} {'requests':>9} {'conditional':>12} {'304':>6} {'other':>6} "
          f"{'304 share':>10} {'origins':>8}")
    total = {"requests": 0, "conditional": 0, "304": 0}
    for name, r in rows.items():
        for k in total:
            total[k] += r[k]
        share = f"{100 * r['304'] / r['conditional']:.0f}%" if r["conditional"] else "-"
        print(f"{name:<12} {r['requests']:>9} {r['conditional']:>12} {r['304']:>6} "
              f"{r['conditional'] - r['304']:>6} {share:>10} {len(r['origins']):>8}")
    share = f"{100 * total['304'] / total['conditional']:.0f}%" if total["conditional"] else "-"
    print(f"{'all files':<12} {total['requests']:>9} {total['conditional']:>12} {total['304']:>6} "
          f"{total['conditional'] - total['304']:>6} {share:>10}")
    return total


def show_headers(headers):
    for (what, sent, cc), n in sorted(headers.items()):
        print(f"  {what:<13} {n:>3} conditional requests with {' and '.join(sent)}, "
              f"Cache-Control: {cc}")


def main():
    started = time.monotonic()
    if not CHROMIUM or not os.access(CHROMEDRIVER, os.X_OK):
        print("browser: FAIL (no chromium / chromedriver: run servers/farm/install-browser.sh)")
        return 1
    ensure_module()
    become_subreaper()
    files = sorted(site_files())
    try:
        driver = WebDriver()
        try:
            version, stock_failures, stock_logs = run(driver, with_module=False)
            _, module_failures, module_logs = run(driver, with_module=True)
        finally:
            driver.stop()
    except (OSError, RuntimeError, subprocess.SubprocessError) as e:
        print(f"browser: FAIL ({e})")
        return 1
    print(f"Chromium {version} headless, {ORIGINS} nginx origins (different mtimes) behind a "
          f"round-robin balancer, 1 load + {RELOADS} reloads of index.html per run; "
          "origins send Cache-Control: no-cache")
    stock_rows, stock_headers = tally(stock_logs, files)
    stock = table("stock nginx origins (ETag \"mtime-size\", different on each origin)", stock_rows)
    print("conditional headers Chromium sent:")
    show_headers(stock_headers)
    module_rows, module_headers = tally(module_logs, files)
    module = table("origins with ngx_http_content_etag_module (content_etag on)", module_rows)
    print("conditional headers Chromium sent:")
    show_headers(module_headers)

    problems = [f"stock run, {f}" for f in stock_failures]
    problems += [f"module run, {f}" for f in module_failures]
    for name in files:
        r = module_rows[name]
        if r["conditional"] == 0:
            problems.append(f"module run: no conditional request for {name}")
        elif len(r["origins"]) < 2:  # all on one origin: the balancer's spread was not tested
            problems.append(f"module run: {name} revalidated on {len(r['origins'])} origin only")
        elif r["304"] != r["conditional"]:
            problems.append(f"module run: {name}: {r['conditional'] - r['304']} of "
                            f"{r['conditional']} conditional requests not answered 304")
    if "(other)" in module_rows:
        other = module_rows["(other)"]["requests"]
        problems.append(f"module run: {other} requests for other paths")
    pct = lambda t: f"{100 * t['304'] / t['conditional']:.0f}%" if t["conditional"] else "-"
    print(f"\n304 share of Chromium's conditional requests: stock {stock['304']}/"
          f"{stock['conditional']} ({pct(stock)}) -> module {module['304']}/"
          f"{module['conditional']} ({pct(module)})")
    print(f"runtime: {time.monotonic() - started:.1f} s")
    for p in problems:
        print(f"not ok - {p}")
    print("browser: PASS" if not problems else "browser: FAIL")
    return 0 if not problems else 1


if __name__ == "__main__":
    sys.exit(main())
