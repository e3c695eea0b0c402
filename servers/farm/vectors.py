#!/usr/bin/env python3
"""The conformance vectors (conditional table, see ../shared/vectors/FORMAT.md) through a real
server with its etagcore module: `--server nginx` (harness.backend).

Reads every *.tsv in tests/vectors/ and, when ETAGCORE_VECTORS_DIR names a folder (empty: unset),
every *.tsv there too; a file is a conditional table when its header has the conditional columns
(the etag and date tables are skipped). Each expressible row becomes one request to one server;
its status is compared with expected_status_per_RFC9110. Prints, per file,
`FILE: N passed, M failed, K not expressible`, each failure with what the server answered, and
`SERVER_vectors: N passed, M failed`; exits 1 on any failure (or a table it cannot read).
With -v, also lists every row that is not expressible, and why.

How a row is expressed (and when it cannot be):
- method: GET or HEAD only (a static handler answers other methods 405 before any filter, and a
  lowercase `get` is a 400 in the servers' request parsers).
- the resource: a 26-byte file (a..z) whose mtime is resource_last_modified. A row without a
  resource ETag, with `(absent)`, or without a Last-Modified is not expressible (a static file
  always has both). A Last-Modified before 1970-01-01 00:00:01 neither (nginx's -1 sentinel).
- the resource ETag: its opaque value (xyzzy) stands for the file's content tag; that opaque
  string is replaced by the tag's 32 hex digits inside the request header values wherever it
  stands as a whole opaque value (between quotes, or bare as in `W/xyzzy`), keeping `W/`
  prefixes and quotes as written. An empty opaque value (`""`) is replaced where `""` appears.
  The resource ETag must be a valid entity-tag.
- a weak resource ETag (W/"xyzzy") is the module's tag under on-the-fly gzip: the file is under
  /weak/ where the backend's GZIP_LOCATION applies, and the request carries
  Accept-Encoding: gzip; that file is 104 bytes (a..z four times), since mod_deflate sends a
  response of up to 68 bytes uncompressed, with the strong identity tag.
- several field lines of one field (`\\n` in a cell) only where the backend takes them
  (REPEATED_CONDITION_LINES: nginx 1.22 answers 400 to a repeated If-* line); no value may
  hold CR, LF or NUL (not sendable in one HTTP/1.1 field line). A backend that merges the lines
  with ", " before its module sees them (MERGES_FIELD_LINES: httpd) gives the list fields the
  RFC's own combination (5.3), but a date field's lines may then spell one valid date (`Wed` and
  `21 Oct 2015 07:27:59 GMT`) where the RFC sees a list of two members, ignored: such a row is
  not expressible there.
- has_range yes: `Range: bytes=0-4`.
- now: the row's `now` is replaced by the real clock, so rows whose outcome depends on it are
  not expressible: any date condition (If-Modified-Since, If-Unmodified-Since, or an If-Range
  that is not an entity-tag) when Last-Modified is not at least one second before the row's
  now, or before the real clock (a Last-Modified in the future, or too recent to be a strong
  validator); and any rfc850-date (two-digit year) whose century (RFC 9110 5.6.7's 50-year
  rule) differs between the row's now and today.

Over HTTP/2 (--http2) the same rows go through curl (harness.curl_request), none skipped: a
row's field lines, the only HTTP/1.1-specific part, are already limited to what both carry. The
summary reads `SERVER_vectors (HTTP/2): ...`. Under valgrind (--valgrind, memcheck.py) the server
runs as one process under memcheck; the run fails when an error has a frame in etagcore's module
or library, and prints `SERVER_vectors valgrind: L logs, E errors in etagcore, O other errors`.

With --buffered (a backend with BUFFERED_LOCATION: nginx) every request goes to the same file
through a location that proxies to the server itself and holds and tags each response with the
buffering mode (content_etag_buffer, content_etag_upstream replace): the vectors through the
proxied-response path. HEAD rows are not expressible there (the mode sends no tag for a HEAD,
which has no body to hash); HTTP/2 is refused (the proxy speaks HTTP/1.x to the server's own
h2c port). The summary reads `SERVER_vectors (buffered): ...`.

Usage: python3 servers/farm/vectors.py --server nginx [--http2 | --buffered] [--valgrind] [-v]
"""
import calendar
import datetime
import os
import re
import sys
import time

sys.dont_write_bytecode = True  # leave no __pycache__ beside the tests
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
import memcheck  # noqa: E402

