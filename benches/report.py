#!/usr/bin/env python3
"""Writes BENCHMARKS.md from one criterion run: `make bench` calls it after the benches.

    python3 benches/report.py [CRITERION_DIR] > BENCHMARKS.md

Reads every CRITERION_DIR/**/new/benchmark.json + estimates.json (default target/criterion),
takes the median of each benchmark, and writes the tables (ratios from the same run), the goals
with met / missed, the machine, and the static notes below. Only the standard library.
"""

import datetime
import glob
import json
import os
import platform
import re
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
COMMAND = "make bench"
COMMANDS = [
    "rm -rf target/criterion",
    "cargo bench --locked --workspace --bench '*'",
    "python3 benches/report.py target/criterion > BENCHMARKS.md",
]
PEERS = ["criterion", "headers", "http", "httpdate", "etag", "sha1", "md-5", "blake3", "xxhash-rust"]


# ----------------------------------------------------------------------------------- data


def load(root):
    """(group, function, parameter) -> {median ns, bytes per iteration or None}."""
    results = {}
    for path in glob.glob(os.path.join(root, "**", "new", "benchmark.json"), recursive=True):
        with open(path) as f:
            bench = json.load(f)
        with open(os.path.join(os.path.dirname(path), "estimates.json")) as f:
            est = json.load(f)
        throughput = bench.get("throughput") or {}
        key = (bench["group_id"], bench["function_id"], bench.get("value_str") or "")
        results[key] = {
            "median": est["median"]["point_estimate"],
            "bytes": throughput.get("Bytes") or throughput.get("BytesDecimal"),
        }
    return results


class Run:
    def __init__(self, results):
        self.r = results

    def ns(self, group, function, param):
        hit = self.r.get((group, function, param))
        return hit["median"] if hit else None

    def gibps(self, group, function, param):
        hit = self.r.get((group, function, param))
        if not hit or not hit["bytes"]:
            return None
        return hit["bytes"] / hit["median"] * 1e9 / 2**30

    def ratio(self, group, baseline, subject, param):
        """Baseline median / subject median: above 1, the subject is faster."""
        b, s = self.ns(group, baseline, param), self.ns(group, subject, param)
        return b / s if b and s else None


# ----------------------------------------------------------------------------- format


def t(ns):
    if ns is None:
        return "-"
    if ns < 1e3:
        return f"{ns:.3g} ns" if ns >= 10 else f"{ns:.2f} ns"
    if ns < 1e6:
        return f"{ns / 1e3:.3g} µs"
    if ns < 1e9:
        return f"{ns / 1e6:.3g} ms"
    return f"{ns / 1e9:.3g} s"


def x(r):
    if r is None:
        return "-"
    return f"{r:.2f}x" if r < 10 else f"{r:.1f}x"


def g(v):
    return "-" if v is None else (f"{v:.2f}" if v < 10 else f"{v:.1f}")


def pct(v):
    return "-" if v is None else f"{v * 100:.0f}%"


def table(header, rows):
    out = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    out += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(out)


def time_table(run, group, params, subject, columns, labels=None):
    """Rows: params. Columns: each function's median, then baseline / subject for each baseline."""
    labels = labels or {}
    header = ["case"] + [f"`{labels.get(c, c)}`" for c in columns]
    baselines = [c for c in columns if c != subject]
    header += [f"{labels.get(b, b)} ÷ {labels.get(subject, subject)}" for b in baselines]
    rows = []
    for p in params:
        row = [f"`{p}`"] + [t(run.ns(group, c, p)) for c in columns]
        row += [x(run.ratio(group, b, subject, p)) for b in baselines]
        rows.append(row)
    return table(header, rows)


# ----------------------------------------------------------------------------- goals


