#!/usr/bin/env bash
# Fetches the pinned llama.cpp for the embedded `llama` backend into a cache outside the checkout.
#   scripts/llama-deps.sh                headers + prebuilt CPU libraries (npm, a few seconds)
#   scripts/llama-deps.sh --from-source  also build libllama + llama-server from the pinned source
#                                        (offline, CMake; ~10 min on 2 cores, cached and reused)
#   scripts/llama-deps.sh --print-root   print the directory CMake links against and exit
# Source of truth: npm `node-llama-cpp@3.21.1` (its llama/gitRelease.bundle is the llama.cpp source
# at the release it pins) and `@node-llama-cpp/linux-x64@3.21.1` (CPU libraries built from it), both
# checked against the sha512 integrity pinned below. Cache: $SOV_LLAMA_CACHE, default
# ~/.cache/sovereign/llama. Layout:
#   npm/*.tgz                         the two packages
#   prebuilt-3.21.1/{include,lib}     headers from the bundle, libraries from the prebuilt package
#   source-80fb11ac73e6/{include,lib,bin}   the --from-source build (llama-server in bin/)
set -euo pipefail

NLC_VERSION=3.21.1
NLC_INTEGRITY='sha512-E3N0Ev2Va0wzydvXYFwM9Hvyo07PoWjt8T/9GMc43Cvt8YkV/NU/tYUgEMC1grTPv2o9PRjQi0G3Wb5P/awiMg=='
NLC_X64_INTEGRITY='sha512-Totj6RTDMGo3FoK2yNUaz/oGmZD0olAqTrRluFUWmu0kW2i9TOzHSW0OWCAiGkzRCVX0WsU2CyUQo/W2NYtdPA=='
BUNDLE_HEAD=80fb11ac73e66d89eae2c6a91d8a77428fa733ed
SHORT=${BUNDLE_HEAD:0:12}

cache=${SOV_LLAMA_CACHE:-${HOME}/.cache/sovereign/llama}
from_source=0
for a in "$@"; do
  case "$a" in
    --from-source) from_source=1 ;;
    --print-root)
      if [ -f "$cache/source-$SHORT/.done" ]; then echo "$cache/source-$SHORT"; else echo "$cache/prebuilt-$NLC_VERSION"; fi
      exit 0 ;;
    -h|--help) sed -n '2,13p' "$0"; exit 0 ;;
    *) echo "llama-deps.sh: unknown option '$a'" >&2; exit 2 ;;
  esac
done

die() { echo "llama-deps.sh: $*" >&2; exit 1; }
mkdir -p "$cache/npm"
# One run at a time per cache (several checkouts may share it): the others wait here.
exec 9>"$cache/.lock"
flock 9

# npm pack PKG into the cache unless a tarball with the pinned integrity is already there.
fetch() { # spec file integrity
  local spec=$1 file=$cache/npm/$2 want=$3
  if [ -f "$file" ] && [ "$(sri "$file")" = "$want" ]; then return 0; fi
  rm -f "$file"
  echo "llama-deps.sh: npm pack $spec" >&2
  (cd "$cache/npm" && npm pack --silent "$spec" >/dev/null) || die "npm pack $spec failed"
  [ -f "$file" ] || die "npm pack $spec did not produce $file"
  local got
  got=$(sri "$file")
  [ "$got" = "$want" ] || { rm -f "$file"; die "$spec: integrity mismatch (got $got, pinned $want)"; }
}
sri() { # the npm integrity string (sha512, base64) of a file
  node -e 'const c=require("crypto"),f=require("fs");process.stdout.write("sha512-"+c.createHash("sha512").update(f.readFileSync(process.argv[1])).digest("base64"))' "$1"
}

fetch "node-llama-cpp@$NLC_VERSION" "node-llama-cpp-$NLC_VERSION.tgz" "$NLC_INTEGRITY"
fetch "@node-llama-cpp/linux-x64@$NLC_VERSION" "node-llama-cpp-linux-x64-$NLC_VERSION.tgz" "$NLC_X64_INTEGRITY"

# The llama.cpp source, cloned from the bundle and checked against the pinned HEAD.
src=$cache/src-$SHORT
if [ ! -f "$src/.done" ]; then
  rm -rf "$src" "$cache/unpack"
  mkdir -p "$cache/unpack"
  tar -xzf "$cache/npm/node-llama-cpp-$NLC_VERSION.tgz" -C "$cache/unpack" package/llama/gitRelease.bundle
  bundle=$cache/unpack/package/llama/gitRelease.bundle
  head=$(git bundle list-heads "$bundle" | awk '$2 == "HEAD" {print $1}')
  [ "$head" = "$BUNDLE_HEAD" ] || die "bundle HEAD is '$head', pinned $BUNDLE_HEAD"
  git -c advice.detachedHead=false clone -q "$bundle" "$src"
  [ "$(git -C "$src" rev-parse HEAD)" = "$BUNDLE_HEAD" ] || die "clone is not at $BUNDLE_HEAD"
  rm -rf "$cache/unpack"
  touch "$src/.done"
