#!/usr/bin/env python3
"""The farm demo: the load-balanced-farm problem, measured on real nginx servers.

Three origins hold copies of the same files: separate copies (different inodes) with different
mtimes, as after three separate deploys. A round-robin nginx load balancer fronts them. A client
fetches each file once through the balancer, keeps the ETag and Last-Modified it got, and
revalidates through the balancer, which spreads the revalidations over the three origins.

Run twice: with stock origins, then with origins that load ngx_http_content_etag_module
(`content_etag on;`). Prints, per file and in total: the distinct ETags the farm hands out, and
the share of revalidations answered 304 for If-None-Match alone, If-Modified-Since alone, and
both together. Then `etagcore probe` (the CLI, $ETAGCORE_BIN) asks each origin directly for one
file and prints its matrix and verdict, as an operator would run it. Exits non-zero unless the
module run gives 1 ETag per file and 100 % 304s for If-None-Match and for both, and the probe
exits 1 on the stock farm and 0 on the module's. Everything listens on 127.0.0.1; every nginx is
stopped by its PID.

Then a 256 MiB file under `directio 4m` (O_DIRECT), stock vs the module, through HEAD requests:
the same pass conditions.

Then the same farm with Apache httpd origins (apache_server.py): stock `FileETag MTime Size`
(Apache's default, "size-mtime"), stock `FileETag Digest` (SHA-1 of the file, recomputed on every
request) and mod_content_etag (`ContentETag On`); the module's run must give 1 ETag per file and
100 % 304s for If-None-Match and for both, and the probe must exit 0 on it.

Then the same farm with Rust origins behind the same balancer (rust_origins.py): three
crates/http `serve_dir` replicas ($ETAGCORE_SERVE_DIR; the section is skipped with a note when
it is unset), `--stock` (tower-http ServeDir) vs content tags (ContentServeDir), identity and
with Accept-Encoding: gzip. The run also fails unless the content-tag origins give 1 ETag per
file and 100 % 304s for If-None-Match and for both, identity and gzip alike (and, with
$ETAGCORE_BIN, unless the probe exits 1 on the --stock origins and 0 on the others). The
balancer talks HTTP/1.0 to the origins (nginx's default without proxy_http_version 1.1): hyper
answers a 1.0 request without chunked encoding, closing the connection after a gzip body.

Then the same again with actix-web origins (actix_origins.py): three crates/actix
`actix_serve_dir` replicas ($ETAGCORE_ACTIX_SERVE_DIR; skipped with a note when unset),
`--stock` (actix-files Files) vs content tags (TaggedFiles), identity and gzip, with the same
pass conditions as the Rust origins above.

Last, dynamic pages: three application servers (app_backend.py) render the same pages, each
stamping its own name (X-Served-By) and its own ETag, behind the balancer: stock nginx passes the
per-server tags on; the module in the balancer (`content_etag_buffer`, `content_etag_upstream
replace`) tags the bytes. Its run must give 1 ETag per page and 100 % 304s for If-None-Match.
"""
import gzip
import os
import random
import subprocess
import sys

sys.dont_write_bytecode = True  # leave no __pycache__ beside the scripts
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import header  # noqa: E402
from nginx_server import Nginx  # noqa: E402
from apache_server import Apache  # noqa: E402
import rust_origins  # noqa: E402
from app_backend import AppBackend  # noqa: E402
import actix_origins  # noqa: E402

ROUNDS = 30  # revalidations per file and per kind: 10 per origin
BASE_MTIME = 1_760_000_000  # Thu, 09 Oct 2025
ETAGCORE_BIN = os.environ.get("ETAGCORE_BIN")
PROBED = "app.js"


def site_files():
    rng = random.Random(9110)
    words = [b"etag", b"farm", b"cache", b"revalidate", b"origin", b"balancer", b"304"]
    text = lambda n: b" ".join(rng.choice(words) for _ in range(n))
    return {
        "index.html": b"<!doctype html><title>farm</title><p>" + text(300) + b"</p>\n",
        "app.js": b"// app\n" + b"\n".join(b"console.log('%s');" % text(8) for _ in range(400)) + b"\n",
        "style.css": b"\n".join(b".c%d { color: #%06x; }" % (i, rng.randrange(1 << 24)) for i in range(200)) + b"\n",
        "logo.bin": bytes(rng.randrange(256) for _ in range(23_000)),
    }


