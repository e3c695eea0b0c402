#!/usr/bin/env python3
"""A server under valgrind's memcheck, and the verdict on its logs.

`command(log_dir, suppressions)` is what a backend puts before its own command line;
`scan(log_dir)` reads the logs (`valgrind.PID.log`) into `Log`s; `verdict(logs)` says which
errors are ours. An error is ours when any frame of any of its stacks (where it happened, where
the block was allocated or freed, where an uninitialised value came from) is in etagcore's
module or library: a function `ngx_http_content_etag*`, `content_etag_*` (Apache's module),
`etagcore_*` (the C ABI) or `etagcore::*` (the Rust core), a line of the Apache module's sources
(`mod_content_etag.c`, `content_etag_*.c`), or code in a file named
`ngx_http_content_etag_module.so` or `mod_content_etag.so`. Those fail a run;
any other error is reported as information (a bug of the server itself or of a library, not one
to fix here). Leaks are not checked (`--leak-check=no`): nginx frees its pools wholesale at
exit, or never, which memcheck would call leaks.

As a script, it judges logs kept from a run (or made by hand):
    python3 servers/farm/memcheck.py valgrind.1234.log ...
prints each error and exits 1 when one is ours, or when a log is incomplete.
"""
import os
import re
import shutil
import sys

VALGRIND = shutil.which("valgrind") or "valgrind"
# The exit status valgrind gives a run with errors: unlike any of nginx's own.
ERROR_EXITCODE = 99
# Logs with errors are copied here before the server's prefix is removed.
KEEP_DIR = os.environ.get("ETAGCORE_VALGRIND_KEEP") or os.path.join(
    os.path.dirname(os.path.abspath(__file__)), "..", "..", "target", "valgrind")

OURS = re.compile(r"^<?(ngx_http_content_etag|content_etag_|etagcore(_|::))")
# Apache's module has static functions of any name: its frames are known by their source file
OUR_SOURCE = re.compile(r"\((mod_content_etag|content_etag_\w+)\.[ch]:\d+\)")
OUR_OBJECTS = ("ngx_http_content_etag_module.so", "mod_content_etag.so")
LINE = re.compile(r"^==(\d+)== ?(.*)$")
FRAME = re.compile(r"^\s*(?:at|by) 0x[0-9A-Fa-f]+: (.*)$")
SUMMARY = re.compile(r"ERROR SUMMARY: (\d+) errors? from (\d+) contexts?")


def command(log_dir, suppressions=()):
    """valgrind's command line, to put before the server's (which must stay one process)."""
    cmd = [VALGRIND, "--tool=memcheck", f"--error-exitcode={ERROR_EXITCODE}",
           f"--log-file={os.path.join(log_dir, 'valgrind.%p.log')}", "--leak-check=no",
           # where an uninitialised value was made: often the only frame that names its author
           "--track-origins=yes",
           # deep enough to reach the module's frames below libc, nginx's chain and the Rust core
           "--num-callers=40"]
    return cmd + [f"--suppressions={s}" for s in suppressions]


class Error:
    """One error context of a log: its heading ("Invalid read of size 1") and every frame."""

    def __init__(self, heading, stacks):
        self.heading = heading
        # where it happened, then any other stack (allocated, freed, uninitialised value made);
        # a frame reads "function (file:line)" or "function (in /object.so)"
        self.stacks = stacks
        self.frames = [f for stack in stacks for f in stack]
        # a crash is reported with a stack but not counted in the ERROR SUMMARY
        self.counted = not heading.startswith("Process terminating")

    def ours(self):
        return any(is_ours(f) for f in self.frames)

    def describe(self, frames=3):
        """The heading, the first frames of its stack and, when none of them is ours, our first
        frame in any stack: the full stacks are in the log."""
        shown = self.stacks[0][:frames]
        ours = [f for f in self.frames if is_ours(f) and f not in shown]
        if ours and not any(is_ours(f) for f in shown):
            shown += ["...", ours[0]]
        return f"{self.heading} at " + " < ".join(shown)


