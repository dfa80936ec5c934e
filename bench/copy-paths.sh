#!/usr/bin/env bash
# The copy-path micro-benchmarks of docs/performance.md (see copy-paths.c):
# each way of copying a module's unchanged tail, with the tail moved (a
# size-changing edit) and in place (a same-size edit), and the ways of
# replacing the old file. Runs in the current directory, so that its file
# system is the one measured; the page cache is warm.
#
#   bench/copy-paths.sh FILE [RUNS]
set -euo pipefail
FILE=$1 RUNS=${2:-30}
BIN=$(mktemp -d)
trap 'rm -rf "$BIN"' EXIT
cc -O2 -o "$BIN/copy-paths" "$(dirname "$0")/copy-paths.c"
cat "$FILE" > /dev/null
echo "$(stat -c %s "$FILE") bytes; $(findmnt -n -o FSTYPE,OPTIONS -T . | head -1)"
for m in cfr sendfile splice-64k splice-1m pread mmap; do "$BIN/copy-paths" copy "$FILE" $m 26 44 "$RUNS"; done
for m in cfr splice-1m; do "$BIN/copy-paths" copy "$FILE" $m 26 26 "$RUNS"; done
for m in trunc rename exchange; do "$BIN/copy-paths" replace "$FILE" $m "$RUNS"; done
