#!/usr/bin/env python3
"""garble-section.py ID IN OUT: copies the module IN to OUT with the payload
of its first section of id ID replaced by 0xff bytes. The size stays, so a
reader that only walks section headers still gets through; one that decodes
the section fails."""
import sys

from wasmbytes import read_uleb

sid_wanted = int(sys.argv[1])
data = bytearray(open(sys.argv[2], "rb").read())
pos = 8
while pos < len(data):
    sid = data[pos]
    size, start = read_uleb(data, pos + 1)
    if sid == sid_wanted:
        data[start:start + size] = b"\xff" * size
        break
    pos = start + size
else:
    sys.exit("garble-section.py: no section %d" % sid_wanted)
open(sys.argv[3], "wb").write(data)
