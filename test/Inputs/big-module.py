#!/usr/bin/env python3
"""big-module.py: large and hostile modules for the reliability tests.

Each variant starts from a real side module (built by the test) and appends
or rewrites sections with an encoder written from the spec, sharing no code
with wasm-rpath.

  big-module.py append MODULE OUT MIB
      MODULE followed by a custom section "big" of MIB mebibytes of
      non-zero bytes (really written: for tests that copy or kill writes).

  big-module.py sparse MODULE OUT GIB
      MODULE followed by a custom section "hole" of GIB gibibytes (at most
      3.9) whose payload is a hole: the file's size is over GIB GiB, but it
      takes a few blocks on disk. Nothing is written to the hole.

  big-module.py count-over-hole MODULE OUT MIB
      MODULE with an rpath.0 section that claims 2^32-1 entries followed by
      MIB mebibytes of hole (which reads as zero bytes, i.e. empty names):
      the count can only be found false at the end of the section.

  big-module.py legacy MODULE OUT
      MODULE with its dylink.0 replaced by the pre-LLVM-13 "dylink" section
      (memory info, then the NEEDED names), which has no run-time path.

  big-module.py rpath-payload MODULE OUT PAYLOAD
      MODULE followed by an rpath.0 section whose payload is PAYLOAD, a
      Python bytes literal (for malformed ones).

  big-module.py names MODULE OUT NAME...
      MODULE with its NEEDED list replaced by the NAMEs, given as Python
      bytes literals (so that control characters and NUL can be passed).
"""
import ast
import sys

from wasmbytes import name, read_uleb, string_vector, uleb


def custom_header(section_name, payload_size):
    """The id, a 5-byte size and the name of a custom section."""
    n = name(section_name)
    return b"\x00" + uleb(len(n) + payload_size, 5) + n


def split_dylink(module):
    """(NEEDED names, the sections after dylink.0) of MODULE."""
    assert module[:8] == b"\0asm\1\0\0\0"
    size, p = read_uleb(module, 9)
    end = p + size
    n, q = read_uleb(module, p)
    assert module[8] == 0 and module[q:q + n] == b"dylink.0", "dylink.0 not first"
    pos, needed = q + n, []
    while pos < end:
        t = module[pos]
        s, b = read_uleb(module, pos + 1)
        if t == 2:
            count, c = read_uleb(module, b)
            for _ in range(count):
                length, c = read_uleb(module, c)
                needed.append(module[c:c + length])
                c += length
        pos = b + s
    return needed, module[end:]


def with_needed(module, names):
    """MODULE with the NEEDED subsection of dylink.0 replaced."""
    assert module[:8] == b"\0asm\1\0\0\0"
    sid = module[8]
    size, p = read_uleb(module, 9)
    end = p + size
    n, q = read_uleb(module, p)
    assert sid == 0 and module[q:q + n] == b"dylink.0", "dylink.0 not first"
    pos = q + n
    subsections = b""
    while pos < end:
        t = module[pos]
        s, b = read_uleb(module, pos + 1)
        if t != 2:
            subsections += module[pos:b + s]
        pos = b + s
    subsections += b"\x02" + name(string_vector(names))
    body = name(b"dylink.0") + subsections
    return module[:8] + b"\x00" + uleb(len(body)) + body + module[end:]


def main(argv):
    what, module_path, out = argv[0], argv[1], argv[2]
    module = open(module_path, "rb").read()
    if what == "append":
        size = int(argv[3]) << 20
        with open(out, "wb") as f:
            f.write(module + custom_header(b"big", size))
            block = bytes(range(1, 256)) * 4096
            while size > 0:
                f.write(block[:size])
                size -= len(block[:size])
    elif what == "sparse":
        size = int(float(argv[3]) * (1 << 30))
        assert size < 1 << 32, "a section is at most 4 GiB - 1"
        with open(out, "wb") as f:
            f.write(module + custom_header(b"hole", size))
            f.truncate(f.tell() + size)
    elif what == "count-over-hole":
        size = int(argv[3]) << 20
        payload = uleb(0xFFFFFFFF)
        with open(out, "wb") as f:
            f.write(module + custom_header(b"rpath.0", len(payload) + size))
            f.write(payload)
            f.truncate(f.tell() + size)
    elif what == "legacy":
        needed, rest = split_dylink(module)
        body = name(b"dylink") + uleb(0) * 4 + string_vector(needed)
        open(out, "wb").write(module[:8] + b"\x00" + uleb(len(body)) + body + rest)
    elif what == "rpath-payload":
        payload = ast.literal_eval(argv[3])
        body = name(b"rpath.0") + payload
        open(out, "wb").write(module + b"\x00" + uleb(len(body)) + body)
    elif what == "names":
        names = [ast.literal_eval(a) for a in argv[3:]]
        open(out, "wb").write(with_needed(module, names))
    else:
        sys.exit("unknown variant " + what)


if __name__ == "__main__":
    main(sys.argv[1:])
