#!/usr/bin/env bash
# sovereign audit throughput and memory on a generated log (default 1 GB; written to /tmp, never
# committed): MB per CPU-second (per core), MB per wall second, and peak RSS from /usr/bin/time -v.
#   bench/audit.sh                 1 GB log, 2 worker threads then 1
#   SIZE=200000000 bench/audit.sh  a smaller log
#   THREADS="2" RUNS=3 bench/audit.sh
# The log: node scripts/gen-sample-log.mjs --bytes SIZE --seed 7 (OpenAI request/response JSONL,
# ~0.9 KB per request, 13 template families plus one-off questions, sensitive data in ~1/4).
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
bin=${SOV_BIN:-$here/build/sovereign}
size=${SIZE:-1000000000}
log=${LOG:-/tmp/sov-audit-$size.jsonl}
threads=${THREADS:-"2 1"}
runs=${RUNS:-1}
[ -x "$bin" ] || { echo "bench/audit.sh: build first ($bin missing)" >&2; exit 2; }
[ -x /usr/bin/time ] || { echo "bench/audit.sh: needs /usr/bin/time (Debian package 'time')" >&2; exit 2; }
if [ ! -s "$log" ] || [ "$(stat -c %s "$log")" -lt "$size" ]; then
  echo "generating $log ($size bytes)..." >&2
  node "$here/scripts/gen-sample-log.mjs" --bytes "$size" --seed 7 --out "$log"
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
echo "log: $log ($(stat -c %s "$log") bytes), $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-8s %-5s %10s %8s %8s %10s %12s %10s\n' threads run requests wall_s cpu_s "MB/s" "MB/cpu-s" "peak_MB"
for t in $threads; do
  for r in $(seq 1 "$runs"); do
    /usr/bin/time -v "$bin" audit --json --no-progress --threads "$t" "$log" >"$tmp/out.json" 2>"$tmp/time.txt"
    node -e '
      const fs = require("fs");
      const j = JSON.parse(fs.readFileSync(process.argv[1], "utf8"));
      const t = fs.readFileSync(process.argv[2], "utf8");
      const get = (re) => { const m = t.match(re); return m ? m[1] : "0"; };
      const user = +get(/User time \(seconds\): ([\d.]+)/), sys = +get(/System time \(seconds\): ([\d.]+)/);
      const e = get(/Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): ([\d:.]+)/).split(":").map(Number);
      const wall = e.reduce((s, x) => s * 60 + x, 0);
      const rss = +get(/Maximum resident set size \(kbytes\): (\d+)/) / 1024;
      const mb = j.run.bytes / 1e6, cpu = user + sys;
      console.log([process.argv[3].padEnd(8), process.argv[4].padEnd(5), String(j.requests).padStart(10), wall.toFixed(2).padStart(8),
        cpu.toFixed(2).padStart(8), (mb / wall).toFixed(1).padStart(10), (mb / cpu).toFixed(1).padStart(12), rss.toFixed(1).padStart(10)].join(" "));
    ' "$tmp/out.json" "$tmp/time.txt" "$t" "$r"
  done
done
