#!/usr/bin/env bash
# Benchmark: wasm-auditwheel repair of wheels of many members that need no
# change (10k, 100k and 1M small .py members, and one side module that
# needs nothing), side by side with cp of the wheel and with a Python
# zipfile rewrite (bench/py-wheel-repair.py), in one hyperfine run per
# wheel. Time must grow linearly with the members (issue 17 section 2.5:
# RECORD lookups were a linear scan per member, 64k members took 6.8 s), and
# peak memory with them (issue 18 section 3: names were copied into several
# strings a member, 1.3 KB a member; now views of the central directory and
# RECORD, about 0.5 KB with those texts).
# Not a test: run it by hand; docs/performance.md has the results.
#
#   bench/wheel-members.sh [BUILD_DIR] [COUNTS...]   (default: build 10000 100000 1000000)
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
BUILD=${1:-build}
shift || true
COUNTS=${*:-10000 100000 1000000}
TOOL=$ROOT/$BUILD/bin/wasm-auditwheel
[ -x "$TOOL" ] || { echo "build first" >&2; exit 1; }
W=$(mktemp -d "${TMPDIR:-/tmp}/wheel-members.XXXXXX")
trap 'rm -rf "$W"' EXIT
cd "$W"
export PATH=/usr/lib/llvm-19/bin:$PATH
echo 'int f(void) { return 1; }' > m.c
clang --target=wasm32-unknown-emscripten -fPIC -O2 -c m.c -o m.o
wasm-ld -shared --experimental-pic -o m.so m.o

for N in $COUNTS; do
  mkdir -p "w$N"
  python3 - "$N" <<'PY'
import base64, hashlib, sys, zipfile
n = int(sys.argv[1])
name = "w%d/pkg-1.0-py3-none-any.whl" % n
rows = []
def digest(b):
    return "sha256=" + base64.urlsafe_b64encode(hashlib.sha256(b).digest()).rstrip(b"=").decode()
with zipfile.ZipFile(name, "w", zipfile.ZIP_DEFLATED) as z:
    so = open("m.so", "rb").read()
    z.writestr("pkg/_m.so", so); rows.append(("pkg/_m.so", digest(so), len(so)))
    for i in range(n):
        p = "pkg/sub%d/mod%d.py" % (i // 1000, i)
        b = b"x = %d\n" % i
        z.writestr(p, b); rows.append((p, digest(b), len(b)))
    for p, b in (("pkg-1.0.dist-info/METADATA", b"Metadata-Version: 2.1\nName: pkg\nVersion: 1.0\n"),
                 ("pkg-1.0.dist-info/WHEEL", b"Wheel-Version: 1.0\nRoot-Is-Purelib: false\nTag: py3-none-any\n")):
        z.writestr(p, b); rows.append((p, digest(b), len(b)))
    rec = "".join("%s,%s,%d\n" % r for r in rows) + "pkg-1.0.dist-info/RECORD,,\n"
    z.writestr("pkg-1.0.dist-info/RECORD", rec)
PY
  W_=w$N/pkg-1.0-py3-none-any.whl
  ls -l "$W_" | awk '{print $5 " bytes: '"$W_"'"}'
  /usr/bin/time -v "$TOOL" repair -w out "$W_" 2>&1 >/dev/null |
    sed -n 's/^\tMaximum resident set size (kbytes): /wasm-auditwheel repair: max RSS KiB: /p'
  /usr/bin/time -v "$TOOL" show "$W_" 2>&1 >/dev/null |
    sed -n 's/^\tMaximum resident set size (kbytes): /wasm-auditwheel show: max RSS KiB: /p'
  /usr/bin/time -v cp "$W_" copy.whl 2>&1 >/dev/null |
    sed -n 's/^\tMaximum resident set size (kbytes): /cp: max RSS KiB: /p'
  # The Python rewrite takes about a minute per run at 1M members: fewer runs.
  RUNS=3; [ "$N" -ge 1000000 ] && RUNS=2
  hyperfine --warmup 1 --runs $RUNS -N \
    -n cp "cp $W_ copy.whl" \
    -n wasm-auditwheel "$TOOL repair -w out $W_" \
    -n "python zipfile" "python3 $ROOT/bench/py-wheel-repair.py $W_ m.so out/py.whl" 2>&1 | grep -v "^ *$"
done