ROOT = harness.ROOT
BODY = b"abcdefghijklmnopqrstuvwxyz"
# The file of a weak resource: long enough to be compressed on the fly (mod_deflate sends a
# response of up to 68 bytes as it is, with its strong tag: not the weak resource of the row).
WEAK_BODY = BODY * 4
FIELDS = ["if_match", "if_none_match", "if_modified_since", "if_unmodified_since", "if_range"]
HEADER = {"if_match": "If-Match", "if_none_match": "If-None-Match",
          "if_modified_since": "If-Modified-Since", "if_unmodified_since": "If-Unmodified-Since",
          "if_range": "If-Range"}
REQUIRED = ["id", "method"] + FIELDS + ["has_range", "resource_etag", "resource_last_modified",
                                         "now", "expected_status_per_RFC9110"]
VERBOSE = "-v" in sys.argv[1:]


class Unreadable(Exception):
    """A cell or table the runner cannot decode: a failure, never a skip."""


class NotExpressible(Exception):
    pass


def decode_cell(cell):
    """A header cell as a list of field lines (bytes), or None when the header is absent."""
    if cell == "":
        return None
    if cell == "(empty)":
        return [b""]
    lines, cur, i = [], bytearray(), 0
    while i < len(cell):
        c = cell[i]
        if c == "\\":
            if cell[i + 1:i + 2] == "n":
                lines.append(bytes(cur))
                cur = bytearray()
                i += 2
                continue
            m = re.match(r"x([0-9A-Fa-f]{2})", cell[i + 1:i + 4])
            if not m:
                raise Unreadable(f"bad escape in {cell!r}")
            cur.append(int(m.group(1), 16))
            i += 4
            continue
        cur.append(ord(c))  # the file is read as latin-1: one char is one byte
        i += 1
    lines.append(bytes(cur))
    return lines


def parse_imf(text):
    try:
        return calendar.timegm(time.strptime(text.strip(), "%a, %d %b %Y %H:%M:%S GMT"))
    except ValueError:
        raise Unreadable(f"not an IMF-fixdate: {text!r}") from None


def parse_etag(value):
    """(weak, opaque) of an ETag field value, or Unreadable."""
    m = re.fullmatch(rb"[ \t]*(W/)?\"([\x21\x23-\x7e\x80-\xff]*)\"[ \t]*", value)
    if not m:
        raise Unreadable(f"resource_etag is not an entity-tag: {value!r}")
    return m.group(1) is not None, m.group(2)


RFC850 = re.compile(rb"[ \t]*[A-Za-z]+, (\d\d)-([A-Za-z]{3})-(\d\d) (\d\d):(\d\d):(\d\d) GMT[ \t]*")
MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]


def rfc850_year(value, now):
    """The four-digit year RFC 9110 5.6.7 gives an rfc850-date received at `now` (a timestamp):
    the year with those last two digits, unless more than 50 years in the future."""
    m = RFC850.fullmatch(value)
    if not m or m.group(2).decode() not in MONTHS:
        return None
    day, mon, yy = int(m.group(1)), MONTHS.index(m.group(2).decode()) + 1, int(m.group(3))
    hh, mi, ss = (int(m.group(i)) for i in (4, 5, 6))
    n = datetime.datetime.fromtimestamp(now, datetime.timezone.utc)
    year = n.year // 100 * 100 + yy
    try:
        limit = n.replace(year=n.year + 50)
    except ValueError:  # 29 February
        limit = n.replace(year=n.year + 50, day=28)
    try:
        when = datetime.datetime(year, mon, day, hh, mi, min(ss, 59), tzinfo=datetime.timezone.utc)
    except ValueError:
        return year  # an impossible date: invalid whatever the century
    if when > limit:
        year -= 100
    return year


IMF_FIXDATE = re.compile(rb"[ \t]*[A-Za-z]{3}, \d\d [A-Za-z]{3} \d{4} \d\d:\d\d:\d\d GMT[ \t]*")


def one_date_when_merged(lines):
    """Whether field lines merged with ", " (as httpd does) read as one IMF-fixdate or
    rfc850-date: the shape alone, enough to tell a list of members from one date."""
    merged = b", ".join(lines)
    return bool(IMF_FIXDATE.fullmatch(merged) or RFC850.fullmatch(merged))


def is_entity_tag_like(value):
    v = value.strip(b" \t")
    return v.startswith(b'"') or v.startswith(b"W/")


def substitute(value, opaque, hexdigits):
    if opaque == b"":
        return value.replace(b'""', b'"' + hexdigits + b'"')
    # the opaque value as a whole: after a quote, W/, a list separator or the start, and before
    # a quote, a list separator or the end
    pattern = (rb'(?:(?<=")|(?<=/)|(?<=,)|(?<=[ \t])|^)' + re.escape(opaque)
               + rb'(?=["\s,]|$)')
    return re.sub(pattern, lambda m: hexdigits, value)


