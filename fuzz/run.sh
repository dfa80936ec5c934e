#!/usr/bin/env bash
# Builds the libFuzzer target with clang-19 (ASan + UBSan) in its own build
# directory, seeds a corpus with real side modules built by clang-19 and
# wasm-ld-19, and fuzzes for the given time.
#
#   fuzz/run.sh [SECONDS=60] [BUILD_DIR=build-fuzz] [extra libFuzzer args...]
#
# Exits non-zero on any finding; the crashing input is left in BUILD_DIR/.
set -euo pipefail
SECONDS_TO_RUN=${1:-60}
BUILD=${2:-build-fuzz}
shift $(( $# > 2 ? 2 : $# ))
SRC=$(cd "$(dirname "$0")/.." && pwd)
cd "$SRC"
BUILD=$(realpath -m "$BUILD")
cmake -S . -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=Release \
  -DCMAKE_C_COMPILER=clang-19 -DCMAKE_CXX_COMPILER=clang++-19 \
  -DWASM_RPATH_BUILD_TESTS=OFF -DWASM_RPATH_BUILD_FUZZERS=ON >/dev/null
cmake --build "$BUILD" --target wasm-rpath-fuzz-edit >/dev/null

CORPUS=$BUILD/fuzz-corpus
if [ ! -d "$CORPUS" ]; then
  mkdir -p "$CORPUS" && T=$(mktemp -d)
  CF="--target=wasm32-unknown-emscripten -fPIC -O2 -fvisibility=default"
  clang-19 $CF -c test/Inputs/b.c -o "$T/b.o"
  clang-19 $CF -c test/Inputs/a.c -o "$T/a.o"
  (cd "$T" && wasm-ld-19 -shared --experimental-pic -o libb.so b.o &&
     wasm-ld-19 -shared --experimental-pic -o liba.so a.o libb.so)
  # The last byte of an input selects the edit (see EditRoundTripFuzzer.cpp).
  for sel in 0 1 2 3 4 5 6 17 34; do
    for m in liba libb; do
      { cat "$T/$m.so"; printf "\\$(printf '%03o' $sel)"; } > "$CORPUS/$m-$sel"
    done
  done
  rm -rf "$T"
fi
# Every past finding stays in the corpus, so each run re-checks it first.
cp test/Inputs/fuzz-regressions/* "$CORPUS/"
cd "$BUILD"
exec ./bin/wasm-rpath-fuzz-edit "$CORPUS" -max_total_time="$SECONDS_TO_RUN" \
  -max_len=8192 -print_final_stats=1 "$@"
