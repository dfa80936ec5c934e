#!/usr/bin/env python3
"""Independent zip writers and readers for the zip layer's unit tests
(unittests/ZipTest.cpp, unittests/WheelTest.cpp).

  zip-fixtures.py make OUTDIR
      Writes archives made by Python's zipfile (deflated, stored, ZIP64
      local headers, data descriptors, more than 65535 members), by Info-ZIP
      `zip` when it is installed, and a wheel whose RECORD is written by the
      csv module with hashlib digests. Each X.zip / X.whl gets X.json: the
      archive comment and, per member in order, its name, size and SHA-256
      (hex) as Python reads them.
  zip-fixtures.py check FILE
      Reads FILE with zipfile: testzip() must find no bad member; then
      prints the same JSON manifest, with each member's date_time,
      compress_type, flag_bits and Unix mode. With `unzip` installed, also
      runs `unzip -tqq` on it, which must succeed.
  zip-fixtures.py check-sparse FILE
      For archives with huge (sparse) members: lists every member's name,
      size and local header offset, and reads (CRC-checked) only the
      members under 1 MiB.
  zip-fixtures.py csv-write IN.json OUT
      Writes the rows of IN.json (a list of lists) as `wheel` writes RECORD.
  zip-fixtures.py csv-read IN
      Prints the rows that csv.reader reads from IN, as JSON.
"""

import csv
import hashlib
import io
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import zipfile


def manifest(path, details=False):
    with zipfile.ZipFile(path) as zf:
        if details:
            bad = zf.testzip()
            if bad is not None:
                sys.exit(f"zipfile: bad member {bad!r} in {path}")
        members = []
        for info in zf.infolist():
            # Empty members are not read (py-many.zip has 65600 of them).
            data = zf.read(info) if info.file_size or details else b""
            # The name's bytes: zipfile decodes names without the UTF-8
            # flag as cp437 (Info-ZIP writes UTF-8 without the flag).
            raw = info.orig_filename.encode(
                "utf-8" if info.flag_bits & 0x800 else "cp437")
            m = {"name": raw.decode("utf-8", "backslashreplace"),
                 "size": len(data),
                 "sha256": hashlib.sha256(data).hexdigest()}
            if details:
                m.update(date_time=list(info.date_time),
                         compress_type=info.compress_type,
                         flag_bits=info.flag_bits,
                         mode=info.external_attr >> 16)
            members.append(m)
        return {"comment": zf.comment.decode("latin-1"), "members": members}


def contents():
    """The members of the zipfile fixtures: name, bytes."""
    rng = random.Random(1)
    text = b"hello, zip\n" * 1000
    noise = rng.randbytes(300000)
    return [("a.txt", text), ("dir/", b""), ("dir/b.bin", noise),
            ("\u00fcn\u00ef.txt", "caf\u00e9\n".encode()), ("empty", b""),
            ("mixed.bin", text[:5000] + noise[:5000])]


class Unseekable(io.RawIOBase):
    """A write-only stream: zipfile then writes data descriptors."""

    def __init__(self, f):
        self.f = f

    def writable(self):
        return True

    def write(self, b):
        return self.f.write(b)


def write_members(zf, force_zip64=False):
    for name, data in contents():
        if name.endswith("/"):
            zf.mkdir(name)
            continue
        info = zipfile.ZipInfo(name, date_time=(2020, 5, 17, 12, 30, 44))
        info.compress_type = zf.compression
        info.external_attr = 0o100644 << 16
        with zf.open(info, "w", force_zip64=force_zip64) as f:
            f.write(data)


