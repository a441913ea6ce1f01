#!/usr/bin/env bash
# bench/gateway.sh: the gateway's overhead, side by side with the Portkey gateway and nginx, against
# one mock upstream (build/sov-mock), all on loopback. In one run:
#   - added latency: sequential keep-alive requests (build/gw_latency), round-robin over the mock
#     called directly, `sovereign serve` with 1 and 2 workers, nginx proxy_pass (keepalive to the
#     upstream, 1 and 2 worker processes) and Portkey (node, one process): p50 and p99 minus those of
#     calling the mock directly; for a small non-streaming answer and a 100-chunk stream;
#   - throughput: wrk (-t1, -c$CONNS) on each, the median of several rounds run in turn;
#   - idle RSS of `sovereign serve` (1 and 2 workers);
#   - a short soak (RSS sampled while wrk sends a mix of both kinds of request).
# Prints markdown tables for docs/benchmarks.md on stdout; raw figures go to OUT/results.tsv.
#
# Usage: bench/gateway.sh [--quick | --smoke] [--soak [SECONDS]] [--no-portkey] [--out DIR]
#   (default)      full run: 2000 requests per target for latency, 3 rounds x 10 s of wrk
#   --quick        500 requests, 2 rounds x 3 s
#   --smoke        a few seconds in all: every figure, no meaning (tests/integration/bench_gateway_sh)
#   --soak [S]     only the idle RSS and a soak of S seconds (default 300) at 2 workers
#   --no-portkey   leave Portkey out (when bench/node_modules is not installed)
#   --out DIR      where results.tsv and the servers' logs go (default: a new /tmp/sov-bench.* dir)
# Needs: build/sovereign, build/sov-mock, build/gw_latency (cmake --build build), and
# `bash scripts/deps.sh --bench` (wrk, nginx-light, Portkey pinned in bench/package-lock.json).
# Environment: SOV_BUILD_DIR (default <source>/build), SOV_BIN, SOV_MOCK to use other binaries.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
build=${SOV_BUILD_DIR:-$here/build}
sov_bin=${SOV_BIN:-$build/sovereign}
mock_bin=${SOV_MOCK:-$build/sov-mock}
lat_bin=${SOV_GW_LATENCY:-$build/gw_latency}
portkey_js=$here/bench/node_modules/@portkey-ai/gateway/build/start-server.js

mode=full soak=0 with_portkey=1 out=
die() { echo "gateway.sh: $*" >&2; exit 2; }
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) mode=quick ;;
    --smoke) mode=smoke ;;
    --soak)
      soak=300
      if [ $# -gt 1 ] && [[ $2 =~ ^[0-9]+$ ]]; then soak=$2; shift; fi
      [ "$soak" -ge 1 ] && [ "$soak" -le 86400 ] || die "--soak wants 1..86400 seconds"
      ;;
    --no-portkey) with_portkey=0 ;;
    --out) [ $# -gt 1 ] || die "--out needs a directory"; out=$2; shift ;;
    -h|--help) sed -n '2,24p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown option '$1' (see --help)" ;;
  esac
  shift
done
case $mode in
  full)  lat_n=2000 lat_warm=200 wrk_d=10 rounds=3 ;;
  quick) lat_n=500  lat_warm=100 wrk_d=3  rounds=2 ;;
  smoke) lat_n=20   lat_warm=5   wrk_d=1  rounds=1 ;;
esac
conns=32
only_soak=0
if [ "$soak" -gt 0 ] && [ "$mode" = full ]; then only_soak=1; fi
[ "$mode" = smoke ] && [ "$soak" = 0 ] && soak=2

for b in "$sov_bin" "$mock_bin" "$lat_bin"; do
  [ -x "$b" ] || die "$b is missing: build first (cmake -S . -B build && cmake --build build -j2)"
