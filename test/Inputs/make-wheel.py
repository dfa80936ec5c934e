#!/usr/bin/env python3
"""Builds a wheel from files, as a build backend would: the given members,
a .dist-info with METADATA, WHEEL and a correct RECORD (last), written with
Python's zipfile (deflate). Used by the wasm-auditwheel tests as "any zip
writer" for the input wheels.

usage: make-wheel.py OUT.whl DIST VERSION MEMBER=SOURCE... [--stored NAME]...
       [--top-level-first]
"""
import base64
import csv
import io
import hashlib
import os
import sys
import zipfile


def digest(data):
    return "sha256=" + base64.urlsafe_b64encode(
        hashlib.sha256(data).digest()).rstrip(b"=").decode()


def main(argv):
    out, dist, version = argv[1:4]
    stored = set()
    members = []
    args = argv[4:]
    i = 0
    while i < len(args):
        if args[i] == "--stored":
            stored.add(args[i + 1])
            i += 2
            continue
        name, _, src = args[i].partition("=")
        with open(src, "rb") as f:
            members.append((name, f.read()))
        i += 1
    di = f"{dist}-{version}.dist-info"
    members.append((f"{di}/METADATA",
                    f"Metadata-Version: 2.1\nName: {dist}\nVersion: {version}\n".encode()))
    members.append((f"{di}/WHEEL",
                    b"Wheel-Version: 1.0\nGenerator: make-wheel.py\nRoot-Is-Purelib: false\n"
                    b"Tag: cp314-cp314-pyemscripten_2026_0_wasm32\n"))
    # With the csv module, as wheel and setuptools write it: a name holding
    # a comma, a quote or a newline is quoted.
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    for n, d in members:
        w.writerow([n, digest(d), len(d)])
    w.writerow([f"{di}/RECORD", "", ""])
    record = buf.getvalue()
    members.append((f"{di}/RECORD", record.encode()))
    with zipfile.ZipFile(out, "w") as z:
        for n, d in members:
            info = zipfile.ZipInfo(n, date_time=(2024, 1, 2, 3, 4, 6))
            info.external_attr = 0o644 << 16
            info.compress_type = (zipfile.ZIP_STORED if n in stored
                                  else zipfile.ZIP_DEFLATED)
            z.writestr(info, d)


if __name__ == "__main__":
    main(sys.argv)