def run(with_module):
    origins = [Nginx("content_etag on;" if with_module else "", module=with_module) for _ in range(3)]
    return farm(origins, site_files(), during=probe)


def farm(origins, files, accept_encoding=None, during=None, method="GET"):
    """Puts `files` on each origin (a different deploy time on each, a fresh inode for each copy),
    starts them behind the round-robin balancer, measures, stops everything. Returns the rows,
    and what `during(origins)` returned while they ran. `method` HEAD checks lengths instead of
    bodies (for files too large to fetch dozens of times)."""
    for i, origin in enumerate(origins):
        for j, (name, data) in enumerate(sorted(files.items())):
            origin.write(name, data, mtime=BASE_MTIME + 3600 * i + 60 * j)
    extra = [("Accept-Encoding", accept_encoding)] if accept_encoding else []
    try:
        for o in origins:
            o.start()
        upstream = " ".join(f"server 127.0.0.1:{o.port};" for o in origins)
        lb = Nginx("location / { proxy_pass http://farm; }",
                   http_conf=f"upstream farm {{ {upstream} }}", module=False)
        with lb:
            rows = []
            for name in sorted(files):
                tags = set()
                first = None
                for _ in range(3 * len(origins)):
                    status, headers, body = lb.request(method, "/" + name, extra)
                    if method == "HEAD":
                        body = files[name] if header(headers, "Content-Length") == str(
                            len(files[name])) else b"?"
                    elif header(headers, "Content-Encoding") == "gzip":
                        body = gzip.decompress(body)
                    assert status == 200 and body == files[name], (name, status)
                    tags.add(header(headers, "ETag"))
                    first = first or headers
                etag, lm = header(first, "ETag"), header(first, "Last-Modified")
                kinds = {
                    "If-None-Match": [("If-None-Match", etag)],
                    "If-Modified-Since": [("If-Modified-Since", lm)],
                    "both": [("If-None-Match", etag), ("If-Modified-Since", lm)],
                }
                rates = {}
                for kind, cond in kinds.items():
                    hits = sum(lb.request(method, "/" + name, cond + extra)[0] == 304
                               for _ in range(ROUNDS))
                    rates[kind] = hits
                rows.append((name, len(tags), rates))
            return rows, (during(origins) if during else None)
    finally:
        for o in origins:
            o.stop()


def probe(origins):
    """`etagcore probe` against the origins themselves: (exit status, what it printed), or
    None when there is no binary."""
    if not ETAGCORE_BIN:
        return None
    url = f"http://www.farm.test/{PROBED}"
    where = [a for o in origins for a in ("--origin", f"127.0.0.1:{o.port}")]
    result = subprocess.run([ETAGCORE_BIN, "probe", url, *where], capture_output=True, text=True,
                            timeout=120)
    shown = f"$ etagcore probe {url} {' '.join(where)}\n{result.stdout}{result.stderr}"
    return result.returncode, shown + f"(exit {result.returncode})"


def show_probe(found):
    if found is not None:
        print("\n" + found[1])


def table(title, rows):
    print(f"\n{title}")
    print(f"{'file':<12} {'distinct ETags':>15} {'INM 304':>10} {'IMS 304':>10} {'both 304':>10}")
    totals = {"If-None-Match": 0, "If-Modified-Since": 0, "both": 0}
    for name, tags, rates in rows:
        for k in totals:
            totals[k] += rates[k]
        cells = [f"{rates[k]}/{ROUNDS}" for k in ("If-None-Match", "If-Modified-Since", "both")]
        print(f"{name:<12} {tags:>15} {cells[0]:>10} {cells[1]:>10} {cells[2]:>10}")
    n = ROUNDS * len(rows)
    pct = {k: 100 * v / n for k, v in totals.items()}
    print(f"{'all files':<12} {max(r[1] for r in rows):>15} {pct['If-None-Match']:>9.0f}% "
          f"{pct['If-Modified-Since']:>9.0f}% {pct['both']:>9.0f}%")
    return pct


def passed(rows, pct):
    return all(tags == 1 for _, tags, _ in rows) and pct["If-None-Match"] == 100 and pct["both"] == 100


