#!/usr/bin/env python3
"""Seeds for fuzz/ZipFuzzer.cpp: small archives written by Python's zipfile
in the forms the reader handles (stored, deflated, data descriptors, ZIP64
local extras, directories, comments). Usage: zip-seeds.py CORPUS_DIR"""

import io
import os
import sys
import zipfile


class Unseekable(io.RawIOBase):
    def __init__(self, f):
        self.f = f

    def writable(self):
        return True

    def write(self, b):
        return self.f.write(b)


def archive(compression, stream=False, force_zip64=False, comment=b""):
    buf = io.BytesIO()
    target = Unseekable(buf) if stream else buf
    with zipfile.ZipFile(target, "w", compression) as zf:
        zf.comment = comment
        zf.mkdir("d/")
        for name, data in (("d/a.txt", b"hello hello hello hello\n"),
                           ("b", bytes(range(64))), ("e", b"")):
            info = zipfile.ZipInfo(name, (2021, 1, 2, 3, 4, 6))
            info.compress_type = compression
            with zf.open(info, "w", force_zip64=force_zip64) as f:
                f.write(data)
    return buf.getvalue()


def main():
    out = sys.argv[1]
    n = 0
    for compression in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
        for stream in (False, True):
            for force_zip64 in (False, True):
                data = archive(compression, stream, force_zip64,
                               b"c" if n % 2 else b"")
                with open(os.path.join(out, f"seed-{n}.zip"), "wb") as f:
                    f.write(data)
                n += 1


if __name__ == "__main__":
    main()
