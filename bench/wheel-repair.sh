#!/usr/bin/env bash
# Benchmark: wasm-auditwheel repair against cp of the wheel and against a
# Python zipfile rewrite (bench/py-wheel-repair.py, the auditwheel approach),
# side by side in one hyperfine run per wheel, plus peak memory (max RSS).
# Not a test: run it by hand; docs/performance.md has the results.
#
# Wheels, built here with clang-19/wasm-ld-19 and Python's zipfile:
#  * big-stored:   one 200 MiB data member stored (as already-compressed
#                  data is), plus 5 small side modules that need libfoo.so;
#  * big-deflated: the same data member deflated (compressible binary data:
#                  copies of pyodide.asm.wasm);
#  * many:         500 small side modules that need libfoo.so.
# Each is repaired with the default RECORD check (structural: every member
# listed with its size, the side modules hashed) and with --record-check
# full (every member hashed).
#
# With BASELINE=/path/to/an/older/wasm-auditwheel, that build is run too,
# in the same hyperfine run (before/after figures for one change).
# KINDS="many" benchmarks only those wheels (default: stored deflated
# many); RUNS=60 sets hyperfine's runs (default 3; a loaded machine needs
# many for the small "many" wheel).
#
#   bench/wheel-repair.sh [BUILD_DIR]    (default: build; run scripts/test.sh first)
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
BUILD=${1:-build}
TOOL=$ROOT/$BUILD/bin/wasm-auditwheel
ASM=$ROOT/$BUILD/test/npm/node_modules/pyodide/pyodide.asm.wasm
[ -x "$TOOL" ] && [ -f "$ASM" ] || { echo "build first: scripts/test.sh" >&2; exit 1; }
W=$(mktemp -d "${TMPDIR:-/tmp}/wheel-bench.XXXXXX")
trap 'rm -rf "$W"' EXIT
cd "$W"
export PATH=/usr/lib/llvm-19/bin:$PATH
CF="--target=wasm32-unknown-emscripten -fPIC -O2 -fvisibility=default"

mkdir -p deps/lib mods
clang $CF -DFOO_VERSION=1 -c "$ROOT/test/Inputs/wheel-foo.c" -o foo.o
wasm-ld -shared --experimental-pic -o deps/lib/libfoo.so foo.o
clang $CF -DEXT_CALL=ext_call -c "$ROOT/test/Inputs/wheel-ext.c" -o ext.o
wasm-ld -shared --experimental-pic -o ext.so ext.o deps/lib/libfoo.so
KINDS=${KINDS:-stored deflated many}
# 200 MiB of real binary data (for the big wheels only).
if [ "$KINDS" != many ]; then
  for i in $(seq 1 21); do cat "$ASM"; done | head -c $((200 << 20)) > data.bin
fi
small=()
for i in $(seq 1 5); do small+=("pkg/_ext$i.so=ext.so"); done
many=()
for i in $(seq 1 500); do many+=("pkg/m$i/_ext.so=ext.so"); done
MK="python3 $ROOT/test/Inputs/make-wheel.py"
TAG=cp314-cp314-pyemscripten_2026_0_wasm32
mkdir stored deflated many
if [ -f data.bin ]; then
  $MK stored/pkg-1.0-$TAG.whl pkg 1.0 pkg/__init__.py=/dev/null pkg/data.bin=data.bin "${small[@]}" --stored pkg/data.bin
  $MK deflated/pkg-1.0-$TAG.whl pkg 1.0 pkg/__init__.py=/dev/null pkg/data.bin=data.bin "${small[@]}"
fi
$MK many/pkg-1.0-$TAG.whl pkg 1.0 pkg/__init__.py=/dev/null "${many[@]}"
ls -l */*.whl

PY="python3 $ROOT/bench/py-wheel-repair.py"
BASE=()
[ -n "${BASELINE:-}" ] && BASE=(-n 'baseline repair' "$BASELINE repair -L deps -w out IN")
for kind in $KINDS; do
  IN=$kind/pkg-1.0-$TAG.whl
  echo; echo "## $kind: $(du -h "$IN" | cut -f1)"
  hyperfine -N --warmup 1 --runs "${RUNS:-3}" --export-markdown "$kind.md" \
    --prepare "rm -rf out" \
    -n cp "cp $IN out.whl" \
    -n 'wasm-auditwheel repair' "$TOOL repair -L deps -w out $IN" \
    -n 'wasm-auditwheel repair --record-check full' "$TOOL repair --record-check full -L deps -w out $IN" \
    -n 'Python zipfile rewrite' "$PY $IN deps/lib/libfoo.so out.whl" \
    "${BASE[@]/%IN/$IN}" >/dev/null
  cat "$kind.md"
  echo
  echo "| command | peak memory (max RSS) |"
  echo "|---|---|"
  peak() { local name=$1; shift; rm -rf out
    /usr/bin/time -f %M -o rss.txt "$@" >/dev/null 2>&1
    echo "| $name | $(( $(cat rss.txt) / 1024 )) MB |"; }
  peak cp cp "$IN" out.whl
  peak 'wasm-auditwheel repair' "$TOOL" repair -L deps -w out "$IN"
  peak 'wasm-auditwheel repair --record-check full' "$TOOL" repair --record-check full -L deps -w out "$IN"
  peak 'Python zipfile rewrite' $PY "$IN" deps/lib/libfoo.so out.whl
done