def make(out):
    out = os.path.abspath(out)
    os.makedirs(out, exist_ok=True)
    paths = []

    def add(name, compression, comment=b"", stream=False, force_zip64=False):
        path = os.path.join(out, name)
        with open(path, "wb") as raw:
            target = Unseekable(raw) if stream else raw
            with zipfile.ZipFile(target, "w", compression) as zf:
                zf.comment = comment
                write_members(zf, force_zip64)
        paths.append(path)

    add("py-deflate.zip", zipfile.ZIP_DEFLATED, b"an archive comment")
    add("py-stored.zip", zipfile.ZIP_STORED)
    add("py-zip64-local.zip", zipfile.ZIP_DEFLATED, force_zip64=True)
    add("py-descriptor.zip", zipfile.ZIP_DEFLATED, stream=True)
    add("py-descriptor-zip64.zip", zipfile.ZIP_STORED, stream=True,
        force_zip64=True)

    # More members than the end record's 16-bit count: ZIP64 end records.
    path = os.path.join(out, "py-many.zip")
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as zf:
        for i in range(65600):
            zf.writestr(zipfile.ZipInfo(f"f{i:05}"), b"")
    paths.append(path)

    # A wheel as `wheel pack` writes one: RECORD last, with its own row.
    path = os.path.join(out, "pkg-1.0-py3-none-any.whl")
    files = [("pkg/__init__.py", b"from ._ext import *\n"),
             ("pkg/_ext.so", b"\0asm\1\0\0\0" + bytes(range(256)) * 40),
             ("pkg/data, with comma.txt", b"quoted in RECORD\n"),
             ("pkg-1.0.dist-info/METADATA",
              b"Metadata-Version: 2.1\nName: pkg\nVersion: 1.0\n"),
             ("pkg-1.0.dist-info/WHEEL",
              b"Wheel-Version: 1.0\nRoot-Is-Purelib: false\n"
              b"Tag: py3-none-any\n")]
    record = io.StringIO()
    writer = csv.writer(record, delimiter=",", quotechar='"',
                        lineterminator="\n")
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in files:
            zf.writestr(name, data)
            digest = hashlib.sha256(data).digest()
            writer.writerow((name, "sha256=" + __import__("base64")
                             .urlsafe_b64encode(digest).rstrip(b"=")
                             .decode(), len(data)))
        writer.writerow(("pkg-1.0.dist-info/RECORD", "", ""))
        zf.writestr("pkg-1.0.dist-info/RECORD", record.getvalue())
    paths.append(path)

    if shutil.which("zip"):
        with tempfile.TemporaryDirectory() as tmp:
            for name, data in contents():
                p = os.path.join(tmp, "tree", name)
                if name.endswith("/"):
                    os.makedirs(p, exist_ok=True)
                    continue
                os.makedirs(os.path.dirname(p), exist_ok=True)
                with open(p, "wb") as f:
                    f.write(data)
            tree = os.path.join(tmp, "tree")
            # With its extra fields (UT, ux) and without (-X).
            for name, flags in (("infozip.zip", []), ("infozip-X.zip", ["-X"])):
                path = os.path.join(out, name)
                subprocess.run(["zip", "-qr", *flags, path, "."], cwd=tree,
                               check=True)
                paths.append(path)
            # From a pipe: data descriptor and ZIP64 local extra (zip 3.0).
            path = os.path.join(out, "infozip-stream.zip")
            with open(os.path.join(tree, "a.txt"), "rb") as f:
                subprocess.run(["zip", "-q", path, "-"], stdin=f, check=True)
            paths.append(path)

    for path in paths:
        with open(os.path.splitext(path)[0] + ".json", "w") as f:
            json.dump(manifest(path), f)


def check(path):
    print(json.dumps(manifest(path, details=True)))
    if shutil.which("unzip"):
        subprocess.run(["unzip", "-tqq", path], check=True)


def main():
    cmd = sys.argv[1]
    if cmd == "make":
        make(sys.argv[2])
    elif cmd == "check":
        check(sys.argv[2])
    elif cmd == "check-sparse":
        with zipfile.ZipFile(sys.argv[2]) as zf:
            print(json.dumps([
                {"name": i.filename, "size": i.file_size,
                 "offset": i.header_offset,
                 "content": zf.read(i).decode("latin-1")
                 if i.file_size < 1 << 20 else None}
                for i in zf.infolist()]))
    elif cmd == "csv-write":
        with open(sys.argv[2]) as f:
            rows = json.load(f)
        with open(sys.argv[3], "w", newline="") as f:
            csv.writer(f, delimiter=",", quotechar='"',
                       lineterminator="\n").writerows(rows)
    elif cmd == "csv-read":
        with open(sys.argv[2], newline="") as f:
            print(json.dumps(list(csv.reader(f))))
    else:
        sys.exit("usage: see the docstring")


if __name__ == "__main__":
    main()
