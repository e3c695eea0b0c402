#!/usr/bin/env bash
# `etagcore tag -r` against xxh128sum and sha1sum on one generated tree, warm page cache, in one
# hyperfine run (the commands interleave run by run, so the ratios share the machine's state).
# Writes crates/cli/BENCHMARKS.md (benches/report.py copies it into the top-level
# BENCHMARKS.md). Usage: crates/cli/bench.sh PATH/TO/etagcore [RUNS]
set -euo pipefail
bin="$(realpath "$1")"
runs="${2:-10}"
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
tree="$root/target/cli-bench/tree"
out="$here/BENCHMARKS.md"

# 4,000 small files (1-64 KiB, web assets) and 6 large ones (32 MiB each, installers): 290 MiB.
if [ ! -f "$tree/.done" ]; then
  rm -rf "$tree"
  python3 - "$tree" <<'EOF'
import os, random, sys
root = sys.argv[1]
rng = random.Random(13)
for i in range(4000):
    d = os.path.join(root, "assets", f"d{i % 40:02d}")
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, f"f{i:04d}.js"), "wb") as f:
        f.write(rng.randbytes(rng.randrange(1024, 65536)))
os.makedirs(os.path.join(root, "downloads"), exist_ok=True)
for i in range(6):
    with open(os.path.join(root, "downloads", f"big{i}.bin"), "wb") as f:
        f.write(rng.randbytes(32 << 20))
open(os.path.join(root, ".done"), "w").close()
EOF
fi
files=$(find "$tree" -type f ! -name .done | wc -l)
bytes=$(find "$tree" -type f ! -name .done -printf '%s\n' | awk '{s += $1} END {print s}')
cd "$tree"
find . -type f ! -name .done -print0 | sort -z > ../files0
# The same files, the same order, each tool once over all of them (xargs: one process for xxh128sum
# and sha1sum, as `etagcore tag -r` is one process).
hyperfine --warmup 2 --runs "$runs" --export-json ../hyperfine.json -N \
  -n "etagcore tag -r" "$bin tag -r --no-progress ." \
  -n "xxh128sum" "xargs -0 -a ../files0 xxh128sum" \
  -n "sha1sum" "xargs -0 -a ../files0 sha1sum" > ../hyperfine.txt
python3 - ../hyperfine.json "$files" "$bytes" "$(nproc)" "$runs" > "$out" <<'EOF'
import json, sys
doc = json.load(open(sys.argv[1]))
files, size, cores, runs = int(sys.argv[2]), int(sys.argv[3]), sys.argv[4], sys.argv[5]
r = {x["command"]: x for x in doc["results"]}
ours = r["etagcore tag -r"]["median"]
print("## `etagcore tag -r` vs xxh128sum and sha1sum\n")
print(f"{files} files, {size / 2**20:.0f} MiB (4,000 files of 1-64 KiB and 6 of 32 MiB), warm page")
print(f"cache, {cores} cores, hyperfine median of {runs} runs after 2 warm-ups; `make cli-bench`.")
print("xxh128sum and sha1sum get the same files in one process through `xargs -0`.\n")
print("| command | median | GiB/s | etagcore is |")
print("|---|---|---|---|")
for name in ("etagcore tag -r", "xxh128sum", "sha1sum"):
    m = r[name]["median"]
    ratio = "1.00x" if name.startswith("etagcore") else f"{m / ours:.2f}x faster"
    print(f"| `{name}` | {m * 1000:.0f} ms | {size / m / 2**30:.2f} | {ratio} |")
EOF
cat "$out"
