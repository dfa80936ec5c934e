#!/usr/bin/env python3
"""Builds hostile variants of a good wheel, and shows what Python's zipfile
(so pip and Pyodide, which install with it) sees in a file.

  hostile-zips.py make GOOD.whl OTHER.whl OUTDIR
      Writes OUTDIR/<case>-1.0-py3-none-any.whl for every case below
      ('-' in a case's name becomes '_').
      GOOD.whl is a wheel made by make-wheel.py (no comment, no ZIP64);
      OTHER.whl another, small (< 64 KiB), for the polyglots' second
      member set.
  hostile-zips.py view FILE...
      Prints, per file, "FILE: zipfile sees N members: a, b, ..." or
      "FILE: zipfile refuses it (...)", and with --test, the result of
      ZipFile.testzip() too.

Cases (issue 17 sections 2.2, 2.8 and 2.9):
  polyglot-comment   GOOD's end record gets a comment holding all of OTHER
                     and one byte more: readers that check the comment
                     length take GOOD's end record, zipfile takes OTHER's.
  polyglot-nested    the same without the extra byte: both end records end
                     the file; zipfile reads OTHER through its offset shift.
  polyglot-gap       bytes between the central directory and the end
                     record: zipfile shifts every offset by the gap.
  prepended          bytes before the first member (zipfile shifts too).
  zip64-locator      a ZIP64 locator that points at a decoy record, while
                     the record right before it (the one zipfile reads)
                     says the archive is empty.
  hidden-member      a local header that no central record lists, between
                     two members (a streaming reader installs it).
  local-crc, local-size, local-csize, local-method, local-flags,
  local-utf8, local-extra
                     a member's local header contradicts its central
                     record in one field (unzip -t rejects these).
  dot-segment        pkg/./_ext.so beside pkg/_ext.so
  double-slash       pkg//_ext.so beside pkg/_ext.so
  data-escape        pkg-1.0.data/scripts/../../../x
  dir-escape         a directory entry ../../etc/cron.d/
  file-and-dir       pkg/_ext.so/x beside the file pkg/_ext.so
  purelib-twin       pkg-1.0.data/purelib/pkg/_ext.so beside pkg/_ext.so
Good archives of unusual form, which every reader reads alike:
  ok-comment         an archive comment
  ok-descriptor      members with data descriptors (zipfile writing to a
                     stream it cannot seek)
  ok-zip64           ZIP64 extra fields on every member (force_zip64)
  latin1-name        pkg/_ext.so renamed to the bytes pkg/\xe9ext.so, not
                     UTF-8 and not flagged so (zipfile reads it as code page
                     437), with RECORD naming the same bytes
"""
import hashlib
import base64
import io
import struct
import sys
import zipfile

EOCD = b"PK\x05\x06"


def eocd_at(data):
    return data.rindex(EOCD)


def with_comment(data, comment):
    """data (ending in an end record without comment) with a comment."""
    at = len(data) - 22
    assert data[at:at + 4] == EOCD
    return data[:at + 20] + struct.pack("<H", len(comment)) + comment


def rezip(good, extra_members):
    """GOOD's members (names as they are) plus extra (name, bytes) ones."""
    out = __import__("io").BytesIO()
    with zipfile.ZipFile(__import__("io").BytesIO(good)) as src, \
            zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            if info.filename.endswith(".dist-info/RECORD"):
                continue
            dst.writestr(info, src.read(info))
        for name, data in extra_members:
            dst.writestr(name, data)
        for info in src.infolist():
            if info.filename.endswith(".dist-info/RECORD"):
                dst.writestr(info, src.read(info))
    return out.getvalue()


def local_headers(data):
    """(offset, name) of each member, from the central directory."""
    with zipfile.ZipFile(__import__("io").BytesIO(data)) as z:
        return [(i.header_offset, i.filename) for i in z.infolist()]


def patch(data, offset, fmt, value):
    b = bytearray(data)
    struct.pack_into(fmt, b, offset, value)
    return bytes(b)


def insert_at(data, where, extra):
    """data with bytes inserted at offset where, and every member offset
    and the central directory's offset after it moved (no ZIP64)."""
    at = eocd_at(data)
    count = struct.unpack_from("<H", data, at + 10)[0]
    cd_offset = struct.unpack_from("<I", data, at + 16)[0]
    b = bytearray(data[:where] + extra + data[where:])
    shift = len(extra)
    pos = cd_offset + shift
    for _ in range(count):
        off = struct.unpack_from("<I", b, pos + 42)[0]
        if off >= where:
            struct.pack_into("<I", b, pos + 42, off + shift)
        n, e, c = struct.unpack_from("<HHH", b, pos + 28)
        pos += 46 + n + e + c
    struct.pack_into("<I", b, pos + 16, cd_offset + shift)
    return bytes(b)


