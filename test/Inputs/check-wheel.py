#!/usr/bin/env python3
"""Checks a wheel with Python's own zipfile and hashlib, independently of
wasm-rpath: every member reads back with a good CRC; RECORD is the last
member, has '\\n' line ends, its own row 'path,,', a row for every other
member with the right sha256 (URL-safe base64, no padding) and size, and
no row for a member that is not there; no RECORD.jws / RECORD.p7s.

With --stored-like OLD.whl, every member that OLD also has and whose
content is the same must keep OLD's stored (compressed) bytes exactly:
nothing was recompressed that did not change. Prints one summary line.

usage: check-wheel.py WHEEL [--stored-like OLD.whl]
"""
import base64
import csv
import io
import hashlib
import struct
import sys
import zipfile


def digest(data):
    return "sha256=" + base64.urlsafe_b64encode(
        hashlib.sha256(data).digest()).rstrip(b"=").decode()


def stored_bytes(path, info):
    with open(path, "rb") as f:
        f.seek(info.header_offset)
        header = f.read(30)
        n, e = struct.unpack("<HH", header[26:30])
        f.seek(info.header_offset + 30 + n + e)
        return f.read(info.compress_size)


def fail(msg):
    print("check-wheel: " + msg)
    sys.exit(1)


def main(argv):
    path = argv[1]
    old = argv[3] if len(argv) > 3 and argv[2] == "--stored-like" else None
    with zipfile.ZipFile(path) as z:
        bad = z.testzip()
        if bad is not None:
            fail(f"bad CRC in {bad}")
        infos = z.infolist()
        names = [i.filename for i in infos]
        records = [n for n in names if n.endswith(".dist-info/RECORD")]
        if len(records) != 1:
            fail(f"expected one RECORD, found {records}")
        record = records[0]
        if names[-1] != record:
            fail(f"RECORD is not the last member (last: {names[-1]})")
        for sig in ("RECORD.jws", "RECORD.p7s"):
            if record[:-len("RECORD")] + sig in names:
                fail(f"{sig} left in the wheel")
        text = z.read(record).decode()
        if "\r" in text:
            fail("RECORD has '\\r' line ends")
        if not text.endswith("\n"):
            fail("RECORD does not end with a newline")
        rows = {}
        for p, h, s in csv.reader(io.StringIO(text)):
            rows[p] = (h, s)
        if rows.get(record) != ("", ""):
            fail(f"RECORD's own row is {rows.get(record)}, expected 'path,,'")
        for n in names:
            if n == record or n.endswith("/"):
                continue
            if n not in rows:
                fail(f"{n} has no row in RECORD")
            data = z.read(n)
            if rows[n] != (digest(data), str(len(data))):
                fail(f"{n}: RECORD row {rows[n]} does not match its content")
        for p in rows:
            if p not in names:
                fail(f"RECORD lists {p}, which is not in the wheel")
        kept = 0
        if old:
            with zipfile.ZipFile(old) as o:
                for info in o.infolist():
                    n = info.filename
                    if n == record or n not in names or o.read(n) != z.read(n):
                        continue
                    if stored_bytes(old, info) != stored_bytes(path, z.getinfo(n)):
                        fail(f"{n} is unchanged but was recompressed")
                    kept += 1
    extra = f", {kept} unchanged members keep their stored bytes" if old else ""
    print(f"wheel ok: {len(names)} members, RECORD verified{extra}")


if __name__ == "__main__":
    main(sys.argv)
