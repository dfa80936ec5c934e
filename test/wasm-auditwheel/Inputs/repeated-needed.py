"""Writes a side module whose dylink.0 NEEDED lists each given name COUNT
times in a row (the format allows repeats), for repeated-needed.test:

    repeated-needed.py OUT COUNT NAME...

A dylink.0 of MEM_INFO and NEEDED and nothing else, encoded with
wasmbytes.py, independently of the tools."""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "..", "Inputs"))
from wasmbytes import custom, string_vector, uleb  # noqa: E402

out, count, names = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
needed = string_vector([n.encode() for n in names for _ in range(count)])
mem_info = b"\x01\x04\x00\x00\x00\x00"  # subsection 1, four zero fields
dylink = mem_info + b"\x02" + uleb(len(needed)) + needed
with open(out, "wb") as f:
    f.write(b"\x00asm\x01\x00\x00\x00" + custom(b"dylink.0", dylink))
