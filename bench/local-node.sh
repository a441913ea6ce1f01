#!/usr/bin/env bash
# The local node benchmark: Sovereign's in-process llama backend against llama-server (the same pinned
# llama.cpp, from source) on the same model, threads and prompts; and the gateway's added latency in
# front of llama-server. Results: docs/benchmarks.md "Local node".
#   MODEL=FILE.gguf   the model (default: a generated 4-layer, 512-wide random model in /tmp)
#   THREADS=1 N=64 ROUNDS=5 PROMPTS=4 PROMPT_REPEAT=1 OUT=result.json   knobs (PROMPT_REPEAT: each prompt
#   repeated that many times, for longer prompts)
# Needs build/sovereign and scripts/deps.sh --from-source (for llama-server).
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD:-$here/build}
server=$(bash "$here/scripts/llama-deps.sh" --print-root)/bin/llama-server
[ -x "$server" ] || { echo "local-node.sh: no llama-server: run scripts/deps.sh --from-source" >&2; exit 2; }
[ -x "$build/sovereign" ] || { echo "local-node.sh: build Sovereign first ($build/sovereign)" >&2; exit 2; }
if [ -z "${MODEL:-}" ]; then
  MODEL=/tmp/sov-bench-node-l4-e512.gguf
  [ -f "$MODEL" ] || "$build/sovereign" gen-tiny-model --layers 4 --embd 512 --heads 8 --kv-heads 8 --ff 1408 --ctx 4096 "$MODEL"
fi
SOV_BIN="$build/sovereign" SOV_LLAMA_SERVER="$server" MODEL="$MODEL" exec node "$here/bench/local-node.mjs"
