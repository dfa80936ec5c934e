#!/usr/bin/env python3
"""Flips the first byte of one member's stored data in a zip, in place,
leaving every header (and so the recorded CRC-32) as it was: the member is
then corrupt in the way a bad disk or a bad download makes it.

usage: flip-member-byte.py ARCHIVE MEMBER
"""
import struct
import sys
import zipfile


def main(path, member):
    with zipfile.ZipFile(path) as zf:
        info = zf.getinfo(member)
    with open(path, "r+b") as f:
        f.seek(info.header_offset + 26)
        name_len, extra_len = struct.unpack("<HH", f.read(4))
        data = info.header_offset + 30 + name_len + extra_len
        f.seek(data)
        byte = f.read(1)
        f.seek(data)
        f.write(bytes([byte[0] ^ 0xFF]))


if __name__ == "__main__":
    main(*sys.argv[1:3])
