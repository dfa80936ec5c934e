#!/usr/bin/env python3
"""py-set-rpath.py PATH FILE: the benchmark's Python peer.

Sets RUNTIME_PATH (dylink.0 subsection 5) of FILE to the ':'-separated
entries of PATH the way Python wheel-repair tools do it: read the whole
file, decode and re-encode dylink.0, write the whole file. To be fair it
does no more than that: the rest of the file is written from a memoryview
(no second copy), and it is as safe as wasm-set-rpath (a temporary file in
the same directory, then a rename, mode kept). It keeps the other
subsections, which auditwheel-emscripten 0.2 does not.
"""

import os
import sys
import tempfile


def read_uleb(data, pos):
    result = shift = 0
    while True:
        byte = data[pos]
        pos += 1
        result |= (byte & 0x7F) << shift
        shift += 7
        if not byte & 0x80:
            return result, pos


def uleb(value):
    out = bytearray()
    while True:
        byte = value & 0x7F
        value >>= 7
        if value:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


def string_vector(strings):
    out = uleb(len(strings))
    for s in strings:
        b = s.encode()
        out += uleb(len(b)) + b
    return out


def main():
    rpath, path = sys.argv[1], sys.argv[2]
    with open(path, "rb") as f:
        data = f.read()
    if data[:8] != b"\0asm\1\0\0\0" or data[8] != 0:
        sys.exit(f"{path}: not a side module")
    size, pos = read_uleb(data, 9)
    end = pos + size
    name_len, pos = read_uleb(data, pos)
    if data[pos:pos + name_len] != b"dylink.0":
        sys.exit(f"{path}: no dylink.0 section first")
    pos += name_len
    subsections = []
    while pos < end:
        kind = data[pos]
        body_len, body = read_uleb(data, pos + 1)
        subsections.append((kind, data[body:body + body_len]))
        pos = body + body_len
    subsections = [s for s in subsections if s[0] != 5]
    subsections.append((5, string_vector(rpath.split(":"))))
    subsections.sort(key=lambda s: s[0])
    payload = uleb(len(b"dylink.0")) + b"dylink.0" + b"".join(
        bytes([k]) + uleb(len(b)) + b for k, b in subsections)
    head = data[:8] + b"\0" + uleb(len(payload)) + payload

    directory = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(dir=directory, prefix=".py-set-rpath-")
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(head)
            out.write(memoryview(data)[end:])
        os.chmod(tmp, os.stat(path).st_mode & 0o7777)
        os.replace(tmp, path)
    except BaseException:
        os.unlink(tmp)
        raise


if __name__ == "__main__":
    main()