def is_ours(frame):
    return (bool(OURS.match(frame)) or bool(OUR_SOURCE.search(frame))
            or any(o in frame for o in OUR_OBJECTS))


class Log:
    """One valgrind log: its errors, and the counts of its final ERROR SUMMARY (None when the
    process never got there: killed, or still running)."""

    def __init__(self, path):
        self.path = path
        self.errors = []
        self.summary = None  # (errors, contexts)
        self.kept = None     # where a log with errors was copied


def parse(path):
    """A Log from a valgrind log file. Its blocks are separated by `==PID== ` lines; a block is
    an error when it holds a stack (`at 0x...:`), its first line the heading. Preamble, heap
    summary and warnings have no stack."""
    log = Log(path)
    block = []
    with open(path, errors="replace") as f:
        for raw in f:
            m = LINE.match(raw.rstrip("\n"))
            if not m:
                continue  # a line valgrind's own process did not write
            text = m.group(2)
            summary = SUMMARY.search(text)
            if summary:
                log.summary = (int(summary.group(1)), int(summary.group(2)))
            if text.strip():
                block.append(text)
            else:
                add_error(log, block)
                block = []
    add_error(log, block)
    return log


def add_error(log, block):
    stacks, previous = [], None
    for line in block[1:]:
        m = FRAME.match(line)
        if m:
            if previous is None:  # a stack starts after the heading or a line like "Address..."
                stacks.append([])
            stacks[-1].append(m.group(1))
        previous = m
    if stacks:
        log.errors.append(Error(block[0].strip(), stacks))


def scan(log_dir):
    """The Logs of `log_dir`; a log with errors is first copied to KEEP_DIR (the folder is
    about to be removed with the server's prefix)."""
    logs = []
    for name in sorted(os.listdir(log_dir)):
        if name.startswith("valgrind.") and name.endswith(".log"):
            log = parse(os.path.join(log_dir, name))
            if log.errors:
                log.kept = keep(log.path)
            logs.append(log)
    return logs


def keep(path):
    os.makedirs(KEEP_DIR, exist_ok=True)
    kept = os.path.join(KEEP_DIR, f"{os.path.basename(os.path.dirname(path))}."
                                  f"{os.path.basename(path)}")
    shutil.copyfile(path, kept)
    return os.path.normpath(kept)


def verdict(logs):
    """(failures, infos): lines describing errors that are ours or logs that cannot be trusted
    (failures), and the server's or libraries' own errors (infos)."""
    failures, infos = [], []
    for log in logs:
        where = log.kept or log.path
        for error in log.errors:
            (failures if error.ours() else infos).append(f"{error.describe()} [{where}]")
        if log.summary is None:
            failures.append(f"no ERROR SUMMARY: the process did not exit normally [{where}]")
        elif log.summary[1] != sum(e.counted for e in log.errors):
            # a shape of error this parser does not know: never let it pass unseen
            failures.append(f"valgrind counted {log.summary[1]} error contexts, the parser "
                            f"{sum(e.counted for e in log.errors)} [{where}]")
    return failures, infos


def counts(logs):
    """(logs, errors that are ours, other errors), for a summary line."""
    ours = sum(1 for log in logs for e in log.errors if e.ours())
    return len(logs), ours, sum(len(log.errors) for log in logs) - ours


def main(paths):
    if not paths:
        print("usage: memcheck.py VALGRIND_LOG ...", file=sys.stderr)
        return 2
    logs = [parse(p) for p in paths]
    failures, infos = verdict(logs)
    for line in failures:
        print(f"not ok - {line}")
    for line in infos:
        print(f"# info - {line}")
    n, ours, other = counts(logs)
    print(f"memcheck: {n} logs, {ours} errors in etagcore, {other} other errors")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
