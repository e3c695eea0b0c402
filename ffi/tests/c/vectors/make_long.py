#!/usr/bin/env python3
"""Writes the C vector runner's own fixtures (long-*.tsv, wide-etag.tsv) in this folder.

The conformance vectors' grammar has no length limit: an entity tag of 8,192 opaque bytes is as
valid as one of 5. These rows are long on purpose: cells of 8 KiB to 70,000 bytes, cells whose
`\\xNN` escapes make them four times longer than their bytes, lines above 64 KiB, and a table with
more than 64 columns. `make c-test` and `make c-valgrind` run them through vectors_test.c only:
an 8 KiB If-None-Match field line exceeds nginx's default large_client_header_buffers, so they
stay out of tests/vectors/, which every runner reads. Format: ../shared/vectors/FORMAT.md.

Each expected value is assigned by hand from RFC 9110 (the row's note or source_reason says
which rule); the Rust runner agrees: ETAGCORE_VECTORS_DIR=ffi/tests/c/vectors cargo test --test
vectors. Run from this folder: python3 make_long.py. The .tsv files are committed; this script
is their source.
"""

NOW = "Thu, 01 Jan 2026 00:00:00 GMT"
LM = "Wed, 21 Oct 2015 07:28:00 GMT"

# etagc = %x21 / %x23-7E / obs-text (RFC 9110 section 8.8.3): every byte but DQUOTE, SP, DEL
# and the controls.
ETAGC = bytes([0x21] + list(range(0x23, 0x7F)) + list(range(0x80, 0x100)))
PLAIN = bytes(b for b in ETAGC if b < 0x80 and b != 0x5C)


def cycle(alphabet, n, start=0):
    """n bytes cycling through alphabet, from alphabet[start]."""
    return bytes(alphabet[(start + i) % len(alphabet)] for i in range(n))


def enc(data, escape_all=False):
    """A cell: printable ASCII as itself, a backslash and any other byte as \\xNN."""
    out = []
    for b in data:
        if escape_all or b == 0x5C or b < 0x21 or b > 0x7E:
            out.append(f"\\x{b:02X}" if b % 2 else f"\\x{b:02x}")  # either case of hex
        else:
            out.append(chr(b))
    return "".join(out)


def tag(opaque, weak=False):
    return (b'W/"' if weak else b'"') + opaque + b'"'


def write(name, header, rows):
    with open(name, "w", newline="") as f:
        for row in [header] + rows:
            assert len(row) == len(header) and all("\t" not in c and "\n" not in c for c in row)
            f.write("\t".join(row) + "\n")


# The etag table: long opaque parts, plain and escaped.
o8k = cycle(PLAIN, 8192)
all8k = cycle(ETAGC, 8192, start=7)
o70k = cycle(PLAIN, 70000, start=3)
bad_sp = o8k[:4096] + b" " + o8k[4097:]
write("long-etag.tsv", ["input", "valid", "weak", "opaque", "note"], [
    [enc(tag(o8k)), "yes", "no", enc(o8k), "8,192 opaque bytes: entity-tag has no length limit (8.8.3)"],
    [enc(tag(all8k, weak=True)), "yes", "yes", enc(all8k), "8,192 bytes of every etagc value, obs-text and backslash escaped"],
    [enc(tag(all8k), escape_all=True), "yes", "no", enc(all8k, escape_all=True), "every byte written \\xNN: two 32 KiB cells, a line above 64 KiB"],
    [enc(tag(o70k)), "yes", "no", enc(o70k), "70,000 opaque bytes: one cell above 64 KiB"],
    [enc(tag(bad_sp)), "no", "", "", "8,193 bytes with a space in the middle: SP is not etagc"],
    [enc(b'"' + o8k), "no", "", "", "8,193 bytes with no closing DQUOTE"],
    [enc(b'W/"' + o8k + b'"x'), "no", "", "", "a byte after the closing DQUOTE of an 8 KiB tag"],
])