def plan_row(row, real_now, backend, buffered=False):
    """(path, weak, headers) for a row, or NotExpressible / Unreadable."""
    fields = {f: decode_cell(row[f]) for f in FIELDS}
    method = row["method"]
    if method not in ("GET", "HEAD"):
        raise NotExpressible(f"method {method}")
    if buffered and method == "HEAD":
        raise NotExpressible("HEAD in the buffering mode (no body to hash, no tag)")
    if row["has_range"] not in ("yes", "no"):
        raise Unreadable(f"has_range {row['has_range']!r}")
    etag_cell = row["resource_etag"]
    if etag_cell in ("", "(absent)"):
        raise NotExpressible("no current ETag" if etag_cell == "" else "no representation")
    etag_lines = decode_cell(etag_cell)
    if len(etag_lines) != 1:
        raise Unreadable("resource_etag with two lines")
    weak, opaque = parse_etag(etag_lines[0])
    if not row["resource_last_modified"]:
        raise NotExpressible("no Last-Modified")
    lm = parse_imf(row["resource_last_modified"])
    row_now = parse_imf(row["now"])
    if lm < 1:
        raise NotExpressible("Last-Modified before 1970")
    for f, lines in fields.items():
        if lines is None:
            continue
        if len(lines) > 1 and not backend.REPEATED_CONDITION_LINES:
            raise NotExpressible(f"{f} has {len(lines)} field lines")
        if any(c in line for line in lines for c in (b"\r", b"\n", b"\0")):
            raise NotExpressible(f"{f} holds CR, LF or NUL")
    dated = [f for f in ("if_modified_since", "if_unmodified_since") if fields[f] is not None]
    if fields["if_range"] is not None and not is_entity_tag_like(fields["if_range"][0]):
        dated.append("if_range")
    if dated and (lm > row_now - 1 or lm > real_now - 1):
        raise NotExpressible("Last-Modified not a second before now: outcome depends on now")
    for f in dated:
        if len(fields[f]) > 1:
            if getattr(backend, "MERGES_FIELD_LINES", False) and one_date_when_merged(fields[f]):
                raise NotExpressible(f"{f}: its {len(fields[f])} field lines merged with ', ' "
                                     "read as one date")
            continue  # several lines: the field is ignored, whatever the year
        a, b = rfc850_year(fields[f][0], row_now), rfc850_year(fields[f][0], real_now)
        if a != b:
            raise NotExpressible(f"rfc850 {f}: year {a} at the row's now, {b} today")
    body = WEAK_BODY if weak else BODY
    tag = harness.content_tag(body)
    hexdigits = tag.strip('"').encode()
    headers = []
    for f in FIELDS:
        for line in fields[f] or ():
            headers.append((HEADER[f], substitute(line, opaque, hexdigits)))
    if row["has_range"] == "yes":
        headers.append(("Range", b"bytes=0-4"))
    if weak:
        headers.append(("Accept-Encoding", b"gzip"))
    return {"method": method, "weak": weak, "lm": lm, "headers": headers, "body": body}


def read_table(path):
    with open(path, "rb") as f:
        text = f.read().decode("latin-1")
    lines = [l for l in text.split("\n")]
    if lines and lines[-1] == "":
        lines.pop()
    lines = [l[:-1] if l.endswith("\r") else l for l in lines]
    if not lines:
        return None, []
    header = lines[0].split("\t")
    return header, [l.split("\t") for l in lines[1:] if l != ""]


def tables():
    dirs = [os.path.join(ROOT, "tests", "vectors")]
    extra = os.environ.get("ETAGCORE_VECTORS_DIR")  # empty: unset
    if extra:
        dirs.append(extra)
    out = []
    for d in dirs:
        if not os.path.isdir(d):
            out.append((d, None))
            continue
        for name in sorted(os.listdir(d)):
            if name.endswith(".tsv"):
                out.append((os.path.join(d, name), name))
    return out


def options(argv):
    """(server name, http2, valgrind, buffered), or None for a bad command line."""
    flags = {"--http2", "--valgrind", "--buffered", "-v"}
    args = [a for a in argv if a not in flags]
    if len(args) != 2 or args[0] != "--server":
        return None
    if "--http2" in argv and "--buffered" in argv:
        return None
    return args[1], "--http2" in argv, "--valgrind" in argv, "--buffered" in argv


def valgrind_report(name, logs):
    """Prints memcheck's findings; returns how many fail the run."""
    failures, infos = memcheck.verdict(logs)
    for line in failures:
        print(f"  valgrind: {line}")
    for line in infos:
        print(f"# info - valgrind: {line}")
    n, ours, other = memcheck.counts(logs)
    print(f"{name} valgrind: {n} logs, {ours} errors in etagcore, {other} other errors")
    return len(failures)


