#!/usr/bin/env bash
# Benchmark: the cost of the main-module check of a run-time path edit
# (issue 16 §5). A side module shaped like PGlite's pgcrypto.so (1,583
# imports, 8,842 exports, about 1 MB) is built with clang-19/wasm-ld-19, and
# wasm-set-rpath --set-rpath (which runs the check) is timed beside
# --add-needed (which does not) and `cp` of the same file; then the same on
# Pyodide's pyodide.asm.wasm (a main module, decided from its memory
# section). Each edit writes a new file (--output), as `cp` does. Not a
# test: run it by hand on a quiet machine.
#
#   bench/main-module-check.sh [BUILD_DIR]    (default: build)
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${1:-build}
TOOL=$PWD/$BUILD/bin/wasm-set-rpath
PYODIDE=$PWD/$BUILD/test/npm/node_modules/pyodide/pyodide.asm.wasm
[ -x "$TOOL" ] || { echo "build first: $TOOL" >&2; exit 1; }
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
cd "$W"

python3 - <<'PY'
NI, NE = 1583, 8842
with open("pg.c", "w") as f:
    for i in range(NI):
        f.write(f"int pg_imported_{i}(int);\n")
    for i in range(NE):
        f.write(f"int pg_exported_function_{i}(int x) "
                f"{{ return pg_imported_{i % NI}(x + {i}); }}\n")
PY
clang-19 --target=wasm32-unknown-emscripten -fPIC -O1 -fvisibility=default -c pg.c -o pg.o
wasm-ld-19 -shared --experimental-pic --unresolved-symbols=import-dynamic -o pg.so pg.o

runs=(-N --style basic --warmup 5 --min-runs 40)
hyperfine "${runs[@]}" --export-markdown side.md \
  -n 'cp' 'cp pg.so out.so' \
  -n 'wasm-set-rpath --set-rpath (main-module check)' "$TOOL --set-rpath /x pg.so --output out.so" \
  -n 'wasm-set-rpath --add-needed (no check)' "$TOOL --add-needed libz.so pg.so --output out.so"
echo "### side module, 1,583 imports, 8,842 exports ($(stat -c %s pg.so) bytes)"
cat side.md
if [ -f "$PYODIDE" ]; then
  cp "$PYODIDE" py.wasm
  hyperfine "${runs[@]}" --export-markdown main.md \
    -n 'cp' 'cp py.wasm out.wasm' \
    -n 'wasm-set-rpath --set-rpath (main-module check)' "$TOOL --set-rpath /x py.wasm --output out.wasm" \
    -n 'wasm-set-rpath --add-needed (no check)' "$TOOL --add-needed libz.so py.wasm --output out.wasm"
  echo "### pyodide.asm.wasm (main module)"
  cat main.md
fi