INM_CASES = ["one_tag_match", "one_tag_miss", "list10_match_last", "star", "hostile_64k"]
EVAL_CASES = ["none", "revalidate_304", "five_fields"]
SIZES = ["64B", "1KiB", "16KiB", "1MiB", "64MiB"]
DATE_FORMATS = ["imf_fixdate", "rfc850", "asctime"]
C_ABI_CASES = ["revalidate_304", "five_fields", "list_match"]
HTTP_CASES = ["browser revalidation", "if-none-match list of 4",
              "put with if-match + if-unmodified-since", "no conditions"]


def goals(run):
    """(id, goal, measured, met) for every goal of the issue."""
    out = []

    def add(gid, goal, measured, ok):
        out.append((gid, goal, measured, None if ok is None else bool(ok)))

    for case in ["one_tag_match", "one_tag_miss"]:
        r = run.ratio("if_none_match", "headers", "etagcore", case)
        add("inm_headers", f"If-None-Match `{case}`: at least 5x faster than `headers`",
            x(r), r and r >= 5)
        r = run.ratio("if_none_match", "etagcore", "naive", case)
        add("inm_naive", f"If-None-Match `{case}`: within 1.3x of the naive loop",
            f"{x(r)} the naive loop's time", r and r <= 1.3)
    ns = run.ns("evaluate", "etagcore", "five_fields")
    add("eval_100ns", "Full evaluation, five fields: median under 100 ns", t(ns), ns and ns < 100)
    r = run.ratio("evaluate", "headers_httpdate", "etagcore", "five_fields")
    add("eval_headers", "Full evaluation, five fields: at least 3x faster than headers+httpdate",
        x(r), r and r >= 3)
    for size in ["1MiB", "64MiB"]:
        r = run.ratio("content", "xxh3_128", "etagcore", size)
        add("content_xxh3", f"Content ETag {size}: at least 90% of raw XXH3-128 throughput",
            pct(r), r and r >= 0.9)
        r = run.ratio("content", "sha1", "etagcore", size)
        add("content_sha1", f"Content ETag {size}: at least 8x SHA-1", x(r), r and r >= 8)
    r = run.ratio("content", "etagcore", "xxh3_128", "64B")
    add("content_64b", "Content ETag 64 B: within 1.5x of raw XXH3-128",
        f"{x(r)} XXH3-128's time", r and r <= 1.5)
    for fmt in DATE_FORMATS:
        r = run.ratio("http_date_parse", "httpdate", "etagcore", fmt)
        add("date_parse", f"HTTP-date parse `{fmt}`: at least 2x faster than httpdate",
            x(r), r and r >= 2)
    for case in C_ABI_CASES:
        c, rust = run.ns("c_abi", "c_abi", case), run.ns("c_abi", "rust", case)
        over = c - rust if c is not None and rust is not None else None
        add("c_abi", f"C ABI overhead `{case}`: under 5 ns per call",
            "-" if over is None else f"{over:+.1f} ns", over is not None and over < 5)
    return out


# ----------------------------------------------------------------------------- machine


def sh(cmd):
    try:
        return subprocess.run(cmd, shell=True, capture_output=True, text=True, cwd=ROOT).stdout.strip()
    except OSError:
        return ""


def cpuinfo():
    model, flags = "unknown", ""
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                key, _, value = line.partition(":")
                if key.strip() == "model name" and model == "unknown":
                    model = value.strip()
                if key.strip() == "flags" and not flags:
                    flags = value.strip()
    except OSError:
        pass
    return model, flags


def versions():
    try:
        with open(os.path.join(ROOT, "Cargo.lock")) as f:
            lock = f.read()
    except OSError:
        return {}
    found = {}
    for name, version in re.findall(r'name = "([^"]+)"\nversion = "([^"]+)"', lock):
        if name in PEERS:
            found.setdefault(name, version)
    return found


# ----------------------------------------------------------------------------- notes