def main(argv):
    parsed = options(argv)
    if parsed is None:
        print("usage: vectors.py --server NAME [--http2 | --buffered] [--valgrind] [-v]",
              file=sys.stderr)
        return 2
    server_name, http2, valgrind, buffered = parsed
    backend = harness.backend(server_name)
    if buffered and not hasattr(backend, "BUFFERED_LOCATION"):
        print(f"vectors.py: {server_name} has no buffering mode", file=sys.stderr)
        return 2
    real_now = time.time()
    passed_total = failed_total = 0
    jobs = []  # (file label, row id, plan, expected)
    per_file = {}
    for path, name in tables():
        label = os.path.relpath(path, ROOT) if path.startswith(ROOT) else path
        if name is None:
            print(f"{label}: not a folder")
            failed_total += 1
            continue
        header, rows = read_table(path)
        if header is None or "expected_status_per_RFC9110" not in header:
            continue  # the etag and date tables
        stats = per_file.setdefault(label, {"passed": 0, "failed": 0, "skipped": 0,
                                            "messages": []})
        missing = [c for c in REQUIRED if c not in header]
        if missing:
            stats["failed"] += 1
            stats["messages"].append(f"  missing column(s) {', '.join(missing)}")
            continue
        ids = set()
        for n, cells in enumerate(rows, 2):
            if len(cells) < len(header):
                cells = cells + [""] * (len(header) - len(cells))
            row = dict(zip(header, cells))
            rid = row["id"] or f"line {n}"
            if rid in ids:
                stats["failed"] += 1
                stats["messages"].append(f"  {rid}: duplicate id")
                continue
            ids.add(rid)
            try:
                expected = int(row["expected_status_per_RFC9110"])
                plan = plan_row(row, real_now, backend, buffered)
            except NotExpressible as e:
                stats["skipped"] += 1
                if VERBOSE:
                    stats["messages"].append(f"  {rid}: not expressible: {e}")
                continue
            except (Unreadable, ValueError) as e:
                stats["failed"] += 1
                stats["messages"].append(f"  {rid}: cannot decode the row: {e}")
                continue
            jobs.append((label, rid, plan, expected))

    config = backend.MODULE_ON + "\n" + backend.GZIP_LOCATION
    prefix = ""
    if buffered:
        config += "\n" + backend.BUFFERED_LOCATION
        prefix = backend.BUFFERED_PREFIX
    server = backend(config={None: config}, http2=http2, valgrind=valgrind)
    try:
        for i, (label, rid, plan, expected) in enumerate(jobs):
            plan["path"] = f"/{'weak/' if plan['weak'] else ''}r{i}.txt"
            server.write(plan["path"].lstrip("/"), plan["body"], mtime=plan["lm"])
        if jobs:
            server.start()
        for label, rid, plan, expected in jobs:
            stats = per_file[label]
            try:
                status, headers, body = server.request(plan["method"], prefix + plan["path"],
                                                      plan["headers"])
            except Exception as e:  # noqa: BLE001 - report any transport error as a failure
                stats["failed"] += 1
                stats["messages"].append(f"  {rid}: request failed: {e}")
                continue
            problem = None
            if status != expected:
                problem = f"{backend.name} answered {status}, expected {expected}"
            elif status == 206 and body != plan["body"][:5]:
                problem = f"206 with body {body!r}, expected {plan['body'][:5]!r}"
            elif (status == 200 and plan["method"] == "GET" and not plan["weak"]
                  and body != plan["body"]):
                problem = f"200 with body {body!r}, expected the 26 bytes"
            if problem:
                stats["failed"] += 1
                sent = "; ".join(f"{k}: {v.decode('latin-1')}" for k, v in plan["headers"])
                etag = harness.header(headers, "ETag")
                stats["messages"].append(
                    f"  {rid}: {problem} ({plan['method']} {plan['path']}; sent {sent}; "
                    f"ETag {etag}, Content-Range {harness.header(headers, 'Content-Range')})")
            else:
                stats["passed"] += 1
                if VERBOSE:
                    stats["messages"].append(f"  {rid}: ok, {status}")
    finally:
        server.stop()

    for label, stats in per_file.items():
        print(f"{label}: {stats['passed']} passed, {stats['failed']} failed, "
              f"{stats['skipped']} not expressible")
        for m in stats["messages"]:
            print(m)
        passed_total += stats["passed"]
        failed_total += stats["failed"]
    ways = [w for w, on in (("HTTP/2", http2), ("buffered", buffered), ("valgrind", valgrind))
            if on]
    name = f"{backend.name}_vectors" + (f" ({', '.join(ways)})" if ways else "")
    if valgrind:
        failed_total += valgrind_report(name, server.memcheck)
    print(f"{name}: {passed_total} passed, {failed_total} failed")
    return 1 if failed_total or not passed_total else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