def origin_farm(name, module, origin, stock_label, tags_label):
    """The same farm with origins started from a binary (`module`: rust_origins or
    actix_origins, whose `origin(stock=...)` makes one): the stock server (--stock) vs content
    tags, then both again with Accept-Encoding: gzip through the balancer. None when the
    binary's variable is unset, else whether the content-tag farm passed."""
    if not module.available():
        print(f"\n{name} origins: skipped ({module.missing_note()})")
        return None
    ok = True
    for accept in (None, "gzip"):
        label = f", Accept-Encoding: {accept}" if accept else ""
        during = None if accept else probe  # the probe sends no Accept-Encoding of its own
        rows, stock_probe = farm([origin(stock=True) for _ in range(3)], site_files(), accept,
                                 during)
        stock = table(f"{name} origins: {stock_label}{label}", rows)
        show_probe(stock_probe)
        rows, module_probe = farm([origin() for _ in range(3)], site_files(), accept, during)
        tags = table(f"{name} origins: {tags_label}{label}", rows)
        show_probe(module_probe)
        ok = ok and passed(rows, tags)
        if stock_probe is not None:
            ok = ok and stock_probe[0] == 1 and module_probe[0] == 0
        print(f"If-None-Match 304 rate: stock {stock['If-None-Match']:.0f}% -> content tags "
              f"{tags['If-None-Match']:.0f}%; both: {stock['both']:.0f}% -> {tags['both']:.0f}%")
    return ok


def large():
    """A 256 MiB download under directio (O_DIRECT reads), HEAD requests: the tag of a large
    file is hashed once per origin in its thread pool, the same on every origin."""
    files = {"video.bin": os.urandom(1 << 20) * 256}
    big = "directio 4m;"
    rows, _ = farm([Nginx(big, module=False) for _ in range(3)], files, method="HEAD")
    stock = table(f"stock nginx 1.22 origins, 256 MiB file, {big} HEAD", rows)
    rows, _ = farm([Nginx("content_etag on; " + big) for _ in range(3)], files, method="HEAD")
    module = table(f"origins with content_etag on, 256 MiB file, {big} HEAD", rows)
    print(f"If-None-Match 304 rate: stock {stock['If-None-Match']:.0f}% -> module "
          f"{module['If-None-Match']:.0f}%; both: {stock['both']:.0f}% -> {module['both']:.0f}%")
    return passed(rows, module)


def apache():
    """Apache httpd origins: its default tag, its Digest tag, and mod_content_etag."""
    runs = [("stock Apache 2.4 origins, FileETag MTime Size (ETag \"size-mtime\")",
             lambda: Apache(module=False)),
            ("stock Apache 2.4 origins, FileETag Digest (SHA-1 on every request)",
             lambda: Apache("FileETag Digest", module=False)),
            ("Apache origins with mod_content_etag (ContentETag On)",
             lambda: Apache("ContentETag On"))]
    pcts = []
    for title, origin in runs:
        rows, found = farm([origin() for _ in range(3)], site_files(), during=probe)
        pcts.append(table(title, rows))
        show_probe(found)
    ok = passed(rows, pcts[-1]) and (found is None or found[0] == 0)
    print(f"If-None-Match 304 rate: MTime Size {pcts[0]['If-None-Match']:.0f}%, Digest "
          f"{pcts[1]['If-None-Match']:.0f}% -> module {pcts[2]['If-None-Match']:.0f}%; both: "
          f"{pcts[0]['both']:.0f}%, {pcts[1]['both']:.0f}% -> {pcts[2]['both']:.0f}%")
    return ok


def rust():
    """crates/http's serve_dir example: plain tower-http ServeDir vs ContentServeDir."""
    return origin_farm("Rust", rust_origins, rust_origins.ServeDirOrigin,
                       "tower-http ServeDir, serve_dir --stock",
                       "etagcore-http ContentServeDir, serve_dir")


def actix():
    """crates/actix's actix_serve_dir example: plain actix-files vs TaggedFiles."""
    return origin_farm("actix", actix_origins, actix_origins.ActixOrigin,
                       "actix-files Files, actix_serve_dir --stock",
                       "etagcore-actix TaggedFiles, actix_serve_dir")


