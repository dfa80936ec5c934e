#!/usr/bin/env python3
"""corrupt.py: derive broken side modules from a good one, for the lit tests.

The bad-input tests of wasm-set-rpath do not ship hand-made binaries: they
build a real side module with clang and wasm-ld, and this script damages a
copy of it in one precise way. It parses sections and dylink.0 itself (from
the spec, sharing no code with wasm-rpath), so each variant is rebuilt with
correct sizes everywhere except at the one place that is meant to be wrong.

  corrupt.py INPUT VARIANT OUTPUT
      Writes the variant to OUTPUT and prints one line to stdout,
          facts: key=value ...
      that says where the damage is (offsets in hex, the way the tool prints
      them; sizes in decimal), so that a test can check that the tool's
      message points at the right place without hard-coding the layout that
      this version of clang and wasm-ld produced.

  corrupt.py INPUT truncations DIR CHECKFILE
      Writes DIR/cut-NNNNN.so for every length from 0 to the size of INPUT
      minus one, except lengths that end exactly on a section boundary (those
      are well-formed modules, only shorter). Writes CHECKFILE, a FileCheck
      file expecting one error line per file, in name order (each naming
      its file as DIR/cut-NNNNN.so, possibly after a directory, as lit
      expands a glob into absolute paths).

  corrupt.py --list
      Prints the variant names.

INPUT must be a side module whose dylink.0 has MEM_INFO and a NEEDED list
with at least one name (liba.so of the tests: NEEDED libb.so), and whose
first non-custom section after dylink.0 is the type section.
"""
import os
import sys

from wasmbytes import custom, name, read_uleb, string_vector, uleb


# --- Offsets --------------------------------------------------------------

def hexoff(offset):
    return hex(offset)


PREAMBLE = b"\x00asm\x01\x00\x00\x00"


class Section:
    """One section: its id, custom name and bytes, and where it was read."""

    def __init__(self, data, offset):
        self.offset = offset
        self.id = data[offset]
        size, self.payload_offset = read_uleb(data, offset + 1)
        self.end = self.payload_offset + size
        self.raw = data[offset:self.end]
        self.name = None
        self.content = data[self.payload_offset:self.end]
        if self.id == 0:
            length, p = read_uleb(data, self.payload_offset)
            self.name = data[p:p + length]
            self.content = data[p + length:self.end]


def parse_sections(data):
    if data[:8] != PREAMBLE:
        raise SystemExit("corrupt.py: input is not a wasm module")
    pos = 8
    sections = []
    while pos < len(data):
        sec = Section(data, pos)
        sections.append(sec)
        pos = sec.end
    if pos != len(data):
        raise SystemExit("corrupt.py: input has a section past its end")
    return sections


def parse_subsections(payload):
    """dylink.0 payload -> list of (type, body)."""
    subs = []
    pos = 0
    while pos < len(payload):
        kind = payload[pos]
        size, p = read_uleb(payload, pos + 1)
        subs.append((kind, payload[p:p + size]))
        pos = p + size
    return subs


def subsection(kind, body):
    return bytes([kind]) + uleb(len(body)) + body


MEM_INFO, NEEDED, RUNTIME_PATH = 1, 2, 5


class Module:
    """The input, split up so that variants can rebuild it piece by piece."""

    def __init__(self, data):
        self.data = data
        self.sections = parse_sections(data)
        first = self.sections[0]
        if first.name != b"dylink.0":
            raise SystemExit("corrupt.py: input's first section is not dylink.0")
        self.dylink = first
        self.subs = parse_subsections(first.content)
        kinds = [k for k, _ in self.subs]
        if kinds[:2] != [MEM_INFO, NEEDED]:
            raise SystemExit("corrupt.py: expected MEM_INFO then NEEDED in dylink.0")
        self.rest = self.sections[1:]
        if self.rest[0].id != 1:
            raise SystemExit("corrupt.py: expected the type section after dylink.0")

    def section(self, sid):
        return next(s for s in self.sections if s.id == sid)

    def needed_names(self):
        body = dict(self.subs)[NEEDED]
        count, pos = read_uleb(body, 0)
        names = []
        for _ in range(count):
            length, pos = read_uleb(body, pos)
            names.append(body[pos:pos + length])
            pos += length
        return names

    def rest_bytes(self):
        return b"".join(s.raw for s in self.rest)

    def with_dylink_payload(self, payload, size_width=None):
        """The module with dylink.0's payload replaced (sizes recomputed)."""
        body = name(b"dylink.0") + payload
        section = b"\x00" + uleb(len(body), size_width) + body
        return PREAMBLE + section + self.rest_bytes()

    def with_subsections(self, subs):
        return self.with_dylink_payload(b"".join(subs))


