#!/usr/bin/env bash
# Benchmark: wasm-ldd --check of Pyodide's pyodide.asm.wasm (9.6 MB, the
# main module, with its JS glue pyodide.asm.mjs beside it) and 40 side
# modules (issue 20 "Speed": well under a second). The side modules are
# PGlite 0.5.17's 40 extensions (from test's node_modules, as `ctest -R
# npm-ci` installs them), extracted from their .tar.gz archives. Timed with
# hyperfine beside `cp` of the same 41 files, and with `--json`, which adds
# every module's export list to the output. Reading symbols (exports,
# imports, and the digests of self-contained exported functions) grows with
# the module sizes. Not a test: run it by hand on a quiet machine.
#
#   bench/ldd-check.sh [BUILD_DIR]    (default: build)
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${1:-build}
TOOL=$PWD/$BUILD/bin/wasm-ldd
NM=$PWD/$BUILD/test/npm/node_modules
PYODIDE=$NM/pyodide
PGLITE=$NM/@electric-sql/pglite/dist
[ -x "$TOOL" ] || { echo "build first: $TOOL" >&2; exit 1; }
[ -f "$PYODIDE/pyodide.asm.wasm" ] && [ -f "$PGLITE/pglite.wasm" ] ||
  { echo "run 'ctest -R npm-ci' in $BUILD first" >&2; exit 1; }
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
cd "$W"
mkdir ext copy main
cp "$PYODIDE/pyodide.asm.wasm" "$PYODIDE/pyodide.asm.mjs" main/
for f in "$PGLITE"/*.tar.gz; do
  tar -xzf "$f" -C ext --wildcards '*.so'
done
mv ext/lib/postgresql/*.so ext/
n=$(ls ext/*.so | wc -l)
size=$(du -cb main/pyodide.asm.wasm ext/*.so | tail -1 | cut -f1)

# Exit 1 is expected (PGlite's extensions import PostgreSQL's symbols, which
# pyodide.asm.wasm does not define); -i keeps hyperfine going.
runs=(-N -i --style basic --warmup 3 --min-runs 20)
hyperfine "${runs[@]}" --export-markdown ldd.md \
  -n 'cp (the same 41 files)' "cp main/pyodide.asm.wasm ext/*.so copy/" \
  -n 'wasm-ldd --check' "$TOOL --check main/pyodide.asm.wasm ext" \
  -n 'wasm-ldd --check --json' "$TOOL --check --json main/pyodide.asm.wasm ext"
echo "### wasm-ldd --check: pyodide.asm.wasm + $n side modules ($size bytes)"
cat ldd.md
/usr/bin/time -f "peak RSS of wasm-ldd --check: %M KB" \
  "$TOOL" --check main/pyodide.asm.wasm ext 2>&1 >/dev/null | tail -1
