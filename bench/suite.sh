#!/usr/bin/env bash
# The benchmark suite of docs/performance.md. Not a test (nothing here runs in
# CI): run it by hand on a quiet machine. It prepares its own inputs, runs
# everything with hyperfine (medians; each edit works on a fresh copy made
# by --prepare, outside the timing), measures peak memory (max RSS) with
# /usr/bin/time, and prints markdown tables:
#
#  1. pyodide.asm.wasm (9.6 MB) and a 256 MiB side module: wasm-set-rpath
#     (size-changing edit, same-size edit, no-op, --print-rpath,
#     --print-needed) and peers (llvm-objcopy, wasm-opt, a Python rewrite,
#     patchelf on an ELF file of the same size), each as a ratio to `cp` of
#     the same file onto an existing copy (what an in-place edit replaces);
#  2. batch: 2,000 small side modules in one call (-j 1, -j 2), and one
#     call per file against `true` + `cp`;
#  3. scaling: an edit of 1, 16 and 256 MiB modules; wasm-ldd on trees of
#     10, 100 and 1,000 modules (a chain and a fan-out).
#
#   bench/suite.sh [-b BUILD_DIR] [-w WORK_DIR] [-o RESULTS.md] [--quick]
#
# BUILD_DIR (default: build) holds bin/wasm-set-rpath and bin/wasm-ldd, and
# test/npm/node_modules/pyodide after ctest (else pyodide.asm.wasm is taken
# from any build*/ tree, else that table is skipped). WORK_DIR (default: a
# new directory under $TMPDIR, removed at the end) decides the file system
# measured. --quick makes fewer runs (a smoke run of the script itself).
# Missing tools (hyperfine, patchelf, wasm-opt) are installed with apt-get.
set -euo pipefail
cd "$(dirname "$0")/.."
SRC=$PWD
BUILD=build WORK="" OUT="" QUICK=0
while [ $# -gt 0 ]; do
  case $1 in
    -b) BUILD=$2; shift 2 ;;
    -w) WORK=$2; shift 2 ;;
    -o) OUT=$2; shift 2 ;;
    --quick) QUICK=1; shift ;;
    *) echo "usage: $0 [-b BUILD_DIR] [-w WORK_DIR] [-o RESULTS.md] [--quick]" >&2; exit 2 ;;
  esac
done
BUILD=$(cd "$BUILD" && pwd)
TOOL=$BUILD/bin/wasm-set-rpath
LDD=$BUILD/bin/wasm-ldd
[ -x "$TOOL" ] && [ -x "$LDD" ] || { echo "build first: $TOOL, $LDD" >&2; exit 1; }

