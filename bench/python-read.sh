#!/usr/bin/env bash
# Benchmark: wasm_rpath.read() of pyodide.asm.wasm (9.6 MB) from Python
# against `wasm-set-rpath --print-rpath` on it (issue 19: the binding adds
# no copy of the module's bytes, so a read costs about what the tool's does).
#
#  1. hyperfine, whole processes: the tool; python3 importing wasm_rpath
#     only (the interpreter's start-up, the baseline); python3 importing it
#     and reading the module. read()'s cost is the difference of the last two.
#  2. in process (timeit): read() alone, read() of the bytes already in
#     memory, and read() plus its exports (the symbol decoding that
#     is_main_module and exports do on first use).
#  3. peak memory (max RSS) of each process.
# Not a test: run it by hand, after a build with WASM_RPATH_BUILD_PYTHON=ON.
#
#   bench/python-read.sh [BUILD_DIR]     (default: build; run scripts/test.sh first)
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=$(realpath "${1:-build}")
TOOL=$BUILD/bin/wasm-set-rpath
SRC=$BUILD/test/npm/node_modules/pyodide/pyodide.asm.wasm
PY=$(sed -n 's/^WASM_RPATH_PYTHON_EXECUTABLE:FILEPATH=//p' "$BUILD/CMakeCache.txt")
[ -x "$TOOL" ] && [ -f "$SRC" ] && [ -n "$PY" ] && [ -d "$BUILD/python/wasm_rpath" ] ||
  { echo "build first: scripts/test.sh" >&2; exit 1; }
export PYTHONPATH=$BUILD/python
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
cp "$SRC" "$W/m.wasm"
cd "$W"

hyperfine -N --warmup 5 --min-runs 40 --export-markdown times.md \
  -n 'wasm-set-rpath --print-rpath' "$TOOL --print-rpath m.wasm" \
  -n 'python3: import wasm_rpath' "$PY -c 'import wasm_rpath'" \
  -n 'python3: import + read().runtime_path' "$PY -c 'import wasm_rpath; wasm_rpath.read(\"m.wasm\").runtime_path'"
cat times.md

echo
"$PY" - <<'PYEOF'
import timeit, wasm_rpath
data = open("m.wasm", "rb").read()
def per_call(stmt, n):
    return min(timeit.repeat(stmt, number=n, repeat=5, globals=globals())) / n * 1e6
path = "m.wasm"
rows = [("read(path)", "wasm_rpath.read(path)", 200),
        ("read(bytes in memory)", "wasm_rpath.read(data)", 200),
        ("read(path).exports", "wasm_rpath.read(path).exports", 5)]
print("| in process | per call |")
print("|---|---|")
for name, stmt, n in rows:
    print(f"| {name} | {per_call(stmt, n):.0f} µs |")
PYEOF

echo
echo "| command | peak memory (max RSS) |"
echo "|---|---|"
peak() { local name=$1; shift
  /usr/bin/time -f %M -o rss.txt "$@" >/dev/null 2>&1
  echo "| $name | $(( $(cat rss.txt) / 1024 )) MB |"; }
peak 'wasm-set-rpath --print-rpath' "$TOOL" --print-rpath m.wasm
peak 'python3: import wasm_rpath' "$PY" -c 'import wasm_rpath'
peak 'python3: import + read()' "$PY" -c 'import wasm_rpath; wasm_rpath.read("m.wasm").runtime_path'
