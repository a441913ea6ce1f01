#!/usr/bin/env bash
# Rebuilds models/router-model.bin from ../shared/data plus the project's own examples, generated
# into build/corpus/own/ from scripts/corpus/ (not committed).
#   scripts/train-router.sh [extra `sovereign train` options]
# Steps: generate build/corpus/own/*.jsonl (deterministic), map ../shared/data into build/corpus/shared.jsonl,
# build the binary, train with the held-out split (15%, seed 1), write the model and print the scores.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
cd "$here"
shared=${SOV_SHARED_DATA:-$here/../shared/data}
node scripts/gen-corpus.mjs build/corpus/own
node scripts/build-corpus.mjs "$shared" build/corpus/shared.jsonl
cmake -S . -B build >/dev/null
cmake --build build -j2 --target sovereign >/dev/null
data=(--data build/corpus/shared.jsonl)
for f in build/corpus/own/*.jsonl; do data+=(--data "$f"); done
mkdir -p models
./build/sovereign train "${data[@]}" --eval tests/data/classify_unseen.jsonl --eval tests/data/classify_unseen2.jsonl --eval tests/data/classify_unseen3.jsonl --eval tests/data/classify_unseen4.jsonl --out models/router-model.bin \
  --holdout 0.15 --seed 1 --holdout-out build/corpus/holdout.jsonl "$@"
