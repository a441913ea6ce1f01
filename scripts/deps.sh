#!/usr/bin/env bash
# Installs what Sovereign needs to build, test and benchmark, on Debian 12 as root.
# Idempotent and quiet when everything is already there.
#   scripts/deps.sh            build + test dependencies (Debian packages, pinned npm test clients)
#   scripts/deps.sh --bench    also the benchmark peers (wrk, nginx, Portkey gateway; test.sh uses it:
#                              tests/integration/bench_gateway_sh runs bench/gateway.sh --smoke)
#   scripts/deps.sh --from-source  also build llama.cpp + llama-server from the pinned source (cached)
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)

# Debian packages: name -> why
pkgs=(
  build-essential cmake pkg-config ca-certificates git   # toolchain
  libevent-dev            # inbound HTTP server (evhttp), one event loop per worker
  libcurl4-openssl-dev    # upstream HTTP(S) client, multi interface on the same loop
  libssl-dev              # SHA-256 and constant-time compare for client keys
  libjansson-dev          # JSON
  libyaml-dev             # YAML configuration (parsed with line numbers, schema in src/config)
  libcmocka-dev           # unit tests
  libvectorscan-dev       # one-pass multi-pattern scanning of sensitive data
  libpcre2-dev            # scanner benchmark baseline
  zlib1g-dev              # gzip-compressed audit logs
  libsqlite3-dev          # decision store
  curl                    # integration tests and the demo
  chromium                # the audit HTML report test (headless)
)
want_bench=0
llama_args=()
for a in "$@"; do
  case "$a" in
    --bench) want_bench=1 ;;
    --from-source) llama_args+=(--from-source) ;;
    -h|--help) sed -n '2,7p' "$0"; exit 0 ;;
    *) echo "deps.sh: unknown option '$a'" >&2; exit 2 ;;
  esac
done
[ "$want_bench" = 1 ] && pkgs+=(wrk nginx-light)
# Node.js runs the compatibility tests with the official SDKs; keep one that is already there
# (for instance from NodeSource), else take Debian's.
command -v node >/dev/null && command -v npm >/dev/null || pkgs+=(nodejs npm)

missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "deps.sh: installing ${missing[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  SUDO=; [ "$(id -u)" = 0 ] || SUDO=sudo
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# The openai SDK's streaming fails on Debian 12's Node 18 ("Premature close" from its node-fetch, even
# against Node's own http server), so keep a Node >= 20 that is there, else take the pinned one from npm.
NODE_PIN=20.20.2
if [ "$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)" -lt 20 ]; then
  echo "deps.sh: node $(node --version 2>/dev/null) is older than 20: npm install -g node@$NODE_PIN" >&2
  npm install -g --silent --no-audit --no-fund "node@$NODE_PIN" >/dev/null || { echo "deps.sh: npm install -g node@$NODE_PIN failed" >&2; exit 1; }
  hash -r
  [ "$(node -p 'process.versions.node')" = "$NODE_PIN" ] ||
    { echo "deps.sh: 'node' on PATH is $(command -v node) $(node --version), not $NODE_PIN (put /usr/local/bin first)" >&2; exit 1; }
fi

# npm clients for the compatibility tests, pinned by tests/package-lock.json
npm_install() {
  local dir=$1
  if [ ! -d "$dir/node_modules" ] || [ "$dir/package-lock.json" -nt "$dir/node_modules/.stamp" ]; then
    local log
    log=$(cd "$dir" && npm ci --no-audit --no-fund 2>&1) ||
      { printf '%s\n' "$log" | tail -20 >&2; echo "deps.sh: npm ci in $dir failed" >&2; return 1; }
    touch "$dir/node_modules/.stamp"
  fi
}
npm_install "$here/tests"
[ "$want_bench" = 1 ] && [ -f "$here/bench/package-lock.json" ] && npm_install "$here/bench"
# llama.cpp for the embedded `llama` backend, pinned (npm tarballs checked against their sha512)
bash "$here/scripts/llama-deps.sh" "${llama_args[@]}"
exit 0