# Why a goal is missed, from callgrind (instruction counts: exact and repeatable on this VM).
# Printed under "Missed goals" for each goal id the run misses.
WHY = {
    "inm_naive": """\
**If-None-Match vs the naive loop.** The naive loop is one `memcmp` of the value against
`"5af94dd2-5ca3"`: 83 instructions a call in the counts below (about 45 without the loop around
it). etagcore's `if_none_match` now takes the one-line path of `list_holds` (d373285, change 1
below): trim the OWS, check for `*`, compare with the current tag's strong and weak forms, no
byte scan: about 146 instructions. What stays is 2-3x the naive loop (the trim, the `*` check,
the weak-flag logic, the call into the crate), the price of being right where the naive loop is
wrong (`"x", junk`, a tag inside another's quotes, any list).""",
    "inm_headers": """\
**If-None-Match vs `headers`.** `headers` clones the `HeaderValue`, splits on commas and parses
each tag: 777 instructions for one tag against etagcore's about 146 since d373285 (311 before).""",
    "eval_100ns": """\
**Full evaluation, five fields.** About 776 instructions a call since d373285 (1,065 before):
If-Match and If-None-Match on the one-line path, the If-Range date parse (about 400, see the
HTTP-date note) and the order logic.""",
    "eval_headers": """\
**Full evaluation vs headers+httpdate.** Both sides parse the same three fields (If-Match,
If-None-Match, If-Range by date): about 146 instructions per one-tag list check against
`headers`' 780, about 400 for the date against `httpdate`'s 730.""",
    "content_64b": """\
**Content ETag at 64 B.** XXH3-128 of 64 bytes is 113 instructions; `ContentTag::of` is 315:
about 170 go to the 32 hex digits (two bounds-checked table lookups per byte since 5014d87) and
to assembling and returning the 37-byte tag. The goal leaves 0.5x of a 5 ns hash, about 8
cycles, for 32 digits and the tag: out of reach for scalar code. Change 3 below (8 digits per
64-bit word, no table, no branch; `#[inline]` on the small entry points) gives 223 instructions
and 16 ns against 21-26 ns (one-shot) and 22 ns against 33-40 ns (streaming), XXH3 being 5.4 ns.
Closer would need SIMD (`pshufb`), i.e. `core::arch`, which `#![forbid(unsafe_code)]` rules
out.""",
    "content_xxh3": """\
**Content ETag vs raw XXH3-128 at 1 MiB / 64 MiB.** Both run the same `xxh3_128` (703,152 vs
702,656 instructions at 1 MiB: the hex digits are 0.07%). A shortfall here is the shared VM
between two back-to-back runs (the streaming table, same code, shows the opposite), not code.""",
    "content_sha1": """\
**Content ETag vs SHA-1.** SHA-1 here runs on the CPU's SHA extensions (`sha_ni` in the flags),
faster than on many servers, while XXH3 is built for SSE2 only (see "How to read this").""",
    "date_parse": """\
**HTTP-date parse vs httpdate.** Timings of this pair swing from run to run (IMF-fixdate gave
1.95x in one run and 3.47x in the next, same code); callgrind does not (counted on 0.1, which
still checked the day-name against the date; 0.2 accepts any day-name of the format, so these
counts are an upper bound): etagcore **420 / 605 /
403 instructions** for IMF-fixdate / rfc850 / asctime, `httpdate` **735 / 733 / 753**: 1.75x,
1.21x, 1.87x. No single hot spot: the cost is spread over checks httpdate makes more cheaply or
not at all: weekday against date (`days_from_civil` + `weekday`), leap second, day of month,
year 0001-9999 (`Stamp::to_unix`), name lookups (`weekday_number` 20, `month_number` 13), digit
parses with checked arithmetic. rfc850 adds about 180 for resolving the two-digit year against
`now` (`civil_from_days` of `now`), the RFC 9110 rule that httpdate replaces by a fixed pivot;
rfc850 at 2x means giving up that rule, which etagcore chose deliberately.""",
    "c_abi": """\
**C ABI overhead.** `etagcore_request_evaluate` for `revalidate_304` is 774 instructions
against `evaluate`'s 337: about 440 more per call. Of those, **184 are `EntityTag::parse` of
the current tag** (`etagcore_representation.etag` is bytes, validated on every call), 64 the five
`field_lines`, and the rest the NULL / alignment / length checks of eleven pointers,
`Method::from_bytes` and the panic guard. 5 ns is about 15 cycles: less than those checks,
which the ABI's contract requires. 5014d87 already removed the 320-store initialisation of the
line buffers (1,259 -> 774 with its list fast path); a word-at-a-time etagc scan (change 2
below) would halve the tag parse. Changes 1 and 3 on top of 5014d87's buffers measured +26 /
+31 / +16 ns, against +92 / +161 / +42 ns before 5014d87, side by side.""",
}