# Tools: ours to compare with, and hyperfine itself.
need=()
command -v hyperfine >/dev/null || need+=(hyperfine)
command -v patchelf >/dev/null || need+=(patchelf)
command -v wasm-opt >/dev/null || need+=(binaryen)
command -v /usr/bin/time >/dev/null || need+=(time)
if [ ${#need[@]} -gt 0 ]; then
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO=sudo
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}"
fi
for t in clang-19 wasm-ld-19 llvm-objcopy-19 gcc objcopy python3; do
  command -v $t >/dev/null || { echo "missing $t (scripts/test.sh installs it)" >&2; exit 1; }
done

if [ -z "$WORK" ]; then
  WORK=$(mktemp -d "${TMPDIR:-/tmp}/wasm-rpath-bench.XXXXXX")
  trap 'rm -rf "$WORK"' EXIT
else
  mkdir -p "$WORK"; WORK=$(cd "$WORK" && pwd)
fi
cd "$WORK"
if [ $QUICK = 1 ]; then FAST=10 SLOW=2 BIG=2; else FAST=60 SLOW=5 BIG=15; fi
HF=(hyperfine -N --style basic --warmup 2)
RSS=$WORK/rss.tsv; : > "$RSS"
results=$WORK/results.md; : > "$results"
say() { printf '%s\n' "$*" | tee -a "$results"; }
table() { python3 "$SRC/bench/report.py" "$@" | tee -a "$results"; }
# fresh SRC DEST: the preparation of an in-place edit (and of `cp` onto an
# existing file): a copy, written back to disk, so that every timed command
# starts from a file at rest, as when an installed or unpacked file is edited.
fresh() { echo "sh -c 'cp $1 $2 && sync $2'"; }
# peak NAME PREPARE CMD...: max RSS of one run of CMD after PREPARE.
peak() {
  local name=$1 prep=$2; shift 2
  sh -c "$prep"
  /usr/bin/time -f %M -o "$WORK/rss.txt" "$@" >/dev/null 2>&1 || true
  printf '%s\t%s\n' "$name" "$(tail -1 "$WORK/rss.txt")" >> "$RSS"
}

echo "== preparing inputs in $WORK" >&2
CF=(--target=wasm32-unknown-emscripten -fPIC -O2 -fvisibility=default)
cat > b.c <<'EOF'
int b_value(void) { return 42; }
EOF
cat > m.c <<'EOF'
int b_value(void);
static char buf[256];
int f1(int x) { return x * 3 + b_value(); }
const char *f2(const char *s) {
  int i = 0;
  for (; s[i] && i < 255; i++)
    buf[i] = s[i];
  buf[i] = 0;
  return buf;
}
int f3(int n) { int s = 0; for (int i = 0; i < n; i++) s += i * i; return s; }
EOF
clang-19 "${CF[@]}" -c b.c -o b.o && wasm-ld-19 -shared --experimental-pic -o libb.so b.o
clang-19 "${CF[@]}" -c m.c -o m.o && wasm-ld-19 -shared --experimental-pic -o base.so m.o libb.so
for mib in 1 16 256; do python3 "$SRC/bench/pad-module.py" base.so m$mib.wasm $mib; done
printf '\x01\x0e$ORIGIN/../lib' > rpath.bin
# An ELF file of the size of FILE, for patchelf: a small program plus a
# non-loaded section of padding.
echo 'int main(void) { return 0; }' > hello.c
gcc -O2 hello.c -o hello
elf_like() {
  local size; size=$(stat -c %s "$1")
  head -c $((size - $(stat -c %s hello))) /dev/urandom > pad.bin
  objcopy --add-section .bench_padding=pad.bin --set-section-flags .bench_padding=noload,readonly hello "$2"
  rm pad.bin
}
# FILE.rp: FILE with a run-time path already (for the same-size edit and the no-op).
with_rpath() { "$TOOL" --set-rpath '$ORIGIN/../lib' "$1" --output "$1.rp"; }

PYODIDE=""
for p in "$BUILD"/test/npm/node_modules/pyodide/pyodide.asm.wasm "$SRC"/build*/test/npm/node_modules/pyodide/pyodide.asm.wasm; do
  [ -f "$p" ] && { PYODIDE=$p; break; }
done

say "# wasm-rpath benchmark"
say ""
say "$(uname -sr), $(nproc) CPUs ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')), $(free -g | awk '/Mem:/{print $2}') GB"
say "work directory: $WORK on $(findmnt -n -o FSTYPE,OPTIONS -T "$WORK" 2>/dev/null | head -1 || stat -f -c %T "$WORK"); load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
say "$("$TOOL" --version); $(hyperfine --version); $(patchelf --version); $(wasm-opt --version); $(llvm-objcopy-19 --version | head -2 | tail -1 | sed 's/^ *//')"

# compare TITLE FILE RUNS: the main table for one input.
compare() {
  local title=$1 file=$2 runs=$3 name; name=$(basename "$2")
  cp "$file" in.wasm
  with_rpath in.wasm
  elf_like in.wasm in.elf
  local tool=$TOOL
  echo "== $title" >&2
  # Reads first, with the disk idle: an edit of a large file leaves seconds
  # of writeback behind, which on 2 CPUs delays a 1 ms process by several.
  sync
  "${HF[@]}" --runs $FAST --export-json "$name.0.json" \
    --prepare "true" -n "wasm-set-rpath --print-rpath" "$tool --print-rpath in.wasm" \
    --prepare "true" -n "wasm-set-rpath --print-needed" "$tool --print-needed in.wasm" \
    --prepare "$(fresh in.wasm.rp work.wasm)" -n "wasm-set-rpath --set-rpath (no-op)" "$tool --set-rpath \$ORIGIN/../lib work.wasm" >&2
  "${HF[@]}" --runs $runs --export-json "$name.1.json" \
    --prepare "$(fresh in.wasm work.wasm)" -n "cp" "cp in.wasm work.wasm" \
    --prepare "$(fresh in.wasm work.wasm)" -n "wasm-set-rpath --set-rpath (size-changing)" "$tool --set-rpath \$ORIGIN/../lib work.wasm" \
    --prepare "$(fresh in.wasm.rp work.wasm)" -n "wasm-set-rpath --set-rpath (same size)" "$tool --set-rpath \$ORIGIN/../abc work.wasm" \
    --prepare "rm -f new.wasm" -n "wasm-set-rpath --set-rpath --output (new file)" "$tool --set-rpath \$ORIGIN/../lib in.wasm --output new.wasm" >&2
  "${HF[@]}" --runs $SLOW --export-json "$name.2.json" \
    --prepare "$(fresh in.wasm work.wasm)" -n "llvm-objcopy-19 --add-section" "llvm-objcopy-19 --add-section rpath.0=rpath.bin in.wasm work.wasm" \
    --prepare "$(fresh in.wasm work.wasm)" -n "Python whole-file rewrite" "python3 $SRC/bench/py-set-rpath.py \$ORIGIN/../lib work.wasm" \
    --prepare "$(fresh in.elf work.elf)" -n "patchelf --set-rpath (ELF of the same size)" "patchelf --set-rpath \$ORIGIN/../lib work.elf" \
    --prepare "$(fresh in.wasm work.wasm)" -n "wasm-opt read+write" "wasm-opt --all-features in.wasm -o work.wasm" >&2
  # The no-op must not write: the file's mtime stays.
  cp in.wasm.rp work.wasm; touch -d @1000000000 work.wasm
  "$tool" --set-rpath '$ORIGIN/../lib' work.wasm
  [ "$(stat -c %Y work.wasm)" = 1000000000 ] || { echo "the no-op wrote the file" >&2; exit 1; }
  : > "$RSS"
  peak "cp" "$(fresh in.wasm work.wasm)" cp in.wasm work.wasm
  peak "wasm-set-rpath --set-rpath (size-changing)" "$(fresh in.wasm work.wasm)" "$tool" --set-rpath '$ORIGIN/../lib' work.wasm
  peak "wasm-set-rpath --set-rpath (same size)" "$(fresh in.wasm.rp work.wasm)" "$tool" --set-rpath '$ORIGIN/../abc' work.wasm
  peak "wasm-set-rpath --set-rpath (no-op)" "$(fresh in.wasm.rp work.wasm)" "$tool" --set-rpath '$ORIGIN/../lib' work.wasm
  peak "wasm-set-rpath --print-rpath" true "$tool" --print-rpath in.wasm
  peak "wasm-set-rpath --print-needed" true "$tool" --print-needed in.wasm
  peak "wasm-set-rpath --set-rpath --output (new file)" "rm -f new.wasm" "$tool" --set-rpath '$ORIGIN/../lib' in.wasm --output new.wasm
  peak "llvm-objcopy-19 --add-section" "$(fresh in.wasm work.wasm)" llvm-objcopy-19 --add-section rpath.0=rpath.bin in.wasm work.wasm
  peak "Python whole-file rewrite" "$(fresh in.wasm work.wasm)" python3 "$SRC/bench/py-set-rpath.py" '$ORIGIN/../lib' work.wasm
  peak "patchelf --set-rpath (ELF of the same size)" "$(fresh in.elf work.elf)" patchelf --set-rpath '$ORIGIN/../lib' work.elf
  peak "wasm-opt read+write" "$(fresh in.wasm work.wasm)" wasm-opt --all-features in.wasm -o work.wasm
  say ""
  say "## $title ($(stat -c %s in.wasm) bytes)"
  say ""
  table compare cp "$RSS" "$name.1.json" "$name.0.json" "$name.2.json"
  rm -f in.wasm in.wasm.rp in.elf work.wasm work.elf new.wasm out.wasm
}

if [ -n "$PYODIDE" ]; then
  compare "pyodide.asm.wasm" "$PYODIDE" $FAST
else
  say ""; say "(pyodide.asm.wasm not found: run ctest in $BUILD first; table skipped)"
fi
compare "256 MiB side module" m256.wasm $BIG

echo "== batch" >&2
mkdir -p batch/pristine
for i in $(seq -w 0 1999); do cp base.so batch/pristine/lib$i.so; done
(cd batch/pristine && ls | sed "s|^|$WORK/batch/work/|") > batch/list.rsp
cp base.so one.so
# The previous copy is moved away, not deleted, so that its 2,000 deletions
# do not slow down the next run's file creations (ext4 without a journal, as
# on this project's VMs, skips recently deleted inodes one by one).
RESET="sh -c 'mv batch/work batch/old.\$\$ 2>/dev/null; cp -a batch/pristine batch/work && sync'"
"${HF[@]}" --runs $SLOW --export-json batch.1.json \
  --prepare "$RESET" -n "batch: 2,000 files, -j 1" "$TOOL --set-rpath \$ORIGIN/../lib @batch/list.rsp" \
  --prepare "$RESET" -n "batch: 2,000 files, -j 2" "$TOOL -j 2 --set-rpath \$ORIGIN/../lib @batch/list.rsp" \
  --prepare "$RESET" -n "batch: 2,000 files, --print-rpath -j 2" "$TOOL -j 2 --print-rpath @batch/list.rsp" \
  --prepare "sh -c 'mv batch/copy batch/old.\$\$ 2>/dev/null; sync'" -n "cp -a of the 2,000 files (for scale)" "cp -a batch/pristine batch/copy" >&2
"${HF[@]}" --runs $((FAST * 5)) --export-json batch.2.json \
  --prepare "true" -n "true" "true" \
  --prepare "$(fresh base.so one.so)" -n "cp (one small file)" "cp base.so one.so" \
  --prepare "$(fresh base.so one.so)" -n "wasm-set-rpath --set-rpath (one small file)" "$TOOL --set-rpath \$ORIGIN/../lib one.so" \
  --prepare "true" -n "wasm-set-rpath --version" "$TOOL --version" >&2
: > "$RSS"
peak "batch: 2,000 files, -j 1" "$RESET" "$TOOL" --set-rpath '$ORIGIN/../lib' @batch/list.rsp
peak "batch: 2,000 files, -j 2" "$RESET" "$TOOL" -j 2 --set-rpath '$ORIGIN/../lib' @batch/list.rsp
peak "batch: 2,000 files, --print-rpath -j 2" "$RESET" "$TOOL" -j 2 --print-rpath @batch/list.rsp
peak "wasm-set-rpath --set-rpath (one small file)" "$(fresh base.so one.so)" "$TOOL" --set-rpath '$ORIGIN/../lib' one.so
say ""
say "## Batch: 2,000 small side modules ($(stat -c %s base.so) bytes each)"
say ""
table batch 2000 "$RSS" batch.1.json batch.2.json
python3 - batch.2.json <<'EOF' | tee -a "$results"
import json, sys
r = {x["command"]: x["median"] for x in json.load(open(sys.argv[1]))["results"]}
base = r["true"] + r["cp (one small file)"]
tool = r["wasm-set-rpath --set-rpath (one small file)"]
print(f"\nOne call per file: {tool * 1000:.2f} ms = {tool / base:.2f}× (`true` + `cp`: {base * 1000:.2f} ms)")
EOF
rm -rf batch

echo "== scaling" >&2
: > "$RSS"
args=()
for mib in 1 16 256; do
  args+=(--prepare "$(fresh m$mib.wasm work.wasm)" -n "$mib MiB module: cp" "cp m$mib.wasm work.wasm"
         --prepare "$(fresh m$mib.wasm work.wasm)" -n "$mib MiB module: wasm-set-rpath --set-rpath" "$TOOL --set-rpath \$ORIGIN/../lib work.wasm"
         --prepare "true" -n "$mib MiB module: wasm-set-rpath --print-rpath" "$TOOL --print-rpath m$mib.wasm")
  peak "$mib MiB module: cp" "$(fresh m$mib.wasm work.wasm)" cp m$mib.wasm work.wasm
  peak "$mib MiB module: wasm-set-rpath --set-rpath" "$(fresh m$mib.wasm work.wasm)" "$TOOL" --set-rpath '$ORIGIN/../lib' work.wasm
  peak "$mib MiB module: wasm-set-rpath --print-rpath" true "$TOOL" --print-rpath m$mib.wasm
done
"${HF[@]}" --runs $BIG --export-json scale.1.json "${args[@]}" >&2

# Trees for wasm-ldd: a chain lib0 -> lib1 -> ... and a fan-out lib0 ->
# lib1..libN-1; every module has RUNTIME_PATH $ORIGIN.
args=()
for n in 10 100 1000; do
  for kind in chain fan; do
    t=tree-$kind-$n; mkdir -p $t/lib
    for i in $(seq 0 $((n - 1))); do cp base.so $t/lib/lib$i.so; done
    cp libb.so $t/lib/
    "$TOOL" -j 2 --set-rpath '$ORIGIN' $t/lib/lib*.so
    if [ $kind = chain ]; then
      for i in $(seq 0 $((n - 2))); do "$TOOL" --add-needed lib$((i + 1)).so $t/lib/lib$i.so; done
    else
      for i in $(seq 1 $((n - 1))); do echo "--add-needed lib$i.so"; done > $t/needed.rsp
      "$TOOL" @$t/needed.rsp $t/lib/lib0.so
    fi
    args+=(--prepare true -n "$n modules: wasm-ldd, $kind" "$LDD --root $t $t/lib/lib0.so")
    peak "$n modules: wasm-ldd, $kind" true "$LDD" --root $t $t/lib/lib0.so
  done
done
"${HF[@]}" --runs $FAST --export-json scale.2.json "${args[@]}" >&2
say ""
say "## Scaling"
say ""
table scaling "$RSS" scale.1.json
say ""
table scaling "$RSS" scale.2.json

[ -n "$OUT" ] && cp "$results" "$OUT"
echo "== done: $results" >&2
