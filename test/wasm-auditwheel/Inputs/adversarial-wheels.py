#!/usr/bin/env python3
"""Builds the wheels of adversarial-repair.test with Python's zipfile: a
correct RECORD, members as given, and two shapes make-wheel.py does not
write.

  adversarial-wheels.py libs-dir OUT.whl EXT.so LIB.so file|dir
      pkg/_ext.so needs LIB.so; the wheel also holds the name repair would
      vendor LIB.so under (pkg.libs/<stem>-<sha256[:8]>.so) as a
      directory: a member below it (file) or a directory entry (dir).
  adversarial-wheels.py unflagged OUT.whl EXT.so
      pkg/_ext\u00e9.so written as its UTF-8 bytes without the UTF-8 flag:
      zipfile (like every reader) decodes such a name as code page 437.
"""
import base64
import hashlib
import os
import sys
import zipfile


def digest(data):
    return "sha256=" + base64.urlsafe_b64encode(
        hashlib.sha256(data).digest()).rstrip(b"=").decode()


class RawName(zipfile.ZipInfo):
    """A member whose name is written as its code page 437 bytes, without
    the UTF-8 flag (as in test/Inputs/hostile-zips.py)."""

    def _encodeFilenameFlags(self):
        return self.filename.encode("cp437"), self.flag_bits


def write(out, members):
    """MEMBERS: (name as zipfile shows it, data, raw) tuples."""
    di = "pkg-1.0.dist-info"
    members = members + [
        (f"{di}/METADATA", b"Metadata-Version: 2.1\nName: pkg\nVersion: 1.0\n",
         False),
        (f"{di}/WHEEL", b"Wheel-Version: 1.0\nGenerator: test\n"
         b"Root-Is-Purelib: false\n"
         b"Tag: cp314-cp314-pyemscripten_2026_0_wasm32\n", False)]
    record = b""
    for name, data, raw in members:
        if name.endswith("/"):
            continue
        # RECORD names the member by its bytes (what pip writes on disk).
        key = name.encode("cp437") if raw else name.encode()
        record += b"%s,%s,%d\n" % (key, digest(data).encode(), len(data))
    record += f"{di}/RECORD,,\n".encode()
    members.append((f"{di}/RECORD", record, False))
    with zipfile.ZipFile(out, "w") as z:
        for name, data, raw in members:
            cls = RawName if raw else zipfile.ZipInfo
            info = cls(name, date_time=(2024, 1, 2, 3, 4, 6))
            info.external_attr = (0o40755 if name.endswith("/") else 0o644) << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(info, data)


def main(argv):
    kind, out = argv[1], argv[2]
    ext = open(argv[3], "rb").read()
    init = ("pkg/__init__.py", b"", False)
    if kind == "libs-dir":
        lib = open(argv[4], "rb").read()
        stem = os.path.basename(argv[4])[:-len(".so")]
        name = "pkg.libs/%s-%s.so/" % (stem, hashlib.sha256(lib).hexdigest()[:8])
        extra = (name + "x", b"y", False) if argv[5] == "file" else (name, b"", False)
        write(out, [init, ("pkg/_ext.so", ext, False), extra])
    elif kind == "unflagged":
        # UTF-8 bytes of "\u00e9", given as the cp437 text that encodes to them.
        name = "pkg/_ext" + "\u00e9".encode().decode("cp437") + ".so"
        write(out, [init, (name, ext, True)])
    else:
        sys.exit("unknown kind " + kind)


if __name__ == "__main__":
    main(sys.argv)