done
command -v wrk >/dev/null || die "wrk is missing: bash scripts/deps.sh --bench"
command -v node >/dev/null || die "node is missing: bash scripts/deps.sh"
nginx_bin=$(command -v nginx || true)
[ -n "$nginx_bin" ] || nginx_bin=/usr/sbin/nginx
[ -x "$nginx_bin" ] || die "nginx is missing: bash scripts/deps.sh --bench"
if [ "$with_portkey" = 1 ] && [ ! -f "$portkey_js" ]; then
  die "Portkey is not installed in bench/node_modules: bash scripts/deps.sh --bench (or --no-portkey)"
fi

[ -n "$out" ] || out=$(mktemp -d /tmp/sov-bench.XXXXXX)
mkdir -p "$out"
tmp=$(mktemp -d /tmp/sov-bench-run.XXXXXX)
: >"$out/results.tsv"

# ---- process bookkeeping: everything started here is stopped on exit ----------------------------
pids=()
cleanup() {
  local p
  for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do
    for _ in $(seq 50); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$p" 2>/dev/null || true
  done
  rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

progress() { [ -t 2 ] && printf '\r\033[K%s' "$*" >&2 || true; }
rec() { printf '%s\t%s\n' "$1" "$2" >>"$out/results.tsv"; }
get() { awk -F'\t' -v k="$1" '$1 == k { v = $2 } END { print (v == "" ? "-" : v) }' "$out/results.tsv"; }

# Waits (up to 10 s) for a line matching REGEX in FILE; prints the first capture group.
wait_line() { # file regex what
  local i m
  for i in $(seq 100); do
    m=$(sed -nE "s#$2#\\1#p" "$1" 2>/dev/null | head -1)
    [ -n "$m" ] && { echo "$m"; return 0; }
    sleep 0.1
  done
  echo "gateway.sh: $3 did not start; its log:" >&2
  tail -5 "$1" >&2
  return 1
}
free_port() {
  node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'
}
wait_port() { # port what
  local i
  for i in $(seq 150); do
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
    sleep 0.1
  done
  echo "gateway.sh: $2 does not accept connections on port $1" >&2
  return 1
}
rss_kb() { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status" 2>/dev/null || echo 0; }

# ---- the request bodies ---------------------------------------------------------------------------
printf '%s' '{"model":"bench-model","messages":[{"role":"user","content":"Reply with a short greeting. #mock chunks=4"}]}' \
  >"$tmp/small.json"
printf '%s' '{"model":"bench-model","stream":true,"messages":[{"role":"user","content":"Stream a long answer. #mock chunks=100"}]}' \
  >"$tmp/stream.json"

# ---- servers ---------------------------------------------------------------------------------------
start_mock() {
  "$mock_bin" --listen 127.0.0.1:0 --name bench --workers 1 >"$out/mock.log" 2>&1 &
  pids+=($!)
  mock_port=$(wait_line "$out/mock.log" '^listening 127\.0\.0\.1:([0-9]+).*' "sov-mock")
}

start_sovereign() { # workers -> sets sov_pid, sov_port
  local w=$1
  cat >"$tmp/sov-$w.yaml" <<EOF
server:
  listen: 127.0.0.1:0
  workers: $w
  log_level: warn
  access_log: true
backends:
  - name: mock
    kind: openai
    base_url: http://127.0.0.1:$mock_port/v1
    models: [bench-model]
    tier: local
    max_concurrency: 100000
routing:
  default: mock
EOF
  # the access log (one JSON line per request, as in production) goes to its own file
  "$sov_bin" serve --config "$tmp/sov-$w.yaml" 2>"$out/sovereign-$w.log" &
  sov_pid=$!
  pids+=($sov_pid)
  sov_port=$(wait_line "$out/sovereign-$w.log" '^sovereign: listening on http://127\.0\.0\.1:([0-9]+).*' "sovereign serve")
}

start_nginx() { # workers -> sets nginx_port
  local w=$1 dir
  dir=$tmp/nginx-$w
  mkdir -p "$dir"
  nginx_port=$(free_port)
  cat >"$dir/nginx.conf" <<EOF
worker_processes $w;
daemon off;
pid $dir/nginx.pid;
error_log $out/nginx-$w.log warn;
events { worker_connections 4096; }
http {
  access_log $dir/access.log;
  client_body_temp_path $dir/body;
  proxy_temp_path $dir/proxy;
  fastcgi_temp_path $dir/fastcgi;
  uwsgi_temp_path $dir/uwsgi;
  scgi_temp_path $dir/scgi;
  upstream mock { server 127.0.0.1:$mock_port; keepalive 128; }
  server {
    listen 127.0.0.1:$nginx_port;
    location / {
      proxy_pass http://mock;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_buffering off;
    }
  }
}
EOF
  "$nginx_bin" -p "$dir" -c "$dir/nginx.conf" 2>>"$out/nginx-$w.log" &
  pids+=($!)
  wait_port "$nginx_port" "nginx"
}

start_portkey() {
  portkey_port=$(free_port)
  (cd "$here/bench" && NODE_ENV=production exec node --import ./portkey-preload.mjs "$portkey_js" \
    --port="$portkey_port" --headless) >"$out/portkey.log" 2>&1 &
  pids+=($!)
  wait_port "$portkey_port" "the Portkey gateway"
}
# Portkey is pointed at an OpenAI-compatible server by two headers.
portkey_headers() { printf 'x-portkey-provider: openai\nx-portkey-custom-host: http://127.0.0.1:%s/v1\nAuthorization: Bearer bench' "$mock_port"; }

# ---- measurements ----------------------------------------------------------------------------------
targets=()     # name url
declare -A url hdrs
add_target() { targets+=("$1"); url[$1]=$2; hdrs[$1]=${3:-}; }

measure_latency() { # kind bodyfile expect
  local kind=$1 body=$2 expect=$3 args=() t h
  for t in "${targets[@]}"; do
    args+=(--target "$t" "${url[$t]}")
    if [ -n "${hdrs[$t]}" ]; then
      while IFS= read -r h; do args+=(--header "$h"); done <<<"${hdrs[$t]}"
    fi
  done
  progress "latency: $kind ($lat_n sequential requests per target)"
  timeout 900 "$lat_bin" -n "$lat_n" --warmup "$lat_warm" --baseline direct --body "$body" --expect "$expect" \
    "${args[@]}" >"$tmp/lat-$kind.tsv"
  cat "$tmp/lat-$kind.tsv" >>"$out/latency-$kind.tsv"
  # target n errors p50 p99 mean min added_p50 added_p99
  while IFS=$'\t' read -r t n e p50 p99 _ _ a50 a99; do
    [ "$t" = target ] && continue
    rec "latency.$kind.$t.p50_us" "$p50"
    rec "latency.$kind.$t.p99_us" "$p99"
    rec "latency.$kind.$t.added_p50_us" "$a50"
    rec "latency.$kind.$t.added_p99_us" "$a99"
    rec "latency.$kind.$t.errors" "$e"
  done <"$tmp/lat-$kind.tsv"
}

run_wrk() { # target bodyfile [body2] -> prints "req/s errors"
  local t=$1 body=$2 body2=${3:-} d=${4:-$wrk_d} line
  line=$(WRK_BODY=$body WRK_BODY2=$body2 WRK_HEADERS=${hdrs[$t]} timeout $((d + 60)) \
    wrk -t1 -c"$conns" -d"${d}s" --timeout 10s -s "$here/bench/wrk-post.lua" "${url[$t]}" | grep '^WRK ' || true)
  [ -n "$line" ] || { echo "0 -1"; return; }
  local reqs dur errs
  reqs=$(sed -E 's/.*requests=([0-9]+).*/\1/' <<<"$line")
  dur=$(sed -E 's/.*duration_us=([0-9]+).*/\1/' <<<"$line")
  errs=$(awk '{ s = 0; for (i = 4; i <= 8; i++) { split($i, kv, "="); s += kv[2] } print s }' <<<"$line")
  awk -v r="$reqs" -v d="$dur" -v e="$errs" 'BEGIN { printf "%.0f %d\n", (d > 0 ? r / (d / 1e6) : 0), e }'
}

median() { tr ' ' '\n' | grep -v '^$' | sort -n | awk '{ v[NR] = $1 } END { if (NR == 0) print "-"; else if (NR % 2) print v[(NR + 1) / 2]; else printf "%.0f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

measure_throughput() { # kind bodyfile
  local kind=$1 body=$2 r t res
  declare -A all errs
  for r in $(seq "$rounds"); do
    for t in "${targets[@]}"; do
      progress "throughput: $kind, round $r/$rounds, $t"
      res=$(run_wrk "$t" "$body")
      all[$t]="${all[$t]:-} ${res% *}"
      errs[$t]=$(( ${errs[$t]:-0} + ${res#* } ))
    done
  done
  for t in "${targets[@]}"; do
    rec "throughput.$kind.$t.rps" "$(median <<<"${all[$t]}")"
    rec "throughput.$kind.$t.rounds" "$(echo ${all[$t]})"
    rec "throughput.$kind.$t.errors" "${errs[$t]}"
  done
}

measure_idle_rss() {
  local w
  for w in 1 2; do
    start_sovereign "$w"
    sleep 1
    rec "idle_rss.w$w.kb" "$(rss_kb "$sov_pid")"
    stop_pid "$sov_pid"
  done
}

stop_pid() { # pid: SIGTERM, wait; records a non-zero exit status
  local p=$1 st=0 q keep=()
  for q in "${pids[@]}"; do [ "$q" = "$p" ] || keep+=("$q"); done
  pids=("${keep[@]}")
  kill -TERM "$p" 2>/dev/null || true
  wait "$p" 2>/dev/null || st=$?
  [ "$st" = 0 ] || rec "exit_status.$p" "$st"
}

measure_soak() { # seconds
  local s=$1 interval i t0 rss
  interval=$(( s >= 60 ? s / 30 : 1 ))
  start_sovereign 2
  add_target soak "http://127.0.0.1:$sov_port/v1/chat/completions"
  run_wrk soak "$tmp/small.json" "$tmp/stream.json" 1 >/dev/null # warm-up
  rec "soak.rss_start_kb" "$(rss_kb "$sov_pid")"
  local wrk_line
  WRK_BODY=$tmp/small.json WRK_BODY2=$tmp/stream.json timeout $((s + 60)) \
    wrk -t1 -c"$conns" -d"${s}s" --timeout 10s -s "$here/bench/wrk-post.lua" "${url[soak]}" >"$tmp/soak-wrk.txt" &
  local wrk_pid=$!
  pids+=($wrk_pid)
  t0=$(date +%s)
  : >"$out/soak-rss.tsv"
  for i in $(seq $(( s / interval ))); do
    sleep "$interval"
    rss=$(rss_kb "$sov_pid")
    printf '%s\t%s\n' "$(( $(date +%s) - t0 ))" "$rss" >>"$out/soak-rss.tsv"
    progress "soak: ${i}x${interval}s of ${s}s, RSS $rss kB"
  done
  wait "$wrk_pid" || true
  rec "soak.rss_end_kb" "$(rss_kb "$sov_pid")"
  wrk_line=$(grep '^WRK ' "$tmp/soak-wrk.txt" || true)
  rec "soak.seconds" "$s"
  rec "soak.requests" "$(sed -E 's/.*requests=([0-9]+).*/\1/' <<<"${wrk_line:-requests=0}")"
  rec "soak.errors" "$(awk '{ s = 0; for (i = 4; i <= 8; i++) { split($i, kv, "="); s += kv[2] } print s }' <<<"${wrk_line:-x x x connect=-1}")"
  # after the first tenth (allocator warm-up), how far RSS moves
  local n skip
  n=$(wc -l <"$out/soak-rss.tsv")
  skip=$(( n / 10 ))
  rec "soak.rss_after_warmup_kb" "$(awk -F'\t' -v k="$skip" 'NR == k + 1 { print $2 }' "$out/soak-rss.tsv")"
  rec "soak.rss_max_kb" "$(cut -f2 "$out/soak-rss.tsv" | sort -n | tail -1)"
  stop_pid "$sov_pid"
}

# ---- the run --------------------------------------------------------------------------------------
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
started=$(date -u '+%Y-%m-%d %H:%M UTC')
start_mock

measure_idle_rss
if [ "$only_soak" = 0 ]; then
  add_target direct "http://127.0.0.1:$mock_port/v1/chat/completions"
  start_sovereign 1; add_target sovereign-1w "http://127.0.0.1:$sov_port/v1/chat/completions"; sov1_pid=$sov_pid
  start_sovereign 2; add_target sovereign-2w "http://127.0.0.1:$sov_port/v1/chat/completions"; sov2_pid=$sov_pid
  start_nginx 1; add_target nginx-1w "http://127.0.0.1:$nginx_port/v1/chat/completions"
  start_nginx 2; add_target nginx-2w "http://127.0.0.1:$nginx_port/v1/chat/completions"
  if [ "$with_portkey" = 1 ]; then
    start_portkey
    add_target portkey "http://127.0.0.1:$portkey_port/v1/chat/completions" "$(portkey_headers)"
  fi
  measure_latency small "$tmp/small.json" '"chat.completion"'
  measure_latency stream100 "$tmp/stream.json" '[DONE]'
  measure_throughput small "$tmp/small.json"
  measure_throughput stream100 "$tmp/stream.json"
  rec "rss_after_load.w1.kb" "$(rss_kb "$sov1_pid")"
  rec "rss_after_load.w2.kb" "$(rss_kb "$sov2_pid")"
  stop_pid "$sov1_pid"
  stop_pid "$sov2_pid"
fi
targets=()
[ "$soak" -gt 0 ] && measure_soak "$soak"
progress ""
load_after=$(cut -d' ' -f1-3 /proc/loadavg)

# ---- the report -----------------------------------------------------------------------------------
mb() { awk -v k="$1" 'BEGIN { if (k == "-" || k == "") print "-"; else printf "%.1f", k / 1024 }'; }
pct() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "-" || b == "-" || b + 0 == 0) print "-"; else printf "%.0f%%", 100 * a / b }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "-" || b == "-") print "-"; else if (b + 0 <= 0) print "n/a"; else printf "%.1fx", a / b }'; }
pk() { [ "$with_portkey" = 1 ] && get "$1" || echo "-"; }
# an added latency: +12.3, or -4.0 when the gateway measured faster than the direct call (noise)
add() { awk -v v="$1" 'BEGIN { if (v == "-") print "-"; else if (v + 0 >= 0) printf "+%s", v; else print v }'; }

cmd="bench/gateway.sh"
[ "$mode" != full ] && cmd+=" --$mode"
[ "$soak" -gt 0 ] && [ "$mode" = full ] && cmd+=" --soak $soak"
[ "$with_portkey" = 0 ] && cmd+=" --no-portkey"
echo "Run: \`$cmd\`, $started; load average before $load_before, after $load_after;"
echo "$(nproc) CPUs ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')); $(nginx -v 2>&1 | sed 's/.*version: //'), wrk $(wrk --version 2>&1 | head -1 | awk '{print $2}'), node $(node --version)$([ "$with_portkey" = 1 ] && echo ", @portkey-ai/gateway $(node -p "require('$here/bench/node_modules/@portkey-ai/gateway/package.json').version")")."
echo
if [ "$only_soak" = 0 ]; then
  echo "Added latency over calling the mock directly (µs; $lat_n sequential keep-alive requests per target, round-robin):"
  echo
  echo "| answer | workers | direct p50 / p99 | sovereign p50 / p99 | nginx p50 / p99 | Portkey p50 / p99 | Portkey / sovereign (p50) |"
  echo "|---|---:|---:|---:|---:|---:|---:|"
  for kind in small stream100; do
    for w in 1 2; do
      sp=$(get "latency.$kind.sovereign-${w}w.added_p50_us")
      echo "| $([ $kind = small ] && echo "small, non-streaming" || echo "100-chunk stream") | $w |" \
        "$(get latency.$kind.direct.p50_us) / $(get latency.$kind.direct.p99_us) |" \
        "$(add "$sp") / $(add "$(get "latency.$kind.sovereign-${w}w.added_p99_us")") |" \
        "$(add "$(get "latency.$kind.nginx-${w}w.added_p50_us")") / $(add "$(get "latency.$kind.nginx-${w}w.added_p99_us")") |" \
        "$(add "$(pk "latency.$kind.portkey.added_p50_us")") / $(add "$(pk "latency.$kind.portkey.added_p99_us")") |" \
        "$(ratio "$(pk "latency.$kind.portkey.added_p50_us")" "$sp") |"
    done
  done
  echo
  echo "Throughput (requests/s; wrk -t1 -c$conns, median of $rounds round(s) of ${wrk_d} s; Portkey is one node process):"
  echo
  echo "| answer | workers | mock direct | sovereign | nginx | sovereign / nginx | Portkey | errors (sovereign) |"
  echo "|---|---:|---:|---:|---:|---:|---:|---:|"
  for kind in small stream100; do
    for w in 1 2; do
      s=$(get "throughput.$kind.sovereign-${w}w.rps") n=$(get "throughput.$kind.nginx-${w}w.rps")
      echo "| $([ $kind = small ] && echo "small, non-streaming" || echo "100-chunk stream") | $w |" \
        "$(get throughput.$kind.direct.rps) | $s | $n | $(pct "$s" "$n") | $(pk "throughput.$kind.portkey.rps") |" \
        "$(get "throughput.$kind.sovereign-${w}w.errors") |"
    done
  done
  echo
fi
echo "Memory of \`sovereign serve\` (VmRSS):"
echo
if [ "$only_soak" = 0 ]; then
  echo "| idle, 1 worker | idle, 2 workers | after the load above, 1 / 2 workers |"
  echo "|---:|---:|---:|"
  echo "| $(mb "$(get idle_rss.w1.kb)") MB | $(mb "$(get idle_rss.w2.kb)") MB | $(mb "$(get rss_after_load.w1.kb)") / $(mb "$(get rss_after_load.w2.kb)") MB |"
else
  echo "| idle, 1 worker | idle, 2 workers |"
  echo "|---:|---:|"
  echo "| $(mb "$(get idle_rss.w1.kb)") MB | $(mb "$(get idle_rss.w2.kb)") MB |"
fi
if [ "$soak" -gt 0 ]; then
  echo
  echo "Soak: ${soak} s of wrk -c$conns alternating small answers and 100-chunk streams, 2 workers:"
  echo
  echo "| requests | errors | RSS at start | after the first tenth | max | end |"
  echo "|---:|---:|---:|---:|---:|---:|"
  echo "| $(get soak.requests) | $(get soak.errors) | $(mb "$(get soak.rss_start_kb)") MB | $(mb "$(get soak.rss_after_warmup_kb)") MB |" \
    "$(mb "$(get soak.rss_max_kb)") MB | $(mb "$(get soak.rss_end_kb)") MB |"
fi
bad=$(grep -c '^exit_status\.' "$out/results.tsv" || true)
if [ "$bad" != 0 ]; then
  echo
  echo "WARNING: $bad sovereign process(es) exited with a non-zero status (see $out/sovereign-*.log)"
fi
echo
echo "Raw figures: $out/results.tsv" >&2
[ "$bad" = 0 ]
