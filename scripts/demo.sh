#!/usr/bin/env bash
# The main job: set everything up, start two demo backends on loopback and the gateway on
# examples/demo.yaml, send requests through it and show what the router decided and why.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
cd "$here"
bash scripts/deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j"$(nproc)" >/dev/null
bin=build/sovereign

work=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT

start_mock() { # name -> its port in $port (runs in this shell, so that cleanup stops it)
  build/sov-mock --listen 127.0.0.1:0 --name "$1" >"$work/$1.out" 2>"$work/$1.err" &
  pids+=($!)
  for _ in $(seq 100); do
    grep -q '^listening ' "$work/$1.out" 2>/dev/null && break; sleep 0.05
  done
  port=$(sed -n 's/^listening 127.0.0.1:\([0-9]*\).*/\1/p' "$work/$1.out")
  [ -n "$port" ] || { echo "demo: the mock $1 did not start: $(cat "$work/$1.err")" >&2; exit 1; }
}
start_mock local-node; local_port=$port
start_mock cloud-api; cloud_port=$port
sed -e "s/@LOCAL_PORT@/$local_port/" -e "s/@CLOUD_PORT@/$cloud_port/" examples/demo.yaml >"$work/demo.yaml"
export DEMO_OPENAI_KEY=demo-openai-key DEMO_ANTHROPIC_KEY=demo-anthropic-key

"$bin" serve --check-config "$work/demo.yaml"
"$bin" serve --config "$work/demo.yaml" 2>"$work/gateway.log" &
pids+=($!)
for _ in $(seq 100); do grep -q 'listening on' "$work/gateway.log" 2>/dev/null && break; sleep 0.05; done
url=$(sed -n 's/.*listening on \(http[^ ]*\).*/\1/p' "$work/gateway.log" | head -1)
echo
echo "== The gateway listens on $url (demo local node on :$local_port, demo cloud APIs on :$cloud_port)"

ask() { # title, body
  echo
  echo "== $1"
  curl -sS -D "$work/h" -o "$work/b" "$url/v1/chat/completions" -H 'content-type: application/json' -d "$2"
  grep -i '^x-sovereign' "$work/h" | tr -d '\r' | sed 's/^/   /'
  echo "   answer: $(head -c 300 "$work/b")"
}
ask "model auto, extraction over the user's own text, with an IBAN in it" \
  '{"model":"auto","messages":[{"role":"user","content":"Extract the invoice number, amount and due date as JSON: Invoice INV-2231 from Acme GmbH, 1,250.00 EUR due 2026-12-15, pay to DE89370400440532013000."}]}'
ask "model auto, open-ended creative work" \
  '{"model":"auto","messages":[{"role":"user","content":"Write a short poem about the history of the Silk Road."}]}'
ask "a cloud model named explicitly, but the prompt carries an email address" \
  '{"model":"gpt-4o","messages":[{"role":"user","content":"Draft a reply to jane.doe@example.com thanking her for the order."}]}'
echo
echo "== streaming, chunk by chunk (stream_options.include_usage)"
curl -sS -N "$url/v1/chat/completions" -d '{"model":"auto","stream":true,"stream_options":{"include_usage":true},"messages":[{"role":"user","content":"Summarize: the meeting moved to Tuesday; budget approved. #mock chunks=5"}]}' | sed 's/^/   /' | head -20
echo
echo "== an Anthropic-format client (POST /v1/messages) reaching an Anthropic upstream"
curl -sS "$url/v1/messages" -H 'anthropic-version: 2023-06-01' -d '{"model":"claude-sonnet-4","max_tokens":100,"messages":[{"role":"user","content":"Name three rivers in Africa."}]}' | head -c 400
echo
echo
echo "== a bad request gets an OpenAI-style error"
curl -sS "$url/v1/chat/completions" -d '{"model":"no-such-model","messages":[{"role":"user","content":"hi"}]}'
echo
echo
echo "== what the router would do, and why (sovereign route, offline)"
"$bin" route "Classify this support ticket as billing, technical or other: 'I was charged twice for my subscription this month.'"
echo
echo "== /metrics (excerpt)"
curl -sS "$url/metrics" | grep -E '^sovereign_(requests_total|route_decisions_total|cost_usd_total|tokens_total)' | grep -v ' 0$' | sed 's/^/   /'
echo
echo "== access log (one JSON line per request; no prompts, no keys)"
grep '^{' "$work/gateway.log" | head -3 | sed 's/^/   /'
if [ -f examples/sample-log.jsonl ] || [ -f examples/sample-log.jsonl.gz ]; then
  echo
  echo "== Phase 1: the audit of a sample API log (examples/sample-log.jsonl, made by scripts/gen-sample-log.mjs)"
  "$bin" audit --no-progress --workflow-field metadata.app --top 8 --html /tmp/sovereign-audit.html \
    --local-tokens-per-s 40 --local-hourly-usd 1.20 examples/sample-log.jsonl* || true
  echo "   (/tmp/sovereign-audit.html: the same report for a manager, one self-contained page with SVG charts)"
fi
kill -TERM "${pids[2]}" 2>/dev/null || true