STATIC_NOTES = """\
## How to read this

- Every figure is the **median** of one criterion run on a **shared 2-core VM**: other work
  (builds, other sessions) may run at the same time, and the same bench moves by up to 2x between
  runs. Compare **ratios within a table**: each group runs etagcore and its baselines back to
  back in the same process. For the goals that are close, the instruction counts below are the
  stable evidence.
- A ratio is `baseline median ÷ etagcore median`: above 1, etagcore is faster. "x the naive
  loop's time" and "x XXH3-128's time" in the goals are the other way round, as the goals are.
- Inputs are prepared outside the timed loop as a server would hold them (`http::HeaderValue`s
  for `headers`, their bytes for etagcore, the current tag parsed once), every answer is checked
  before timing, and inputs and outputs go through `std::hint::black_box`.
- The default build (no `-C target-cpu`): `xxhash-rust` picks its XXH3 kernel at compile time
  and uses SSE2 here; `-C target-cpu=x86-64-v3` gives AVX2 and roughly doubles XXH3 up to
  1 MiB. BLAKE3 and SHA-1 pick AVX-512 / AVX2 / SHA extensions at run time.
- The naive loop (`benches/if_none_match.rs`) is deliberately wrong: `*` or the quoted current
  tag anywhere in the value. It is the floor a correct parser is measured against.
- The `headers` + `httpdate` evaluation (`benches/evaluate.rs`) follows the same section 13.2.2
  order as etagcore: `headers` typed headers for If-Match, If-None-Match and If-Range,
  `httpdate::parse_http_date` for If-Modified-Since and If-Unmodified-Since.
- The C ABI bench lives in the FFI crate (`ffi/benches/c_abi.rs`): calling an `unsafe extern "C"`
  function needs `unsafe`, which the core package forbids in all its targets.

## Profiling (callgrind)

The VM has no hardware counters and noisy timings; valgrind's callgrind counts instructions
exactly. Per-call counts of etagcore's functions come straight from a bench executable:

```sh
cargo bench --locked --no-run                      # prints the executables' paths
valgrind --tool=callgrind --callgrind-out-file=cg.out \\
  target/release/deps/if_none_match-<hash> --bench --profile-time 2 'etagcore/one_tag_match$'
callgrind_annotate --inclusive=yes --tree=calling cg.out | grep etagcore::
# Ir of etagcore::condition::if_none_match / its call count = instructions per call
```

The table's counts came from a small bench-like binary calling each operation 20,000 times:
`(Ir(N=20000) - Ir(N=0)) / 20000`, about 35 of which are the loop and dispatch. Columns: the
library before 5014d87 ("Hot paths found by the benches"), at 5014d87, and with the changes
recommended below (1 and 3) on top of 5014d87's C ABI buffers (a scratch copy, not this tree).

| operation | before 5014d87 | 5014d87 | changes 1 and 3 |
|---|---|---|---|
| `if_none_match`, one tag, match / miss | 476 / 475 | 311 / 310 | 146 / 149 |
| `if_none_match`, `*` | 156 | 196 | 90 |
| naive loop, one tag | 83 | 83 | 83 |
| `headers` decode + `precondition_passes`, one tag | 777 | 777 | 777 |
| `EntityTag::parse`, 15 bytes | 227 | 227 | 227 |
| `evaluate`, five fields / revalidate | 1,396 / 502 | 1,065 / 337 | 776 / 189 |
| `parse_http_date` IMF-fixdate / rfc850 / asctime | 420 / 605 / 403 | same | same |
| `httpdate::parse_http_date`, same three | 735 / 733 / 753 | same | same |
| `etagcore_request_evaluate`, revalidate / five fields | 1,259 / 2,214 | 774 / 1,563 | 626 / 1,274 |
| `etagcore_list_match` / `list_matches`, one tag | 830 / 489 | 604 / 324 | 769 / 489 |
| `ContentTag::of` / `xxh3_128`, 64 B | 293 / 113 | 315 / 113 | 223 / 113 |
| `ContentTag::of` / `xxh3_128`, 1 MiB | 703,152 / 702,656 | same | same |

(`etagcore_list_match` in the last column lacks 5014d87's parse-first fast path in
`list_matches`; change 1 puts its own in `if_match` / `if_none_match`. Both can coexist.)

## Recommended library changes

Found with callgrind while writing the benches and tried in a scratch copy first; change 1 is
now in the library (d373285, with a unit test against `list_matches`), 2 and 3 are not. The core's unit, golden,
vector, property and bad-input tests pass with them, and so does a 200,000-case property test
that `if_match` / `if_none_match` equal `list_matches(..).unwrap_or(false)` (strong) and its
negation (weak) on random values over `"`, `W`, `/`, `,`, space, tab, `*`, `a`, `b`.

1. **Done in d373285.** **`src/list.rs` + `src/condition.rs`: compare before validating.** A
   `pub(crate) fn list_holds(lines, current, comparison) -> bool`, equal to
   `list_matches(..).unwrap_or(false)` (all `If-Match` / `If-None-Match` need: a malformed list
   and a list without a match give the same answer), `#[inline]`, called by `if_match` and
   `if_none_match` (also `#[inline]`). With one field line and a current tag `"opaque"`: the
   trimmed line `*` -> true; exactly `"opaque"` or `W/"opaque"` -> a match decided by weakness
   alone (the bytes are the current tag's, so already valid: no scan, no second compare); any
   other line no longer than `"opaque"` -> false (no member of it can be `"opaque"`); otherwise
   the existing path. Effect: see the table (one tag 311 -> 146, `*` 196 -> 90, five-field
   `evaluate` 1,065 -> 776); one tag 8-12 ns against 25-38 ns before 5014d87.
2. **`src/etag.rs` `EntityTag::new` / `src/list.rs` `split_tag`: a word-at-a-time etagc
   scan.** 118 of `EntityTag::parse`'s 184 instructions are the byte loop; checking 8 bytes at a
   time (any byte `< 0x21`, `== 0x22` or `== 0x7F`, with the usual has-less / has-zero word
   tricks on `u64::from_le_bytes`, bytes `>= 0x80` passing) would cut roughly 100 from every
   parse: the current tag on every C ABI call, every list member. Not tried.
3. **`src/content.rs`: branch-free, table-free hex, and `#[inline]`.** In
   `ContentTag::from_xxh3_128`, spread the 16 nibbles of each 64-bit half into bytes (three
   shift-or-mask steps), add `'0'` and `39 * ((d + 6) >> 4)` per byte as one word-wide add, and
   write with `to_be_bytes`; `#[inline]` on `ContentTag::of`, `from_xxh3_128` and
   `ContentHasher::{new, update, finish}` so the 600-byte hasher state is not built and copied
   behind a call. Effect: 64 B one-shot 315 -> 223 instructions, 21-26 ns -> 16 ns; 64 B
   streaming 33-40 ns -> 22 ns.
"""