class Unseekable(io.RawIOBase):
    def __init__(self):
        self.data = bytearray()

    def writable(self):
        return True

    def write(self, b):
        self.data += b
        return len(b)


def rewrite(good, stream=False, force_zip64=False):
    """GOOD's members again, through a stream zipfile cannot seek (data
    descriptors) or with ZIP64 extras on every member."""
    out = Unseekable() if stream else io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(good)) as src, \
            zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            new = zipfile.ZipInfo(info.filename, info.date_time)
            new.compress_type = zipfile.ZIP_DEFLATED
            new.external_attr = info.external_attr
            with dst.open(new, "w", force_zip64=force_zip64) as f:
                f.write(src.read(info))
    return bytes(out.data) if stream else out.getvalue()


class RawName(zipfile.ZipInfo):
    """A member whose name is written as its code page 437 bytes, without
    the UTF-8 flag, whatever they are."""

    def _encodeFilenameFlags(self):
        return self.filename.encode("cp437"), self.flag_bits


def latin1(good):
    raw = b"pkg/\xe9ext.so"
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(good)) as src, \
            zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        record = b""
        for info in src.infolist():
            data = src.read(info)
            if info.filename.endswith("/RECORD"):
                continue
            name = info.filename
            if name == "pkg/_ext.so":
                name = raw.decode("cp437")
                new = RawName(name, info.date_time)
            else:
                new = zipfile.ZipInfo(name, info.date_time)
            new.compress_type = zipfile.ZIP_DEFLATED
            new.external_attr = info.external_attr
            dst.writestr(new, data)
            digest = base64.urlsafe_b64encode(
                hashlib.sha256(data).digest()).rstrip(b"=")
            record += b"%s,sha256=%s,%d\n" % (
                raw if name != info.filename else name.encode(), digest,
                len(data))
        record += b"pkg-1.0.dist-info/RECORD,,\n"
        dst.writestr("pkg-1.0.dist-info/RECORD", record)
    return out.getvalue()


def cp437_twin(good):
    """GOOD plus two members that zipfile names alike, pkg/\u0398ext.so: one
    with the byte 0xE9 and no UTF-8 flag (code page 437's theta), one
    flagged UTF-8."""
    import warnings
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(good)) as src, \
            zipfile.ZipFile(out, "w") as dst, warnings.catch_warnings():
        warnings.simplefilter("ignore")  # zipfile warns of the duplicate
        for info in src.infolist():
            dst.writestr(info, src.read(info))
        dst.writestr(RawName("pkg/\u0398ext.so"), b"one")
        dst.writestr("pkg/\u0398ext.so", b"two")
    return out.getvalue()


def unicode_path(good):
    """GOOD plus pkg/notes.txt whose central entry carries an Info-ZIP
    Unicode Path extra field (0x7075) naming it pkg/_ext.so: zipfile (3.12
    and later) and unzip take that name, so the wheel holds _ext.so twice
    for them and this member's content would be installed over it."""
    import zlib
    other = b"pkg/_ext.so"
    field = struct.pack("<B", 1) + struct.pack(
        "<I", zlib.crc32(b"pkg/notes.txt")) + other
    info = zipfile.ZipInfo("pkg/notes.txt", (2020, 1, 1, 0, 0, 0))
    info.extra = struct.pack("<HH", 0x7075, len(field)) + field
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(good)) as src, \
            zipfile.ZipFile(out, "w") as dst:
        for i in src.infolist():
            dst.writestr(i, src.read(i))
        dst.writestr(info, b"not what zipfile thinks")
    return out.getvalue()


