#!/usr/bin/env bash
# Installs what is needed (Debian 12), builds wasm-rpath and runs all tests:
# the GoogleTest unit tests and the lit suite, both through CTest.
set -euo pipefail
cd "$(dirname "$0")/.."
./.ci/install-deps.sh
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release
cmake --build build -j "$(nproc)"
cd build && ctest --output-on-failure -j 2
