"""wasmbytes.py: the wasm binary encoding, for the test scripts.

LEB128 and the `name`/vector/custom-section encodings, written from the
spec and sharing no code with wasm-rpath, so that the scripts that build or
damage modules for the tests (corrupt.py, big-module.py, fake-wasm-ld-21.py)
check the tools against an independent encoder. Imported from the scripts'
own directory.
"""


def uleb(value, width=None):
    """Encodes value as an unsigned LEB128, padded to width bytes if given."""
    out = bytearray()
    while True:
        byte = value & 0x7F
        value >>= 7
        out.append(byte)
        if value == 0 and (width is None or len(out) >= width):
            break
        out[-1] |= 0x80
    if width is not None and len(out) != width:
        raise ValueError(f"{value} does not fit in {width} LEB bytes")
    return bytes(out)


def read_uleb(data, pos):
    """Decodes the LEB128 at data[pos]; returns (value, position after it)."""
    result = shift = 0
    while True:
        byte = data[pos]
        pos += 1
        result |= (byte & 0x7F) << shift
        shift += 7
        if byte < 0x80:
            return result, pos


def name(s):
    """A wasm `name`: length, then the bytes."""
    return uleb(len(s)) + s


def string_vector(strings):
    """A vector of names (NEEDED, RUNTIME_PATH, rpath.0)."""
    return uleb(len(strings)) + b"".join(name(s) for s in strings)


def custom(section_name, payload):
    """A whole custom section: id 0, size, name, payload."""
    body = name(section_name) + payload
    return b"\x00" + uleb(len(body)) + body
