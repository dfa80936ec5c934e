#!/bin/sh
# pyodide-smoke.sh: check that pyodide-run.mjs and the real Pyodide loader work on this machine,
# without wasm-rpath itself. Builds liba.so (NEEDED libb.so) with LLVM 19, puts it in D/bin and
# libb.so in D/lib, then expects: no runtime path -> load fails (exit 1);
# LD_LIBRARY_PATH=D/lib -> a_value() prints 43.
# Usage: sh test/Inputs/pyodide-smoke.sh   (needs clang-19, wasm-ld-19, `npm ci --prefix test`)
set -eu
HERE=$(cd "$(dirname "$0")" && pwd)
RUN="node $HERE/pyodide-run.mjs"
D=$(mktemp -d)
trap 'rm -rf "$D"' EXIT
CF="--target=wasm32-unknown-emscripten -fPIC -O2 -fvisibility=default"
mkdir -p "$D/bin" "$D/lib"
echo 'int b_value(void){return 42;}' > "$D/b.c"
echo 'int b_value(void); int a_value(void){return b_value()+1;}' > "$D/a.c"
clang-19 $CF -c "$D/b.c" -o "$D/b.o"
wasm-ld-19 -shared --experimental-pic -o "$D/lib/libb.so" "$D/b.o"
clang-19 $CF -c "$D/a.c" -o "$D/a.o"
(cd "$D/lib" && wasm-ld-19 -shared --experimental-pic -o "$D/bin/liba.so" "$D/a.o" libb.so)
PY="import ctypes; print(ctypes.CDLL('$D/bin/liba.so').a_value())"

if $RUN --copy "$D" --code "$PY" > "$D/out" 2> "$D/err"; then
  echo "FAIL: liba.so loaded without a runtime path"; exit 1
fi
grep -q 'Failed to find dynamic library "libb.so"' "$D/err" || { echo "FAIL: unexpected error:"; cat "$D/err"; exit 1; }
out=$($RUN --copy "$D" --env "LD_LIBRARY_PATH=$D/lib" --code "$PY")
[ "$out" = 43 ] || { echo "FAIL: expected 43, got '$out'"; exit 1; }
echo "PASS: pyodide-run.mjs works"
