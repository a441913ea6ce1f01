#!/usr/bin/env bash
# `sovereign route --jsonl` throughput: N request bodies (default 100,000; the hand-written prompt sets of
# tests/data repeated) written to a file under /tmp, then routed; prints wall and CPU time.
#   bash bench/route-jsonl.sh [N]
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
n=${1:-100000}
f=${TMPDIR:-/tmp}/sov-route-$n.jsonl
F="$f" node -e '
const fs = require("fs");
const src = process.argv.slice(1, -1).flatMap((p) => fs.readFileSync(p, "utf8").trim().split("\n"));
const lines = src.map((l) => JSON.stringify({ model: "auto", messages: JSON.parse(l).messages }));
const n = Number(process.argv.at(-1)), out = [];
for (let i = 0; i < n; i++) out.push(lines[i % lines.length]);
fs.writeFileSync(process.env.F, out.join("\n") + "\n");' "$here"/tests/data/classify_unseen*.jsonl "$n"
echo "$n requests, $(du -m "$f" | cut -f1) MB: $f"
/usr/bin/time -f "%e s wall, %U s user, %S s sys, peak RSS %M KB" "$here/build/sovereign" route --jsonl "$f" >/dev/null
