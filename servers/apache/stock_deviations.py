#!/usr/bin/env python3
"""What stock Apache answers to the cases of servers/apache/t/deviations.test, for the README:
the nine requests where httpd's `ap_meets_conditions` (and its byte-range filter) differ from
RFC 9110, each case written with the RFC's answer as its expectation.

Every block runs on a fresh Apache without mod_content_etag (apache_server.Apache, module=False):
its `ContentETag` lines are dropped from the config, and the tags a case sends are the ones stock
Apache gives: {etag:F} becomes {stock_etag:F} (so {wetag:F} is sent as W/ and Apache's tag) in
request header values. Nothing is asserted. With --module, each block also runs as written with
the module loaded (target/apache/mod_content_etag.so, or $ETAGCORE_APACHE_MODULE).

Prints a Markdown table: the case, what RFC 9110 expects (the case's `--- status`), what stock
Apache answered and, with --module, what the module answered; an answer is the status, with the
Content-Range of a 206 and the representation fields a 304 kept (Last-Modified, Content-Length,
Content-Type, Accept-Ranges). A request with no `--- status` is shown as set-up.

Usage: python3 servers/apache/stock_deviations.py [--module] [FILE.test ...]
"""
import os
import re
import sys

sys.dont_write_bytecode = True  # leave no __pycache__ beside the tests
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "farm"))
import harness  # noqa: E402
import run_cases  # noqa: E402

DEFAULT = os.path.join(HERE, "t", "deviations.test")
# representation metadata a 304 should not carry when it sends an ETag (RFC 9110 15.4.5)
METADATA_304 = ["Last-Modified", "Content-Length", "Content-Type", "Accept-Ranges"]


def stock_config(text):
    """A case's Apache config without the module's directives."""
    return "".join(line for line in text.splitlines(True)
                   if not re.match(r"\s*ContentETag", line))


def stock_headers(step):
    """A request step whose tags are stock Apache's own."""
    step = dict(step)
    step["headers"] = [(name, value.replace("{wetag:", "W/{stock_etag:")
                        .replace("{etag:", "{stock_etag:")) for name, value in step["headers"]]
    return step


def answer(status, headers):
    """A short description of one response."""
    if status == 206:
        return f"206 ({harness.header(headers, 'Content-Range')})"
    if status == 304:
        kept = [name for name in METADATA_304 if harness.header(headers, name) is not None]
        return f"304 with {', '.join(kept)}" if kept else "304"
    return str(status)


def run(block, module):
    """The answers of one block's requests that have an expected status, as
    [(expected, answer)], on stock Apache or (module=True) with the module."""
    server, items = run_cases.plan(block, "apache")
    if server is None:
        return None
    config = dict(server["config"])
    if not module:
        config = {level: stock_config(text) for level, text in config.items()}
    r = run_cases.Run(block, server, items)
    r.server = harness.backend("apache")(config=config, workers=server["workers"], module=module)
    answers = []
    try:
        for kind, item in items:
            if kind != "request":
                if kind != "log_count":  # the module's log lines: not a stock matter
                    r.action(kind, item)
                continue
            if not r.started:
                r.server.start()
                r.started = True
            step = item if module else stock_headers(item)
            headers = []
            for name, value in step["headers"]:
                raw = re.sub(r"\\x([0-9A-Fa-f]{2})", lambda m: chr(int(m.group(1), 16)),
                             r.expand(value))
                headers.append((name, raw.encode("latin-1")))
            status, got, _ = r.server.request(step["method"], r.expand(step["path"]), headers)
            if step["status"] is not None:
                answers.append((step["status"], answer(status, got)))
    finally:
        r.server.stop()
    return answers


def main(argv):
    module = "--module" in argv
    paths = [a for a in argv if a != "--module"] or [DEFAULT]
    version = os.popen("apache2 -v").read().split("\n")[0].split(":", 1)[-1].strip()
    print(f"Stock answers of {version}" + (" and of mod_content_etag" if module else ""))
    print()
    head = "| case | RFC 9110 | stock Apache |" + (" mod_content_etag |" if module else "")
    print(head)
    print(re.sub(r"[^|]+", "---", head))
    for path in run_cases.case_files(paths):
        for block in run_cases.parse(path):
            stock = run(block, module=False)
            if stock is None:
                continue
            mod = run(block, module=True) if module else None
            for i, (expected, got) in enumerate(stock):
                row = f"| {block.name if i == 0 else '(next request)'} | {expected} | {got} |"
                if mod is not None:
                    row += f" {mod[i][1]} |"
                print(row, flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