# Offsets inside a module rebuilt by with_dylink_payload(): dylink.0 starts at
# 8, its one-byte size (payloads here are far below 128 bytes) at 9, then the
# name (1 + 8 bytes), then the subsections.
DYLINK_PAYLOAD = 8 + 1 + 1 + 1 + len(b"dylink.0")


# --- The variants ------------------------------------------------------------
#
# Each takes the Module and returns (bytes, facts), facts being a dict printed
# as the `facts:` line. Variants named `ok-*` are well-formed controls.

def ok_identity(m):
    """Rebuilt from the parsed pieces unchanged: must equal the input."""
    out = m.with_subsections(subsection(k, b) for k, b in m.subs)
    return out, {"size": len(out)}


def ok_padded_size(m):
    """dylink.0's size as a 5-byte padded LEB, as llvm-objcopy writes it."""
    return m.with_dylink_payload(m.dylink.content, size_width=5), {}


def not_wasm(m):
    """A text file."""
    return b"this is a text file, not a WebAssembly module\n", {}


def elf(m):
    """The start of an ELF shared object (the header and a little more)."""
    ident = b"\x7fELF\x01\x01\x01\x00" + bytes(8)
    return ident + bytes([3, 0, 3, 0, 1, 0, 0, 0]) + bytes(36), {}


def empty(m):
    return b"", {}


def wheel(m):
    """A zip archive holding the module, as a wheel does."""
    import io
    import zipfile
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("pkg/liba.so", m.data)
    return buf.getvalue(), {}


def archive(m):
    """An ar archive (a static library) holding the module as a member."""
    header = b"%-16s%-12s%-6s%-6s%-8s%-10d`\n" % (
        b"liba.o/", b"0", b"0", b"0", b"644", len(m.data))
    body = m.data + (b"\n" if len(m.data) % 2 else b"")
    return b"!<arch>\n" + header + body, {}


def trunc_magic(m):
    """Cut inside the magic number."""
    return m.data[:3], {}


def trunc_preamble(m):
    """Magic complete, version cut short."""
    return m.data[:6], {}


def version_2(m):
    return m.data[:4] + b"\x02\x00\x00\x00" + m.data[8:], {}


def component(m):
    """A component's preamble (version 0x0d, layer 1) before core sections."""
    return m.data[:4] + b"\x0d\x00\x01\x00" + m.data[8:], {}


def trunc_section_header(m):
    """Cut just after the id byte of the type section: its size is missing."""
    cut = m.rest[0].offset + 1
    return m.data[:cut], {"offset": hexoff(cut)}


def trunc_dylink(m):
    """Cut in the middle of the first NEEDED name, inside dylink.0's payload."""
    first = m.needed_names()[0]
    at = m.data.index(first, m.dylink.payload_offset) + len(first) // 2
    d = m.dylink
    return m.data[:at], {"offset": hexoff(d.offset),
                         "size": d.end - d.payload_offset,
                         "left": at - d.payload_offset}


def trunc_code(m):
    """Cut in the middle of the code section's body."""
    code = m.section(10)
    at = (code.payload_offset + code.end) // 2
    return m.data[:at], {"offset": hexoff(code.offset),
                         "size": code.end - code.payload_offset,
                         "left": at - code.payload_offset}


def leb_unterminated(m):
    """A last section whose size LEB sets the continuation bit up to EOF."""
    return m.data + b"\x00\x80\x80\x80", {"offset": hexoff(len(m.data) + 1)}


def leb_6_bytes(m):
    """dylink.0's size with its right value but in 6 bytes (varuint32: <= 5)."""
    out = m.with_dylink_payload(m.dylink.content, size_width=6)
    return out, {"offset": hexoff(9)}