# ----------------------------------------------------------------------------- report


def report(run):
    out = []
    w = out.append
    model, flags = cpuinfo()
    vers = versions()
    w("# Benchmarks\n")
    w(f"Generated by `{COMMAND}` (`benches/report.py`) from one criterion run, "
      f"{datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M} UTC. Medians from one run on "
      "a shared 2-core VM: compare the ratios, not the absolute times.\n")
    dirty = sh("git status --porcelain -- src ffi/src")
    w(f"Library under test: `{sh('git log -1 --format=%h')}` "
      f"({sh('git log -1 --format=%s')})"
      + (", **with uncommitted changes in src/ or ffi/src/**" if dirty else "") + ".\n")

    # Headline.
    w("## Headline\n")
    inm = run.ns("if_none_match", "etagcore", "one_tag_match")
    w(f"- **If-None-Match, one tag:** {t(inm)}, "
      f"{x(run.ratio('if_none_match', 'headers', 'etagcore', 'one_tag_match'))} faster than "
      f"`headers` ({t(run.ns('if_none_match', 'headers', 'one_tag_match'))}); the deliberately wrong "
      f"naive loop takes {t(run.ns('if_none_match', 'naive', 'one_tag_match'))}.")
    w(f"- **Full RFC 9110 evaluation, all five conditional fields:** "
      f"{t(run.ns('evaluate', 'etagcore', 'five_fields'))}, "
      f"{x(run.ratio('evaluate', 'headers_httpdate', 'etagcore', 'five_fields'))} faster than the "
      f"same decision from `headers` + `httpdate`; browser revalidation (If-None-Match + "
      f"If-Modified-Since) {t(run.ns('evaluate', 'etagcore', 'revalidate_304'))}, "
      f"{x(run.ratio('evaluate', 'headers_httpdate', 'etagcore', 'revalidate_304'))}.")
    for size in ["1MiB", "64MiB"]:
        w(f"- **Content ETag, {size}:** {g(run.gibps('content', 'etagcore', size))} GiB/s, "
          f"{pct(run.ratio('content', 'xxh3_128', 'etagcore', size))} of raw XXH3-128, "
          f"{x(run.ratio('content', 'sha1', 'etagcore', size))} SHA-1, "
          f"{x(run.ratio('content', 'md5', 'etagcore', size))} MD5, "
          f"{x(run.ratio('content', 'blake3', 'etagcore', size))} BLAKE3 "
          f"(memory read pass: {g(run.gibps('content', 'read', size))} GiB/s).")
    w(f"- **HTTP-date parse (IMF-fixdate):** {t(run.ns('http_date_parse', 'etagcore', 'imf_fixdate'))}, "
      f"{x(run.ratio('http_date_parse', 'httpdate', 'etagcore', 'imf_fixdate'))} faster than `httpdate`.")
    c, rust = run.ns("c_abi", "c_abi", "revalidate_304"), run.ns("c_abi", "rust", "revalidate_304")
    if c is not None and rust is not None:
        w(f"- **C ABI:** `etagcore_request_evaluate` {t(c)} vs `evaluate` {t(rust)}: "
          f"{c - rust:+.1f} ns per call.")
    w("")

    # Goals.
    gl = goals(run)
    w("## Goals\n")
    w(table(["goal", "measured", "met"],
            [[goal, measured, "-" if ok is None else ("yes" if ok else "**no**")]
             for _, goal, measured, ok in gl]))
    w("")
    missed = []
    for gid, _, _, ok in gl:
        if ok is False and gid not in missed:
            missed.append(gid)
    if missed:
        w("### Missed goals: what limits them\n")
        for gid in missed:
            w(WHY[gid] + "\n")

    # Machine.
    w("## Machine and command\n")
    w(f"- CPU: {model}, {os.cpu_count()} logical cores visible; "
      f"{platform.system()} {platform.release()}")
    w(f"- {sh('rustc -V')}; {sh('cargo -V')}")
    w("- Crates: " + ", ".join(f"{k} {vers[k]}" for k in PEERS if k in vers))
    w(f"- Command: `{COMMAND}`, which runs:\n")
    w("```sh\n" + "\n".join(COMMANDS) + "\n```\n")
    w("<details><summary>CPU flags (/proc/cpuinfo)</summary>\n")
    w("```text\n" + flags + "\n```\n</details>\n")

    # Tables.
    w("## 1. If-None-Match decision\n")
    w("Current tag `\"5af94dd2-5ca3\"` (nginx style). `one_tag_miss` is a changed file's tag, "
      "`list10_match_last` ten tags with the match last, `hostile_64k` 64 KiB of near misses "
      "(`\"5af94dd2-5ca4\", ` repeated): read to the end, no match.\n")
    w(time_table(run, "if_none_match", INM_CASES, "etagcore", ["etagcore", "headers", "naive"]))
    w("")
    w("## 2. Full evaluation (RFC 9110 section 13.2.2)\n")
    w("`none`: a GET with no conditional field. `revalidate_304`: If-None-Match (matching) + "
      "If-Modified-Since, 304. `five_fields`: If-Match (holds, so If-Unmodified-Since is not "
      "consulted), If-None-Match (misses, so If-Modified-Since is not either), If-Range by date "
      "equal to Last-Modified, and Range: 206.\n")
    w(time_table(run, "evaluate", EVAL_CASES, "etagcore", ["etagcore", "headers_httpdate"],
                 {"headers_httpdate": "headers+httpdate"}))
    w("")
    w("## 3. Entity tags\n")
    w("Parse `\"5af94dd2-5ca3\"` / `W/\"5af94dd2-5ca3\"`: `EntityTag::parse` (borrows) vs "
      "`headers::ETag` and `etag::EntityTag` from `str`.\n")
    w(time_table(run, "entity_tag_parse", ["strong", "weak"], "etagcore",
                 ["etagcore", "headers", "etag_crate"], {"etag_crate": "etag"}))
    w("")
    w("Format: `write_to` writes a parsed weak tag into a buffer (`etag`: `write!` into a reused "
      "`String`; `headers`: `Header::encode` to a `HeaderValue`). `mtime_size` builds nginx's "
      "`\"5af94dd2-5ca3\"` from two integers: hex digits on the stack, `EntityTag::new` + "
      "`write_to` into a buffer, vs `format!`.\n")
    w(time_table(run, "entity_tag_format", ["write_to", "mtime_size"], "etagcore",
                 ["etagcore", "etag_crate", "headers", "format"],
                 {"etag_crate": "etag", "format": "format!"}))
    w("")
    w("## 4. HTTP-dates\n")
    w("Parse the RFC's example instant in each format (`Sun, 06 Nov 1994 08:49:37 GMT`, "
      "`Sunday, 06-Nov-94 08:49:37 GMT`, `Sun Nov  6 08:49:37 1994`).\n")
    w(time_table(run, "http_date_parse", DATE_FORMATS, "etagcore", ["etagcore", "httpdate"]))
    w("")
    w("Format IMF-fixdate: `format_http_date` returns `[u8; 29]`; `httpdate`'s `HttpDate` "
      "`Display` into a stack buffer, and `fmt_http_date` (a new `String`).\n")
    w(time_table(run, "http_date_format", ["imf_fixdate"], "etagcore",
                 ["etagcore", "httpdate", "httpdate_string"],
                 {"httpdate_string": "fmt_http_date"}))
    w("")
    w("## 5. Content ETag (hash + format)\n")
    w("Throughput in GiB/s (median). `xxh3_128` is the raw hash with no tag (the ceiling); "
      "SHA-1, MD5 and BLAKE3 include formatting their digest as a tag (`write_digest_tag`); "
      "`read` sums the buffer as u64 words (the memory-bandwidth limit). Sizes up to 16 KiB stay "
      "in cache between iterations; 64 MiB does not.\n")
    for title, suffix in [("One-shot", ""), ("Streaming, 64 KiB chunks", "_stream")]:
        w(f"**{title}**\n")
        subject = "etagcore" + suffix
        peers = [p + suffix for p in ["xxh3_128", "sha1", "md5", "blake3"]]
        cols = [subject] + peers + ([] if suffix else ["read"])
        header = ["size", f"`{subject}` time"] + [f"`{c}` GiB/s" for c in cols]
        header += [f"% of `{peers[0]}`"] + [f"× `{p}`" for p in peers[1:]]
        if not suffix:
            header.append("% of `read`")
        rows = []
        for size in SIZES:
            row = [size, t(run.ns("content", subject, size))]
            row += [g(run.gibps("content", c, size)) for c in cols]
            row.append(pct(run.ratio("content", peers[0], subject, size)))
            row += [x(run.ratio("content", p, subject, size)) for p in peers[1:]]
            if not suffix:
                row.append(pct(run.ratio("content", "read", subject, size)))
            rows.append(row)
        w(table(header, rows))
        w("")
    w("## 6. C ABI overhead\n")
    w("The same decisions through `etagcore_request_evaluate` / `etagcore_list_match` (the "
      "`etagcore-ffi` rlib's `extern \"C\"` functions, as C calls them, structs built once) and "
      "through `evaluate` / `list_matches`. The C side also parses the current tag from bytes on "
      "every call, as its API requires.\n")
    header = ["case", "`c_abi`", "`rust`", "overhead per call", "c_abi ÷ rust"]
    rows = []
    for case in C_ABI_CASES:
        c, rust = run.ns("c_abi", "c_abi", case), run.ns("c_abi", "rust", case)
        over = "-" if c is None or rust is None else f"{c - rust:+.1f} ns"
        rows.append([f"`{case}`", t(c), t(rust), over, x(run.ratio("c_abi", "c_abi", "rust", case))])
    w(table(header, rows))
    w("")
    w("## 7. etagcore-http\n")
    w("`crates/http/benches/conditions.rs`: `Conditions::new(&Method, &HeaderMap)` + `evaluate` "
      "against the same decision from the `headers` crate's typed headers on the same `HeaderMap` "
      "(`typed_get`) and `httpdate`.\n")
    w(time_table(run, "http_adapter", HTTP_CASES, "etagcore-http", ["etagcore-http", "headers"]))
    w("")
    w("`crates/http/benches/layer.rs`: a 16 KiB response through the tower layers, against the "
      "service alone; and a revalidation answered 304 by the layer stack against the full 200 it "
      "saves.\n")
    w(time_table(run, "layer", ["16KiB"], "service",
                 ["service", "content_etag", "precondition+content_etag"]))
    w("")
    w(time_table(run, "revalidation", ["16KiB"], "service_200",
                 ["service_200", "stack_304_identity", "stack_304_gzip", "stack_200_gzip"]))
    w("")
    w(STATIC_NOTES)
    return "\n".join(out)


def main():
    root = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "target", "criterion")
    results = load(root)
    if not results:
        sys.exit(f"report.py: no criterion results under {root}")
    sys.stdout.write(report(Run(results)))
    # The crates' and server modules' own figures (hyperfine for the CLI, wrk for the static
    # servers and nginx: `make cli-bench`, `make rust-load`, `make actix-load`,
    # `make nginx-bench`) ride along unchanged, a whole report demoted one heading level.
    paths = sorted(glob.glob(os.path.join(ROOT, "crates", "*", "BENCHMARKS.md")))
    # each server's BENCHMARKS.md, then its BENCHMARKS-*.md (`make nginx-buffer-bench`), sorted
    for server in sorted(glob.glob(os.path.join(ROOT, "servers", "*", ""))):
        paths += sorted(glob.glob(os.path.join(server, "BENCHMARKS.md")))
        paths += sorted(glob.glob(os.path.join(server, "BENCHMARKS-*.md")))
    for path in paths:
        with open(path) as f:
            text = f.read()
        if text.startswith("# "):
            # a whole report of its own: its headings go one level down
            text = "\n".join("#" + line if line.startswith("#") else line
                              for line in text.split("\n"))
        sys.stdout.write("\n" + text)


if __name__ == "__main__":
    main()
