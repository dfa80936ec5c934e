#!/usr/bin/env bash
# Builds the libFuzzer targets with clang-19 (ASan + UBSan) in their own
# build directory, seeds a corpus and fuzzes for the given time.
#
#   fuzz/run.sh [SECONDS=60] [BUILD_DIR=build-fuzz] [TARGET=edit] [libFuzzer args...]
#
# TARGET is one of
#   edit     the read/edit/write round trip (EditRoundTripFuzzer.cpp), seeded
#            with real side modules built by clang-19 and wasm-ld-19;
#   resolve  the loaders' search rules (ResolveFuzzer.cpp), with a dictionary;
#   zip      the zip layer's read/extract/re-write/re-read (ZipFuzzer.cpp),
#            seeded with small archives from Python's zipfile, with a
#            dictionary;
#   all      the three, each for a third of SECONDS.
# A third argument that starts with '-' is a libFuzzer argument (the target
# is then edit, as before targets could be chosen).
#
# Exits non-zero on any finding; the crashing input is left in BUILD_DIR/.
set -euo pipefail
SECONDS_TO_RUN=${1:-60}
BUILD=${2:-build-fuzz}
shift $(( $# > 2 ? 2 : $# ))
TARGET=edit
if [ $# -gt 0 ] && [ "${1#-}" = "$1" ]; then
  TARGET=$1
  shift
fi
case $TARGET in
  edit|resolve|zip|all) ;;
  *) echo "run.sh: unknown target '$TARGET' (edit, resolve, zip or all)" >&2; exit 2 ;;
esac
SRC=$(cd "$(dirname "$0")/.." && pwd)
cd "$SRC"
BUILD=$(realpath -m "$BUILD")
cmake -S . -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=Release \
  -DCMAKE_C_COMPILER=clang-19 -DCMAKE_CXX_COMPILER=clang++-19 \
  -DWASM_RPATH_BUILD_TESTS=OFF -DWASM_RPATH_BUILD_FUZZERS=ON >/dev/null
case $TARGET in
  edit) TARGETS=(wasm-rpath-fuzz-edit) ;;
  resolve) TARGETS=(wasm-rpath-fuzz-resolve) ;;
  zip) TARGETS=(wasm-rpath-fuzz-zip) ;;
  all) TARGETS=(wasm-rpath-fuzz-edit wasm-rpath-fuzz-resolve wasm-rpath-fuzz-zip) ;;
esac
cmake --build "$BUILD" --target "${TARGETS[@]}" > "$BUILD/build.log" 2>&1 ||
  { cat "$BUILD/build.log" >&2; exit 1; }

fuzz_edit() {
  local CORPUS=$BUILD/fuzz-corpus T CF
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
  (cd "$BUILD" && ./bin/wasm-rpath-fuzz-edit "$CORPUS" -max_total_time="$1" \
    -max_len=8192 -print_final_stats=1 "${@:2}")
}

fuzz_resolve() {
  local CORPUS=$BUILD/fuzz-corpus-resolve
  mkdir -p "$CORPUS"
  if [ -d test/Inputs/fuzz-regressions-resolve ]; then
    cp test/Inputs/fuzz-regressions-resolve/* "$CORPUS/"
  fi
  (cd "$BUILD" && ./bin/wasm-rpath-fuzz-resolve "$CORPUS" \
    -dict="$SRC/fuzz/resolve.dict" -max_total_time="$1" -max_len=1024 \
    -print_final_stats=1 "${@:2}")
}

fuzz_zip() {
  local CORPUS=$BUILD/fuzz-corpus-zip
  if [ ! -d "$CORPUS" ]; then
    mkdir -p "$CORPUS"
    python3 "$SRC/fuzz/zip-seeds.py" "$CORPUS"
  fi
  if [ -d test/Inputs/fuzz-regressions-zip ]; then
    cp test/Inputs/fuzz-regressions-zip/* "$CORPUS/"
  fi
  (cd "$BUILD" && ./bin/wasm-rpath-fuzz-zip "$CORPUS" \
    -dict="$SRC/fuzz/zip.dict" -max_total_time="$1" -max_len=4096 \
    -print_final_stats=1 "${@:2}")
}

case $TARGET in
  edit) fuzz_edit "$SECONDS_TO_RUN" "$@" ;;
  resolve) fuzz_resolve "$SECONDS_TO_RUN" "$@" ;;
  zip) fuzz_zip "$SECONDS_TO_RUN" "$@" ;;
  all)
    THIRD=$(( (SECONDS_TO_RUN + 2) / 3 ))
    fuzz_edit "$THIRD" "$@"
    fuzz_resolve "$THIRD" "$@"
    fuzz_zip "$THIRD" "$@"
    ;;
esac
