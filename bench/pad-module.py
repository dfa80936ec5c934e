#!/usr/bin/env python3
"""pad-module.py BASE OUT MIB: makes a side module of exactly MIB MiB.

BASE is a real side module (clang-19 + wasm-ld-19). OUT is BASE followed by
one custom section, "bench.padding", of random bytes (as incompressible as
code or data), sized so that OUT is MIB * 2**20 bytes. Custom sections may
follow any section, so OUT is as valid as BASE: a large module whose head
(dylink.0) is small, as with debug info or big data segments.
"""

import os
import sys


def uleb(value, width=None):
    out = bytearray()
    while True:
        byte = value & 0x7F
        value >>= 7
        if value or (width and len(out) + 1 < width):
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


def main():
    base, out, mib = sys.argv[1], sys.argv[2], int(sys.argv[3])
    with open(base, "rb") as f:
        head = f.read()
    name = b"bench.padding"
    # id + 5-byte (padded) size + name; then the payload fills the rest.
    fixed = 1 + 5 + len(uleb(len(name))) + len(name)
    payload = mib * 2**20 - len(head) - fixed
    if payload < 0:
        sys.exit(f"{base} is larger than {mib} MiB")
    body = uleb(len(name)) + name
    with open(out, "wb") as f:
        f.write(head)
        f.write(b"\0" + uleb(len(body) + payload, width=5) + body)
        left = payload
        while left:
            chunk = os.urandom(min(left, 1 << 22))
            f.write(chunk)
            left -= len(chunk)


if __name__ == "__main__":
    main()
