#!/usr/bin/env python3
"""Adds members to a wheel and rewrites its RECORD, as a build tool would:
add-to-wheel.py IN.whl OUT.whl MEMBER=SOURCE... (Python's zipfile, deflate;
the .dist-info members stay last, RECORD last of all)."""
import base64
import hashlib
import sys
import zipfile


def row(name, data):
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=")
    return f"{name},sha256={digest.decode()},{len(data)}\n"


def main(argv):
    src, out = argv[1], argv[2]
    added = []
    for arg in argv[3:]:
        name, _, path = arg.partition("=")
        with open(path, "rb") as f:
            added.append((name, f.read()))
    with zipfile.ZipFile(src) as z:
        members = [(i.filename, z.read(i)) for i in z.infolist()]
    record = next(n for n, _ in members if n.endswith(".dist-info/RECORD"))
    members = [(n, d) for n, d in members if n != record]
    first_di = next(i for i, (n, _) in enumerate(members) if ".dist-info/" in n)
    members[first_di:first_di] = added
    text = "".join(row(n, d) for n, d in members) + f"{record},,\n"
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for n, d in members + [(record, text.encode())]:
            z.writestr(zipfile.ZipInfo(n, (2024, 1, 2, 3, 4, 6)), d)


if __name__ == "__main__":
    main(sys.argv)
