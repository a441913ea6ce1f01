#!/usr/bin/env bash
# Builds the training corpus: the project's own examples (build/corpus/own/, generated) and the mapping of
# ../shared/data into build/corpus/shared.jsonl (not committed: it holds the shared data's text).
#   scripts/build-corpus.sh [SHARED_DATA_DIR]
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
node "$here/scripts/gen-corpus.mjs" "$here/build/corpus/own"
node "$here/scripts/build-corpus.mjs" "${1:-${SOV_SHARED_DATA:-$here/../shared/data}}" "$here/build/corpus/shared.jsonl"