# The same table 76 columns wide, the required ones last: a runner that keeps only its first 64
# columns misses them.
info = [f"info{i:02d}" for i in range(1, 72)]
write("wide-etag.tsv", ["id"] + info + ["input", "valid", "weak", "opaque", "note"], [
    ["wide-strong"] + [f"i{i}" for i in range(1, 72)] + ['"xyzzy"', "yes", "no", "xyzzy", "76 columns"],
    ["wide-weak"] + [""] * 71 + ['W/"xyzzy"', "yes", "yes", "xyzzy", "76 columns, empty ones between"],
    ["wide-invalid"] + ["-"] * 71 + ["xyzzy", "no", "", "", "76 columns, no quotes"],
])

# The date table: a long invalid input, and a valid row with a long informational cell.
write("long-date.tsv", ["input", "valid", "unix_seconds", "note", "now"], [
    ["x" * 8192, "no", "", "8,192 bytes: not an HTTP-date (5.6.7)", NOW],
    [enc(b"Sun, 06 Nov 1994 08:49:37 GMT" + b"x" * 8192), "no", "", "a date followed by 8 KiB", NOW],
    ["Sun, 06 Nov 1994 08:49:37 GMT", "yes", "784111777", "an 8 KiB note: " + "n" * 8192, NOW],
])

# The conditional table: 8 KiB request fields and resource tags.
COLS = ["id", "method", "if_match", "if_none_match", "if_modified_since", "if_unmodified_since",
        "if_range", "has_range", "resource_etag", "resource_last_modified",
        "expected_status_per_RFC9110", "source_reason", "now"]


def cond(id, expected, reason, method="GET", im="", inm="", ims="", ius="", ir="", rng="no",
         etag='"xyzzy"', lm=LM):
    return [id, method, im, inm, ims, ius, ir, rng, etag, lm, str(expected), reason, NOW]


t8k = enc(tag(o8k))
t8k_all = enc(tag(all8k))
near = o8k[:-1] + (b"a" if o8k[-1:] != b"a" else b"b")
k1 = [cycle(PLAIN, 1024, start=i) for i in range(32)]
write("long-conditional.tsv", COLS, [
    cond("inm-8k-match", 304, "If-None-Match weak match of an 8 KiB tag -> false -> 304 for GET (13.1.2)", inm=t8k, etag=t8k),
    cond("inm-8k-weak-match", 304, "weak comparison ignores W/ (8.8.3.2, 13.1.2)", inm=enc(tag(o8k, weak=True)), etag=t8k),
    cond("inm-8k-miss-last-byte", 200, "8 KiB tags that differ in the last byte do not match (8.8.3.2)", inm=enc(tag(near)), etag=t8k),
    cond("inm-8k-obs-text-list", 304, "a list whose second member is the 8 KiB tag of every etagc byte (13.1.2)", inm='"a", ' + t8k_all, etag=t8k_all),
    cond("im-8k-match-put", 200, "If-Match strong match of an 8 KiB tag -> true (13.1.1)", method="PUT", im=t8k, etag=t8k),
    cond("im-8k-miss-put", 412, "If-Match: the 8 KiB tags differ in the last byte -> false -> 412 (13.1.1)", method="PUT", im=enc(tag(near)), etag=t8k),
    cond("im-8k-weak-put", 412, "If-Match uses the strong comparison: a weak 8 KiB tag never matches (13.1.1)", method="PUT", im=enc(tag(o8k, weak=True)), etag=enc(tag(o8k, weak=True))),
    cond("ir-8k-range", 206, "If-Range strong match of an 8 KiB tag -> serve the range (13.1.5)", ir=t8k, rng="yes", etag=t8k),
    cond("inm-32-lines-1k", 304, "32 field lines of 1 KiB tags, the last one current (5.3, 13.1.2)", inm="\\n".join(enc(tag(k)) for k in k1), etag=enc(tag(k1[-1]))),
    cond("none-long-reason", 200, "no conditions; an 8 KiB informational cell: " + "r" * 8192),
])
