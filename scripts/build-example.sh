#!/bin/sh
# build-example.sh DIR: builds the shipped example (examples/) into DIR as
# side modules: DIR/lib/libgreet.so, and DIR/bin/libapp.so, which needs
# libgreet.so and has no run-time path yet. Used by scripts/demo.sh (for its
# own run and for the README's tour) and by test/docs/readme.test.
set -eu
[ $# -eq 1 ] || { echo "usage: $0 DIR" >&2; exit 2; }
src=$(cd "$(dirname "$0")/../examples" && pwd)
rm -rf "$1" && mkdir -p "$1/bin" "$1/lib"
cd "$1"
CF="--target=wasm32-unknown-emscripten -fPIC -O2 -fvisibility=default"
clang-19 $CF -c "$src/libgreet.c" -o libgreet.o
clang-19 $CF -c "$src/libapp.c" -o libapp.o
(cd lib && wasm-ld-19 -shared --experimental-pic -o libgreet.so ../libgreet.o)
(cd lib && wasm-ld-19 -shared --experimental-pic -o ../bin/libapp.so ../libapp.o libgreet.so)
rm libgreet.o libapp.o
