#!/usr/bin/env bash
# Benchmark: wasm-set-rpath against cp and peers on pyodide.asm.wasm (9.6 MB,
# a real module with dylink.0), side by side in one hyperfine run, plus the
# peak memory (max RSS) of each command. Not a test: run it by hand.
# The full suite (256 MiB modules, batch mode, scaling, peers) is
# bench/suite.sh; docs/performance.md has its results.
#
#   bench/pyodide-asm.sh [BUILD_DIR]     (default: build; run scripts/test.sh first)
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${1:-build}
TOOL=$PWD/$BUILD/bin/wasm-set-rpath
SRC=$PWD/$BUILD/test/npm/node_modules/pyodide/pyodide.asm.wasm
[ -x "$TOOL" ] && [ -f "$SRC" ] || { echo "build first: scripts/test.sh" >&2; exit 1; }
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
cp "$SRC" "$W/pristine.wasm"
printf '\x01\x0e$ORIGIN/../lib' > "$W/rpath.bin"
cd "$W"

hyperfine -N --warmup 5 --min-runs 40 --export-markdown times.md \
  --prepare 'cp pristine.wasm work.wasm' \
  -n 'cp' 'cp pristine.wasm out.wasm' \
  -n 'wasm-set-rpath --set-rpath (in place)' "$TOOL --set-rpath \$ORIGIN/../lib work.wasm" \
  -n 'wasm-set-rpath --set-rpath --output' "$TOOL --set-rpath \$ORIGIN/../lib pristine.wasm --output out.wasm" \
  -n 'wasm-set-rpath --print-rpath' "$TOOL --print-rpath pristine.wasm" \
  -n 'llvm-objcopy-19 --add-section' "llvm-objcopy-19 --add-section rpath.0=rpath.bin pristine.wasm out.wasm" \
  -n 'wasm-opt (read+write)' "wasm-opt --all-features pristine.wasm -o out.wasm"
cat times.md

echo
echo "| command | peak memory (max RSS) |"
echo "|---|---|"
peak() { local name=$1; shift; cp pristine.wasm work.wasm
  /usr/bin/time -f %M -o rss.txt "$@" >/dev/null 2>&1
  echo "| $name | $(( $(cat rss.txt) / 1024 )) MB |"; }
peak cp cp pristine.wasm out.wasm
peak 'wasm-set-rpath --set-rpath (in place)' "$TOOL" --set-rpath '$ORIGIN/../lib' work.wasm
peak 'wasm-set-rpath --set-rpath --output' "$TOOL" --set-rpath '$ORIGIN/../lib' pristine.wasm --output out.wasm
peak 'wasm-set-rpath --print-rpath' "$TOOL" --print-rpath pristine.wasm
peak 'llvm-objcopy-19 --add-section' llvm-objcopy-19 --add-section rpath.0=rpath.bin pristine.wasm out.wasm
peak 'wasm-opt (read+write)' wasm-opt --all-features pristine.wasm -o out.wasm
