"""Writes, for module-limits.test, in the working directory (libb.so must be
there): at-limit.so (libb.so and empty custom sections, 65,536 sections in
all), over-limit.so (one more), needed.so (a dylink.0 whose NEEDED lists
65,537 names of one letter) and exports.so (a side module whose export
section lists 1,048,577 exports of the empty name). Encoded with
wasmbytes.py, independently of the tools."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from wasmbytes import read_uleb, uleb  # noqa: E402

PREAMBLE = b"\x00asm\x01\x00\x00\x00"
MEM_INFO = b"\x01\x04\x00\x00\x00\x00"  # subsection 1, four zero fields


def custom(name, payload):
    body = uleb(len(name)) + name + payload
    return b"\x00" + uleb(len(body)) + body


d = open("libb.so", "rb").read()
pos, sections = 8, 0
while pos < len(d):
    size, pos = read_uleb(d, pos + 1)  # after the section id
    pos += size
    sections += 1
empty = custom(b"", b"")
open("at-limit.so", "wb").write(d + empty * (65536 - sections))
open("over-limit.so", "wb").write(d + empty * (65537 - sections))

names = uleb(65537) + b"\x01a" * 65537
needed = b"\x02" + uleb(len(names)) + names
open("needed.so", "wb").write(PREAMBLE + custom(b"dylink.0", MEM_INFO + needed))

n = 1048577
exports = uleb(n) + b"\x00\x00\x00" * n  # empty name, function 0
open("exports.so", "wb").write(PREAMBLE + custom(b"dylink.0", MEM_INFO) +
                               b"\x07" + uleb(len(exports)) + exports)
