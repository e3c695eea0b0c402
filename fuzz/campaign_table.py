#!/usr/bin/env python3
"""Prints the campaign table of fuzz/README.md from target/fuzz-campaign/<target>.log, the logs
`make fuzz-campaign` writes: executions, speed, coverage, corpus, peak memory, crashes."""
import os
import re
import sys

LOGS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "target", "fuzz-campaign")
TARGETS = ["entity_tag", "list", "http_date", "evaluate", "content", "c_abi"]

print("| target | executions | exec/s | coverage (edges) | features | corpus | peak RSS | crashes |")
print("|---|---|---|---|---|---|---|---|")
for t in TARGETS:
    path = os.path.join(LOGS, t + ".log")
    if not os.path.exists(path):
        print(f"| `{t}` | not run | | | | | | |")
        continue
    text = open(path, errors="replace").read()
    done = re.search(r"#(\d+)\s+DONE\s+cov: (\d+) ft: (\d+) corp: (\d+)/(\S+)", text)
    stat = lambda k: (re.search(rf"stat::{k}:\s+(\d+)", text) or [None, "?"])[1]
    crashes = len(re.findall(r"==\d+== ERROR|panicked at|deadly signal", text))
    if done:
        runs, cov, ft, corp, size = done.groups()
        print(f"| `{t}` | {int(runs):,} | {stat('average_exec_per_sec')} | {cov} | {ft} | {corp} ({size}) "
              f"| {stat('peak_rss_mb')} MB | {crashes} |")
    else:
        print(f"| `{t}` | unfinished | | | | | | {crashes} |")
sys.exit(0)