def make(good_path, other_path, outdir):
    good = open(good_path, "rb").read()
    other = open(other_path, "rb").read()
    assert len(other) < 65000
    cases = {}
    body = good[:-22]
    end = good[-22:]
    cases["polyglot-comment"] = body + end[:20] + struct.pack(
        "<H", len(other) + 1) + other + b"\0"
    cases["polyglot-nested"] = body + end[:20] + struct.pack(
        "<H", len(other)) + other
    at = eocd_at(good)
    cases["polyglot-gap"] = good[:at] + b"\0" * 64 + good[at:]
    cases["prepended"] = b"#!/bin/sh\nexit 0\n" + good
    # ZIP64: a decoy record after the directory (what the locator names),
    # then the record zipfile reads (right before the locator): empty.
    cd_size, cd_offset = struct.unpack_from("<II", good, at + 12)
    count = struct.unpack_from("<H", good, at + 10)[0]
    decoy_at = at

    def z64(n, size, offset):
        return struct.pack("<IQHHIIQQQQ", 0x06064b50, 44, 45, 45, 0, 0, n, n,
                           size, offset)
    decoy = z64(count, cd_size, cd_offset)
    real_at = decoy_at + len(decoy)
    real = z64(0, 0, real_at)
    locator = struct.pack("<IIQI", 0x07064b50, 0, decoy_at, 1)
    cases["zip64-locator"] = good[:at] + decoy + real + locator + good[at:]
    # A local header no central record lists, between two members.
    heads = sorted(local_headers(good))
    second = heads[1][0]
    ghost = struct.pack("<IHHHHHIIIHH", 0x04034b50, 20, 0, 0, 0, 0, 0, 0, 0,
                        8, 0) + b"evil.pth"
    cases["hidden-member"] = insert_at(good, second, ghost)
    # Local header fields of the first member (central field offset - 2).
    first = heads[0][0]
    crc = struct.unpack_from("<I", good, first + 14)[0]
    cases["local-crc"] = patch(good, first + 14, "<I", crc ^ 1)
    usize = struct.unpack_from("<I", good, first + 22)[0]
    cases["local-size"] = patch(good, first + 22, "<I", usize + 1)
    csize = struct.unpack_from("<I", good, first + 18)[0]
    cases["local-csize"] = patch(good, first + 18, "<I", csize - 1)
    cases["local-method"] = patch(good, first + 8, "<H", 0)
    cases["local-flags"] = patch(good, first + 6, "<H", 1 << 3)
    cases["local-utf8"] = patch(good, first + 6, "<H", 1 << 11)
    # A local extra field block that claims 16 bytes where none follow.
    nlen, elen = struct.unpack_from("<HH", good, first + 26)
    bad_extra = struct.pack("<HH", 0x9999, 16)
    cases["local-extra"] = patch(
        insert_at(good, first + 30 + nlen + elen, bad_extra), first + 28, "<H",
        elen + len(bad_extra))
    # Names.
    with zipfile.ZipFile(__import__("io").BytesIO(good)) as z:
        ext = z.read("pkg/_ext.so")
    cases["dot-segment"] = rezip(good, [("pkg/./_ext.so", ext)])
    cases["double-slash"] = rezip(good, [("pkg//_ext.so", ext)])
    cases["data-escape"] = rezip(
        good, [("pkg-1.0.data/scripts/../../../x", b"#!/bin/sh\n")])
    cases["dir-escape"] = rezip(good, [("../../etc/cron.d/", b"")])
    cases["file-and-dir"] = rezip(good, [("pkg/_ext.so/x", b"x")])
    cases["purelib-twin"] = rezip(
        good, [("pkg-1.0.data/purelib/pkg/_ext.so", ext)])
    cases["ok-comment"] = with_comment(good, b"made by a test, PK\x03\x04")
    cases["ok-descriptor"] = rewrite(good, stream=True)
    cases["ok-zip64"] = rewrite(good, force_zip64=True)
    cases["latin1-name"] = latin1(good)
    cases["cp437-twin"] = cp437_twin(good)
    cases["unicode-path"] = unicode_path(good)
    for name, data in cases.items():
        # Wheel file names have no '-' in the distribution field.
        path = "%s/%s-1.0-py3-none-any.whl" % (outdir, name.replace("-", "_"))
        with open(path, "wb") as f:
            f.write(data)


def view(paths, test):
    for path in paths:
        try:
            with zipfile.ZipFile(path) as z:
                names = [n + ("" if z.getinfo(n).flag_bits & 0x800 or
                              n.isascii() else " (cp437)")
                         for n in z.namelist()]
                line = "%s: zipfile sees %d members: %s" % (
                    path, len(names), ", ".join(names))
                if test:
                    try:
                        bad = z.testzip()
                        line += "; testzip: %s" % ("ok" if bad is None
                                                   else "bad " + bad)
                    except Exception as e:
                        line += "; testzip: error (%s)" % type(e).__name__
        except Exception as e:
            line = "%s: zipfile refuses it (%s)" % (path, type(e).__name__)
        print(line)


def main(argv):
    if argv[1] == "make":
        make(*argv[2:5])
    elif argv[1] == "view":
        test = "--test" in argv
        view([a for a in argv[2:] if a != "--test"], test)
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main(sys.argv)
