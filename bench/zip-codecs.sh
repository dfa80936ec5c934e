#!/usr/bin/env bash
# The codec micro-benchmark of the zip layer (see zip-codecs.c): zlib and
# libdeflate deflate/inflate/CRC-32 and OpenSSL SHA-256 on FILE (a wheel's
# .so is the case that matters: pyodide.asm.wasm is a large one).
#
#   bench/zip-codecs.sh FILE [RUNS]
set -euo pipefail
FILE=$1 RUNS=${2:-9}
BIN=$(mktemp -d)
trap 'rm -rf "$BIN"' EXIT
cc -O2 -o "$BIN/zip-codecs" "$(dirname "$0")/zip-codecs.c" -ldeflate -lz -lcrypto
"$BIN/zip-codecs" "$FILE" "$RUNS"
