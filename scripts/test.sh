#!/usr/bin/env bash
# Sets everything up and runs every test: the unit tests (cmocka), the integration and compatibility
# tests (the binary against mock upstreams and real servers on loopback, driven by curl and the
# official openai / @anthropic-ai/sdk clients), first on the normal build, then on an
# AddressSanitizer + UndefinedBehaviorSanitizer build. Ends with one line: "N passed, N failed".
# deps.sh --from-source also builds the pinned llama.cpp + llama-server once (cached outside the checkout);
# --bench installs the gateway benchmark's peers (its --smoke mode is one of the integration tests).
#   scripts/test.sh              everything
#   scripts/test.sh -R REGEX     only the ctest entries matching REGEX (both builds)
#   SOV_NO_ASAN=1 scripts/test.sh  skip the sanitizer pass
set -uo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
cd "$here"
bash scripts/deps.sh --from-source --bench || { echo "deps.sh failed"; echo "0 passed, 1 failed"; exit 1; }

jobs=$(nproc 2>/dev/null || echo 2)
passed=0
failed=0

run_suite() { # name builddir cmake-args...
  local name=$1 dir=$2; shift 2
  echo "== $name: configure and build ($dir)"
  if ! cmake -S . -B "$dir" "$@" >"$dir.configure.log" 2>&1; then
    cat "$dir.configure.log"; failed=$((failed + 1)); return
  fi
  if ! cmake --build "$dir" -j"$jobs" >"$dir.build.log" 2>&1; then
    grep -E "error|warning" "$dir.build.log" | head -50; failed=$((failed + 1)); return
  fi
  echo "== $name: ctest"
  local log="$dir.ctest.log"
  ctest --test-dir "$dir" --output-on-failure -j"$jobs" "${ctest_args[@]}" 2>&1 | tee "$log"
  local line
  line=$(grep -E "tests passed, [0-9]+ tests failed out of [0-9]+" "$log" | tail -1)
  if [ -z "$line" ]; then failed=$((failed + 1)); return; fi
  local total f
  total=$(sed -E 's/.* out of ([0-9]+).*/\1/' <<<"$line")
  f=$(sed -E 's/.*passed, ([0-9]+) tests failed.*/\1/' <<<"$line")
  passed=$((passed + total - f))
  failed=$((failed + f))
}

ctest_args=("$@")
mkdir -p build
run_suite "release" build -DCMAKE_BUILD_TYPE=RelWithDebInfo -DSOV_WERROR=ON
if [ "${SOV_NO_ASAN:-0}" != 1 ]; then
  mkdir -p build-asan
  ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    run_suite "asan+ubsan" build-asan -DCMAKE_BUILD_TYPE=Debug -DSOV_SANITIZE=ON -DSOV_WERROR=ON
fi
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