# rendered by every application server alike; stamp=1 adds X-Served-By and a per-server ETag
APP_PAGES = ("/bytes/2048?stamp=1", "/bytes/65536?stamp=1", "/chunked/30000?stamp=1")
APP_BUFFER = "content_etag on; content_etag_buffer 1m; content_etag_upstream replace;"


def app_farm(with_module):
    """Rows (page, distinct ETags, servers seen, If-None-Match 304s of ROUNDS) of the three
    application servers behind a round-robin balancer, with or without the module in it."""
    apps = [AppBackend(name=f"app{i + 1}") for i in range(3)]
    try:
        for app in apps:
            app.start()
        upstream = " ".join(f"server {app.address};" for app in apps)
        conf = (APP_BUFFER if with_module else "") + (
            " location / { proxy_http_version 1.1; proxy_pass http://apps; }")
        rows = []
        with Nginx(conf, http_conf=f"upstream apps {{ {upstream} }}", module=with_module) as lb:
            for page in APP_PAGES:
                tags, served = set(), set()
                for _ in range(3 * len(apps)):
                    status, headers, body = lb.request("GET", page)
                    assert status == 200, (page, status)
                    tags.add(header(headers, "ETag"))
                    served.add(header(headers, "X-Served-By"))
                etag = sorted(t for t in tags if t)[0] if any(tags) else '"none"'
                hits = sum(lb.request("GET", page, [("If-None-Match", etag)])[0] == 304
                           for _ in range(ROUNDS))
                rows.append((page, len(tags), len(served), hits))
        return rows
    finally:
        for app in apps:
            app.stop()


def apps():
    """Dynamic pages from three application servers: stock balancer vs the module in it."""
    pcts = []
    for title, with_module in (("stock nginx balancer, per-server ETags from the apps", False),
                               (f"balancer with the module ({APP_BUFFER})", True)):
        rows = app_farm(with_module)
        print(f"\n3 application servers, {title}")
        print(f"{'page':<24} {'distinct ETags':>15} {'servers':>8} {'INM 304':>10}")
        for page, tags, served, hits in rows:
            print(f"{page:<24} {tags:>15} {served:>8} {f'{hits}/{ROUNDS}':>10}")
        pct = 100 * sum(r[3] for r in rows) / (ROUNDS * len(rows))
        print(f"{'all pages':<24} {max(r[1] for r in rows):>15} {'':>8} {pct:>9.0f}%")
        pcts.append(pct)
    print(f"If-None-Match 304 rate: stock {pcts[0]:.0f}% -> module {pcts[1]:.0f}%")
    return all(tags == 1 and served == 3 for _, tags, served, _ in rows) and pcts[1] == 100


def main():
    rows, stock_probe = run(with_module=False)
    stock = table("stock nginx 1.22 origins (ETag \"mtime-size\")", rows)
    show_probe(stock_probe)
    rows, module_probe = run(with_module=True)
    module = table("origins with ngx_http_content_etag_module (content_etag on)", rows)
    show_probe(module_probe)
    ok = passed(rows, module)
    if ETAGCORE_BIN:
        ok = ok and stock_probe[0] == 1 and module_probe[0] == 0
    print(f"\nIf-None-Match 304 rate: stock {stock['If-None-Match']:.0f}% -> module {module['If-None-Match']:.0f}%; "
          f"both: {stock['both']:.0f}% -> {module['both']:.0f}%")
    print("If-Modified-Since alone still depends on each origin's mtime: keep mtimes equal (rsync -t) "
          "or let clients send If-None-Match, which every browser does when it has an ETag.")
    ok = large() and ok
    apache_ok = apache()
    ok = ok and apache_ok
    rust_ok = rust()
    ok = ok and rust_ok is not False
    actix_ok = actix()
    ok = ok and actix_ok is not False
    apps_ok = apps()
    ok = ok and apps_ok
    print("farm: PASS" if ok else "farm: FAIL (expected 1 ETag per file and 100% 304s with the module"
          " (small files and the 256 MiB one), with the Apache module"
          + (" and with the Rust content-tag origins" if rust_ok is not None else "")
          + (" and with the actix content-tag origins" if actix_ok is not None else "")
          + " and with the module in front of the application servers)")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