def leb_too_big(m):
    """dylink.0's size as a 5-byte LEB whose value needs 35 bits."""
    out = bytearray(m.data)
    out[9:10] = b"\xff\xff\xff\xff\x7f"
    return bytes(out), {"offset": hexoff(9)}


def section_past_end(m):
    """The code section claims 1000 bytes more than it has."""
    code = m.section(10)
    size = code.end - code.payload_offset + 1000
    out = (m.data[:code.offset] + b"\x0a" + uleb(size) +
           m.data[code.payload_offset:])
    left = len(out) - (code.offset + 1 + len(uleb(size)))
    return out, {"offset": hexoff(code.offset), "size": size, "left": left}


def section_size_huge(m):
    """dylink.0 claims 4294967295 bytes."""
    out = m.data[:9] + uleb(0xFFFFFFFF) + m.data[10:]
    return out, {"offset": hexoff(8), "size": 0xFFFFFFFF,
                 "left": len(out) - 14}


def subsection_past_end(m):
    """The last subsection of dylink.0 (NEEDED) claims one byte too many."""
    subs = [subsection(k, b) for k, b in m.subs[:-1]]
    kind, body = m.subs[-1]
    assert kind == NEEDED
    at = DYLINK_PAYLOAD + sum(len(s) for s in subs)
    bad = bytes([kind]) + uleb(len(body) + 1) + body
    return m.with_subsections(subs + [bad]), {
        "offset": hexoff(at), "size": len(body) + 1, "left": len(body)}


def no_dylink(m):
    """dylink.0 stripped, as wasm-strip does: a module, not a side module."""
    return PREAMBLE + m.rest_bytes(), {}


def dylink_not_first(m):
    """dylink.0 moved after the type section."""
    typesec = m.rest[0]
    out = (PREAMBLE + typesec.raw + m.dylink.raw +
           b"".join(s.raw for s in m.rest[1:]))
    return out, {"offset": hexoff(8 + len(typesec.raw))}


def dylink_twice(m):
    """A second copy of dylink.0 right after the first."""
    out = PREAMBLE + m.dylink.raw + m.dylink.raw + m.rest_bytes()
    return out, {"offset": hexoff(8 + len(m.dylink.raw))}


def needed_bad_utf8(m):
    """The first byte of the first NEEDED name replaced by 0xff (same size)."""
    first = m.needed_names()[0]
    at = m.data.index(name(first), m.dylink.payload_offset)
    out = bytearray(m.data)
    out[at + 1] = 0xFF
    return bytes(out), {"offset": hexoff(at)}


def runtime_path_bad_utf8(m):
    """A RUNTIME_PATH whose one entry is "/lib" followed by a lone 0x80."""
    subs = [subsection(k, b) for k, b in m.subs]
    at = DYLINK_PAYLOAD + sum(len(s) for s in subs) + 2 + 1
    subs.append(subsection(RUNTIME_PATH, string_vector([b"/lib\x80"])))
    return m.with_subsections(subs), {"offset": hexoff(at)}


def needed_twice(m):
    """A second NEEDED subsection after the first."""
    subs = [subsection(k, b) for k, b in m.subs]
    at = DYLINK_PAYLOAD + sum(len(s) for s in subs)
    subs.append(subsection(NEEDED, string_vector([b"libc.so"])))
    return m.with_subsections(subs), {"offset": hexoff(at)}


def hostile_count(m):
    """NEEDED claims 0xFFFFFFFF names but holds one: must fail fast."""
    first = m.needed_names()[0]
    body = uleb(0xFFFFFFFF) + name(first)
    subs = [subsection(k, b) for k, b in m.subs if k != NEEDED]
    at = DYLINK_PAYLOAD + sum(len(s) for s in subs)
    subs.append(subsection(NEEDED, body))
    end = at + 2 + len(body)
    return m.with_subsections(subs), {"offset": hexoff(end)}


