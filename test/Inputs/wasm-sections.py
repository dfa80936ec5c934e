#!/usr/bin/env python3
"""wasm-sections.py: an independent reader for the lit tests.

Lists a module's sections (and the subsections of dylink.0) with their sizes
and SHA-256 digests, so that tests can check that sections an edit did not
touch come out byte-identical, whatever moved around them. Written from the
spec, sharing no code with wasm-rpath.

  wasm-sections.py FILE            one line per section:
                                   <id> <name> <size> <sha256-prefix>
  wasm-sections.py --dylink FILE   one line per dylink.0 subsection:
                                   <type> <size> <sha256-prefix> [decoded strings]
  --skip NAME (repeatable)         leave out custom sections with this name
"""
import hashlib
import sys


def uleb(data, pos):
    result = shift = 0
    while True:
        b = data[pos]
        pos += 1
        result |= (b & 0x7F) << shift
        shift += 7
        if b < 0x80:
            return result, pos


def sections(data):
    assert data[:4] == b"\0asm", "not wasm"
    pos = 8
    while pos < len(data):
        sid = data[pos]
        size, p = uleb(data, pos + 1)
        end = p + size
        name = ""
        payload = p
        if sid == 0:
            n, q = uleb(data, p)
            name = data[q:q + n].decode("utf-8")
            payload = q + n
        yield sid, name, data[pos:end], data[payload:end]
        pos = end


def strings(body):
    count, pos = uleb(body, 0)
    out = []
    for _ in range(count):
        n, pos = uleb(body, pos)
        out.append(body[pos:pos + n].decode("utf-8"))
        pos += n
    return out


def digest(b):
    return hashlib.sha256(b).hexdigest()[:16]


def main(argv):
    skip = set()
    dylink = False
    files = []
    it = iter(argv)
    for a in it:
        if a == "--skip":
            skip.add(next(it))
        elif a == "--dylink":
            dylink = True
        else:
            files.append(a)
    data = open(files[0], "rb").read()
    for sid, name, whole, payload in sections(data):
        if dylink:
            if name != "dylink.0":
                continue
            pos = 0
            while pos < len(payload):
                t = payload[pos]
                size, p = uleb(payload, pos + 1)
                body = payload[p:p + size]
                extra = ""
                if t in (2, 5):
                    extra = " " + " ".join(repr(s) for s in strings(body))
                print(f"{t} {size} {digest(payload[pos:p + size])}{extra}")
                pos = p + size
            continue
        if sid == 0 and name in skip:
            continue
        print(f"{sid} {name or '-'} {len(whole)} {digest(whole)}")


if __name__ == "__main__":
    main(sys.argv[1:])
