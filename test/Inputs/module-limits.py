"""Writes, for module-limits.test: at-limit.so (libb.so and empty custom
sections, 65,536 sections in all), over-limit.so (one more), and needed.so
(a dylink.0 whose NEEDED lists 65,537 names of one letter)."""


def leb(n):
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        out.append(b | (0x80 if n else 0))
        if not n:
            return bytes(out)


d = open("libb.so", "rb").read()
i, n = 8, 0
while i < len(d):
    i += 1  # section id
    size = shift = 0
    while True:
        b = d[i]
        i += 1
        size |= (b & 0x7F) << shift
        shift += 7
        if b < 0x80:
            break
    i += size
    n += 1
empty = b"\x00\x01\x00"  # a custom section with an empty name
open("at-limit.so", "wb").write(d + empty * (65536 - n))
open("over-limit.so", "wb").write(d + empty * (65537 - n))

body = leb(65537) + b"\x01a" * 65537
sub = b"\x01\x04\x00\x00\x00\x00" + b"\x02" + leb(len(body)) + body
pay = leb(8) + b"dylink.0" + sub
open("needed.so", "wb").write(b"\x00asm\x01\x00\x00\x00\x00" + leb(len(pay)) + pay)

# exports.so: a side module whose export section lists 1,048,577 exports of
# the empty name (3 bytes each).
n = 1048577
exports = leb(n) + b"\x00\x00\x00" * n
mem = b"\x01\x04\x00\x00\x00\x00"
dyl = leb(8) + b"dylink.0" + mem
open("exports.so", "wb").write(b"\x00asm\x01\x00\x00\x00\x00" + leb(len(dyl)) + dyl
                               + b"\x07" + leb(len(exports)) + exports)