def hostile_length(m):
    """A NEEDED name whose length is 0xFFFFFFFF, with 7 bytes behind it."""
    body = uleb(1) + uleb(0xFFFFFFFF) + b"libb.so"
    subs = [subsection(k, b) for k, b in m.subs if k != NEEDED]
    at = DYLINK_PAYLOAD + sum(len(s) for s in subs) + 2 + 1 + 5
    subs.append(subsection(NEEDED, body))
    return m.with_subsections(subs), {"offset": hexoff(at), "has": 7}


def meminfo_trailing(m):
    """MEM_INFO with one byte after its four LEBs."""
    subs = []
    at = None
    for k, b in m.subs:
        if k == MEM_INFO:
            at = DYLINK_PAYLOAD + 2 + len(b)
            b = b + b"\x00"
        subs.append(subsection(k, b))
    return m.with_subsections(subs), {"offset": hexoff(at)}


def rpath_twice(m):
    """Two rpath.0 sections (each well-formed) after the others."""
    sec = custom(b"rpath.0", string_vector([b"/lib"]))
    return m.data + sec + sec, {"offset": hexoff(len(m.data) + len(sec))}


def rpath_truncated(m):
    """An rpath.0 section whose count says 2 but which holds one entry."""
    sec = custom(b"rpath.0", uleb(2) + name(b"/lib"))
    return m.data + sec, {"offset": hexoff(len(m.data) + len(sec))}


def custom_name_past_end(m):
    """A custom section of 3 bytes whose name claims 8."""
    return m.data + b"\x00\x03\x08dy", {"offset": hexoff(len(m.data) + 3),
                                        "has": 2}


VARIANTS = {
    "ok-identity": ok_identity,
    "ok-padded-size": ok_padded_size,
    "not-wasm": not_wasm,
    "elf": elf,
    "empty": empty,
    "wheel": wheel,
    "archive": archive,
    "trunc-magic": trunc_magic,
    "trunc-preamble": trunc_preamble,
    "version-2": version_2,
    "component": component,
    "trunc-section-header": trunc_section_header,
    "trunc-dylink": trunc_dylink,
    "trunc-code": trunc_code,
    "leb-unterminated": leb_unterminated,
    "leb-6-bytes": leb_6_bytes,
    "leb-too-big": leb_too_big,
    "section-past-end": section_past_end,
    "section-size-huge": section_size_huge,
    "subsection-past-end": subsection_past_end,
    "no-dylink": no_dylink,
    "dylink-not-first": dylink_not_first,
    "dylink-twice": dylink_twice,
    "needed-bad-utf8": needed_bad_utf8,
    "runtime-path-bad-utf8": runtime_path_bad_utf8,
    "needed-twice": needed_twice,
    "hostile-count": hostile_count,
    "hostile-length": hostile_length,
    "meminfo-trailing": meminfo_trailing,
    "rpath-twice": rpath_twice,
    "rpath-truncated": rpath_truncated,
    "custom-name-past-end": custom_name_past_end,
}


def truncations(m, outdir, checkfile):
    boundaries = {s.end for s in m.sections}
    os.makedirs(outdir, exist_ok=True)
    lines = []
    for length in range(len(m.data)):
        if length in boundaries:
            continue
        fname = f"cut-{length:05d}.so"
        with open(os.path.join(outdir, fname), "wb") as f:
            f.write(m.data[:length])
        directive = "CHECK:" if not lines else "CHECK-NEXT:"
        lines.append(f"{directive} wasm-set-rpath: error: "
                     f"'{{{{(.*/)?}}}}{outdir}/{fname}': {{{{.+}}}}\n")
    with open(checkfile, "w") as f:
        f.writelines(lines)


def main(argv):
    if argv == ["--list"]:
        print("\n".join(VARIANTS))
        return
    if len(argv) == 4 and argv[1] == "truncations":
        with open(argv[0], "rb") as f:
            truncations(Module(f.read()), argv[2], argv[3])
        return
    if len(argv) != 3 or argv[1] not in VARIANTS:
        raise SystemExit(__doc__)
    with open(argv[0], "rb") as f:
        m = Module(f.read())
    out, facts = VARIANTS[argv[1]](m)
    with open(argv[2], "wb") as f:
        f.write(out)
    print("facts:", " ".join(f"{k}={v}" for k, v in facts.items()))


if __name__ == "__main__":
    main(sys.argv[1:])
