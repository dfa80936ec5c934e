#!/usr/bin/env bash
# Installs what is needed (Debian 12), builds wasm-rpath and runs all tests:
# the GoogleTest unit tests and the lit suite, both through CTest.
#
#   scripts/test.sh               as CI runs it
#   scripts/test.sh --under-load  the same with every core kept busy by a
#                                 spinning process for the whole run, as on
#                                 a slow or shared machine: no assertion may
#                                 depend on timing, and this is how that is
#                                 checked before a change lands
set -euo pipefail
cd "$(dirname "$0")/.."
under_load=0
for arg in "$@"; do
  case "$arg" in
    --under-load) under_load=1 ;;
    *) echo "usage: $0 [--under-load]" >&2; exit 2 ;;
  esac
done
./.ci/install-deps.sh
if [ "$under_load" = 1 ]; then
  # One busy process per core, ended (by pid: only those started here) when
  # the script exits for any reason.
  spinners=()
  for _ in $(seq "$(nproc)"); do
    sh -c 'while :; do :; done' &
    spinners+=($!)
  done
  trap 'kill "${spinners[@]}" 2>/dev/null || true' EXIT
  echo "test.sh: $(nproc) cores kept busy by ${spinners[*]}"
fi
# WASM_RPATH_TEST_ALL: every test runs; a missing tool fails the suite
# instead of skipping the tests that need it.
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release -DWASM_RPATH_TEST_ALL=ON
cmake --build build -j "$(nproc)"
cd build && ctest --output-on-failure -j 2
