#!/usr/bin/env python3
"""Writes the committed seed corpus, fuzz/corpus/<target>/seed-*, from the conformance vectors
(tests/vectors/*.tsv) and the RFC 9110 examples. Run from fuzz/: python3 make_seeds.py."""
import csv, hashlib, os, re, struct, glob

HERE = os.path.dirname(os.path.abspath(__file__))
VECTORS = os.path.join(HERE, "..", "tests", "vectors")


def decode(cell):
    return re.sub(rb"\\x([0-9a-fA-F]{2})", lambda m: bytes([int(m.group(1), 16)]), cell.encode())


def write(target, data):
    folder = os.path.join(HERE, "corpus", target)
    os.makedirs(folder, exist_ok=True)
    name = "seed-" + hashlib.sha1(data).hexdigest()[:16]
    with open(os.path.join(folder, name), "wb") as f:
        f.write(data)


tags, lists, dates = set(), set(), set()
for path in sorted(glob.glob(os.path.join(VECTORS, "*.tsv"))):
    with open(path, newline="") as f:
        for row in csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE):
            if "opaque" in row:
                tags.add(decode(row["input"]))
            if "unix_seconds" in row:
                dates.add(decode(row["input"]))
            for col in ("if_match", "if_none_match"):
                if row.get(col):
                    lists.add(b"\n".join(decode(l) for l in row[col].split("\\n")))
            for col in ("if_modified_since", "if_unmodified_since", "if_range"):
                if row.get(col):
                    dates.add(decode(row[col].split("\\n")[0]))
            if row.get("resource_etag") not in (None, "", "(absent)"):
                tags.add(decode(row["resource_etag"]))

NOW = struct.pack("<q", 1767225600)  # Thu, 01 Jan 2026 00:00:00 GMT
for t in tags:
    write("entity_tag", t)
for l in lists:
    write("list", b"\x00" + l)
for d in dates:
    write("http_date", NOW + d)
for i, body in enumerate([b"", b"hello\n", bytes(range(256)) * 5]):
    write("content", bytes([i, 0, 7, 0]) + body)
for i, blob in enumerate(sorted(lists | tags | dates)[:24]):
    write("evaluate", bytes([i % 8]) + blob)
    write("c_abi", bytes([i % 5]) + blob)
