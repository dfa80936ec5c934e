#!/usr/bin/env bash
# Installs what is needed (Debian 12), builds wasm-rpath, and shows the main
# job on the shipped example: a side module in bin/ that needs a library in
# lib/ gets the run-time path '$ORIGIN/../lib', and the real loader (Pyodide
# in node) then finds its dependency.
set -eo pipefail
cd "$(dirname "$0")/.."
./.ci/install-deps.sh
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build -j "$(nproc)" --target wasm-set-rpath wasm-ldd wasm-ld-rpath wasm-auditwheel >/dev/null

B=$PWD/build/bin
D=$PWD/build/demo
./scripts/build-example.sh "$D"
# A second, untouched copy for the README's tour (which edits it).
./scripts/build-example.sh "$PWD/build/tour"

run() { printf '$'; printf ' %q' "$@"; echo; "$@"; }
cd "$D"
# The real loader: Pyodide 314.0.7 in node, from the pinned lockfile.
NPM=$PWD/../test/npm
mkdir -p "$NPM" && cp ../../test/package.json ../../test/package-lock.json "$NPM/"
(cd "$NPM" && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
load() {
  PYODIDE_DIR="$NPM/node_modules/pyodide" node ../../test/Inputs/pyodide-run.mjs --copy "$D" \
    --code "import ctypes; print('app_answer() =', ctypes.CDLL('$D/bin/libapp.so').app_answer())" 2>&1 | tail -n 1 || true
}
run "$B/wasm-set-rpath" --print-needed bin/libapp.so
echo "# run-time path before (empty):"
run "$B/wasm-set-rpath" --print-rpath bin/libapp.so
echo "# Pyodide cannot load bin/libapp.so yet:"
load
run "$B/wasm-set-rpath" --set-rpath '$ORIGIN/../lib' bin/libapp.so
echo "# run-time path after:"
run "$B/wasm-set-rpath" --print-rpath bin/libapp.so
run "$B/wasm-set-rpath" --json bin/libapp.so

echo "# Pyodide now loads bin/libapp.so and calls through to lib/libgreet.so:"
load

echo
echo "# The tools are in build/bin. The README's tour starts from an untouched copy:"
echo "#   cd build/tour && export PATH=\"\$PWD/../bin:\$PATH\""
