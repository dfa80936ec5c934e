#!/usr/bin/env python3
"""archive-layer.py: wheels for archive-layer.test, made with Python's zipfile
and then edited in place where zipfile cannot write what is needed.

  archive-layer.py encrypt IN.whl OUT.whl MEMBER
      sets the "encrypted" flag (bit 0) of MEMBER in its local header and
      central record.
  archive-layer.py cp437 IN.whl OUT.whl
      renames the members under "pkg/~/" to "pkg/\\x82/", not flagged UTF-8
      (zipfile writes a non-ASCII name only flagged), so that readers decode
      the byte as code page 437 ('\u00e9'); RECORD lists them as zipfile
      decodes them ("pkg/\u00e9/"), as pip compares them.
  archive-layer.py many OUT.whl N
      a wheel of N small .py members (and a .dist-info with RECORD).
"""
import base64
import hashlib
import struct
import sys
import zipfile


def digest(b):
    return "sha256=" + base64.urlsafe_b64encode(
        hashlib.sha256(b).digest()).rstrip(b"=").decode()


def encrypt(src, dst, name):
    b = bytearray(open(src, "rb").read())
    raw = name.encode()
    info = zipfile.ZipFile(src).getinfo(name)
    b[info.header_offset + 6] |= 1
    i = b.find(b"PK\x01\x02")
    while i >= 0:
        nlen = struct.unpack_from("<H", b, i + 28)[0]
        if b[i + 46:i + 46 + nlen] == raw:
            b[i + 8] |= 1
            break
        i = b.find(b"PK\x01\x02", i + 4)
    open(dst, "wb").write(b)


def cp437(src, dst, old="pkg/~/"):
    """Makes the names holding OLD unflagged, with '~' as the byte 0x82
    (cp437's 'e' acute): RECORD (deflated, so not touched by the byte
    replacement) lists them as zipfile decodes them."""
    tmp = dst + ".tmp"
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(tmp, "w") as zout:
        for info in zin.infolist():
            data = zin.read(info)
            if info.filename.endswith("/RECORD"):
                data = data.replace(old.encode(),
                                    old.replace("~", "\u00e9").encode())
            zout.writestr(info, data, compress_type=zipfile.ZIP_DEFLATED)
    b = open(tmp, "rb").read().replace(old.encode(),
                                       old.encode().replace(b"~", b"\x82"))
    open(dst, "wb").write(b)


class RawName(zipfile.ZipInfo):
    """A member written under the exact name bytes given, not flagged UTF-8."""
    def _encodeFilenameFlags(self):
        return self.raw, self.flag_bits & ~0x800


def twins(out, ext):
    """Two unflagged members that RECORD's one row 'pkg/\u00e9.txt' could
    name: b'pkg/\xc3\xa9.txt' by its raw bytes (zipfile decodes it as
    'pkg/\u251c\u2310.txt') and b'pkg/\x82.txt' by its decoded name."""
    data = b"hello\n"
    ext_data = open(ext, "rb").read()
    members = [("pkg/_ext.so", None, ext_data),
               ("a", b"pkg/\xc3\xa9.txt", data),
               ("b", b"pkg/\x82.txt", data)]
    di = "pkg-1.0.dist-info"
    meta = [(f"{di}/METADATA", None,
             b"Metadata-Version: 2.1\nName: pkg\nVersion: 1.0\n"),
            (f"{di}/WHEEL", None,
             b"Wheel-Version: 1.0\nRoot-Is-Purelib: false\n"
             b"Tag: py3-none-any\n")]
    rows = ["pkg/_ext.so,%s,%d\n" % (digest(ext_data), len(ext_data)),
            "pkg/\u00e9.txt,%s,%d\n" % (digest(data), len(data))]
    rows += ["%s,%s,%d\n" % (n, digest(d), len(d)) for n, _, d in meta]
    rows.append(f"{di}/RECORD,,\n")
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for name, raw, d in members + meta:
            info = RawName(name) if raw else zipfile.ZipInfo(name)
            if raw:
                info.raw = raw
            info.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(info, d)
        z.writestr(f"{di}/RECORD", "".join(rows))


def many(out, n):
    rows = []
    with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as z:
        for i in range(n):
            p = "pkg/sub%d/mod%d.py" % (i // 1000, i)
            b = b"x = %d\n" % i
            z.writestr(p, b)
            rows.append("%s,%s,%d\n" % (p, digest(b), len(b)))
        for p, b in (("pkg-1.0.dist-info/METADATA",
                      b"Metadata-Version: 2.1\nName: pkg\nVersion: 1.0\n"),
                     ("pkg-1.0.dist-info/WHEEL",
                      b"Wheel-Version: 1.0\nRoot-Is-Purelib: true\n"
                      b"Tag: py3-none-any\n")):
            z.writestr(p, b)
            rows.append("%s,%s,%d\n" % (p, digest(b), len(b)))
        z.writestr("pkg-1.0.dist-info/RECORD",
                   "".join(rows) + "pkg-1.0.dist-info/RECORD,,\n")


if __name__ == "__main__":
    cmd = sys.argv[1]
    if cmd == "encrypt":
        encrypt(*sys.argv[2:5])
    elif cmd == "cp437":
        cp437(*sys.argv[2:5])
    elif cmd == "twins":
        twins(*sys.argv[2:4])
    elif cmd == "many":
        many(sys.argv[2], int(sys.argv[3]))
    else:
        sys.exit("unknown command " + cmd)