fi

# Headers from the bundle, libraries from the prebuilt package.
pre=$cache/prebuilt-$NLC_VERSION
if [ ! -f "$pre/.done" ]; then
  rm -rf "$pre" "$cache/unpack"
  mkdir -p "$pre/include" "$pre/lib" "$cache/unpack"
  cp "$src"/include/*.h "$src"/ggml/include/*.h "$pre/include/"
  tar -xzf "$cache/npm/node-llama-cpp-linux-x64-$NLC_VERSION.tgz" -C "$cache/unpack"
  bins=$cache/unpack/package/bins/linux-x64
  for f in libllama.v0.4.0.so libggml.v0.4.0.so libggml-base.so; do
    [ -f "$bins/$f" ] || die "prebuilt package lacks $f"
    cp "$bins/$f" "$pre/lib/"
  done
  cp "$bins"/libggml-cpu-*.so "$pre/lib/"
  ls "$pre"/lib/libggml-cpu-*.so >/dev/null 2>&1 || die "prebuilt package has no libggml-cpu-*.so"
  # Unversioned names for the linker; the SONAMEs keep the versioned ones.
  ln -sf libllama.v0.4.0.so "$pre/lib/libllama.so"
  ln -sf libggml.v0.4.0.so "$pre/lib/libggml.so"
  echo "prebuilt node-llama-cpp@$NLC_VERSION llama.cpp $BUNDLE_HEAD" >"$pre/VERSION"
  rm -rf "$cache/unpack"
  touch "$pre/.done"
fi

[ "$from_source" = 1 ] || exit 0

# libllama + llama-server from the same source, offline: no UI download, no OpenSSL, no curl.
out=$cache/source-$SHORT
if [ ! -f "$out/.done" ]; then
  command -v cmake >/dev/null || die "cmake is missing (run scripts/deps.sh)"
  command -v g++ >/dev/null || die "g++ is missing (run scripts/deps.sh)"
  build=$cache/build-$SHORT
  rm -rf "$out"
  echo "llama-deps.sh: building llama.cpp $SHORT from source into $out (about 10 minutes on 2 cores)" >&2
  cmake -S "$src" -B "$build" -DCMAKE_BUILD_TYPE=Release -DBUILD_SHARED_LIBS=ON \
    -DLLAMA_BUILD_TESTS=OFF -DLLAMA_BUILD_EXAMPLES=OFF -DLLAMA_BUILD_TOOLS=ON -DLLAMA_BUILD_SERVER=ON \
    -DLLAMA_BUILD_APP=OFF -DLLAMA_BUILD_UI=OFF -DLLAMA_USE_PREBUILT_UI=OFF -DLLAMA_OPENSSL=OFF \
    -DLLAMA_BUILD_IS_DEV=OFF -DGGML_NATIVE=ON -DGGML_CCACHE=OFF \
    -DCMAKE_BUILD_WITH_INSTALL_RPATH=ON -DCMAKE_INSTALL_RPATH='$ORIGIN/../lib' \
    >"$cache/build-$SHORT.log" 2>&1 || { tail -30 "$cache/build-$SHORT.log" >&2; die "llama.cpp configure failed"; }
  cmake --build "$build" -j"$(nproc)" --target llama llama-server >>"$cache/build-$SHORT.log" 2>&1 ||
    { tail -30 "$cache/build-$SHORT.log" >&2; die "llama.cpp build failed (log: $cache/build-$SHORT.log)"; }
  mkdir -p "$out/include" "$out/lib" "$out/bin"
  cp "$src"/include/*.h "$src"/ggml/include/*.h "$out/include/"
  find "$build/bin" -maxdepth 1 -name 'lib*.so*' -exec cp -P {} "$out/lib/" \;
  cp "$build/bin/llama-server" "$out/bin/"
  if ! "$out/bin/llama-server" --version >/dev/null 2>&1; then
    "$out/bin/llama-server" --version 2>&1 | tail -3 >&2 || true
    die "the built llama-server does not run"
  fi
  echo "source llama.cpp $BUNDLE_HEAD" >"$out/VERSION"
  rm -rf "$build"
  touch "$out/.done"
fi
exit 0
