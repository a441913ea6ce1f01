#!/usr/bin/env bash
# The quantization example of docs/benchmarks.md: F16 and Q4_K_M of one model side by side with
# `sovereign bench --compare` (speed, peak RSS, perplexity, agreement of greedy answers).
#   bash bench/llama-compare.sh                  a model made by `sovereign gen-tiny-model`
#   SRC=model.gguf bash bench/llama-compare.sh   any GGUF model (F32 or F16)
# Settings: THREADS (1), MAX_TOKENS (64), ROUNDS (3), OUT (/tmp/sov-llama-compare: models, JSON, HTML).
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
bin=${SOV_BIN:-$here/build/sovereign}
out=${OUT:-/tmp/sov-llama-compare}
threads=${THREADS:-1}
mkdir -p "$out"
src=${SRC:-}
if [ -z "$src" ]; then
  src=$out/generated.gguf
  "$bin" gen-tiny-model ${GEN_ARGS:-} "$src" >/dev/null
fi
"$bin" quantize -t "$threads" --no-progress "$src" "$out/model-f16.gguf" F16 >/dev/null
"$bin" quantize -t "$threads" --no-progress "$src" "$out/model-q4_k_m.gguf" Q4_K_M >/dev/null
echo "# $(date -u +%Y-%m-%dT%H:%MZ) $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg), source $src" >&2
"$bin" bench --compare -t "$threads" -m "${MAX_TOKENS:-64}" -r "${ROUNDS:-3}" --no-progress \
  --html "$out/compare.html" "$out/model-f16.gguf" "$out/model-q4_k_m.gguf" | tee "$out/compare.txt"
"$bin" bench --compare --json -t "$threads" -m "${MAX_TOKENS:-64}" -r 1 --no-progress \
  "$out/model-f16.gguf" "$out/model-q4_k_m.gguf" >"$out/compare.json"
echo "# written: $out/compare.txt, compare.json, compare.html" >&2
