#!/usr/bin/env python3
"""make-wheel.py: pack a directory as a wheel, the way `wheel pack` would.

  make-wheel.py SRCDIR DIST VERSION OUT.whl [--order FIRST,SECOND,...]

Writes every file under SRCDIR (paths relative to it) and a
DIST-VERSION.dist-info with METADATA, WHEEL and RECORD (sha256, size), with
Python's zipfile (independent of wasm-rpath's zip layer). Members are
written in sorted order, except that the paths given with --order come
first, in that order: Pyodide preloads a wheel's modules in zip order.
"""
import base64
import hashlib
import os
import sys
import zipfile


def main(argv):
    if len(argv) < 5:
        sys.exit(__doc__)
    src, dist, version, out = argv[1:5]
    first = []
    if len(argv) > 6 and argv[5] == "--order":
        first = argv[6].split(",")
    files = []
    for d, _, names in os.walk(src):
        for n in names:
            files.append(os.path.relpath(os.path.join(d, n), src).replace(os.sep, "/"))
    files.sort()
    files = [f for f in first if f in files] + [f for f in files if f not in first]
    info = "%s-%s.dist-info" % (dist, version)
    meta = {
        info + "/METADATA": "Metadata-Version: 2.1\nName: %s\nVersion: %s\n" % (dist, version),
        info + "/WHEEL": "Wheel-Version: 1.0\nGenerator: make-wheel.py\nRoot-Is-Purelib: false\nTag: py3-none-any\n",
    }
    record = []
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for f in files:
            data = open(os.path.join(src, f), "rb").read()
            z.writestr(f, data)
            digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
            record.append("%s,sha256=%s,%d" % (f, digest, len(data)))
        for f, text in meta.items():
            data = text.encode()
            z.writestr(f, data)
            digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
            record.append("%s,sha256=%s,%d" % (f, digest, len(data)))
        record.append(info + "/RECORD,,")
        z.writestr(info + "/RECORD", "\n".join(record) + "\n")


if __name__ == "__main__":
    main(sys.argv)
