#!/usr/bin/env bash
# Installs what is needed (Debian 12), builds wasm-rpath and runs all tests:
# the GoogleTest unit tests and the lit suite, both through CTest.
set -euo pipefail
cd "$(dirname "$0")/.."
./.ci/install-deps.sh
# WASM_RPATH_TEST_ALL: every test runs; a missing tool fails the suite
# instead of skipping the tests that need it.
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release -DWASM_RPATH_TEST_ALL=ON
cmake --build build -j "$(nproc)"
cd build && ctest --output-on-failure -j 2
