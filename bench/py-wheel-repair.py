#!/usr/bin/env python3
"""py-wheel-repair.py IN.whl LIB OUT.whl: the wheel benchmark's Python peer.

Repairs a wheel the way Python wheel-repair tools (auditwheel,
auditwheel-emscripten) do: read every member, patch the side modules
(RUNTIME_PATH set to $ORIGIN/../<dist>.libs, as bench/py-set-rpath.py
encodes it), add the vendored library LIB, rewrite RECORD, and write a new
zip with every member compressed again. It does no more than that: no
renaming, no dependency search, no RECORD verification.
"""

import base64
import hashlib
import importlib.util
import os
import sys
import zipfile

spec = importlib.util.spec_from_file_location(
    "py_set_rpath", os.path.join(os.path.dirname(__file__), "py-set-rpath.py"))
psr = importlib.util.module_from_spec(spec)
spec.loader.exec_module(psr)


def set_rpath(data, entries):
    size, pos = psr.read_uleb(data, 9)
    end = pos + size
    n, pos = psr.read_uleb(data, pos)
    pos += n
    subs = []
    while pos < end:
        kind = data[pos]
        blen, body = psr.read_uleb(data, pos + 1)
        subs.append((kind, data[body:body + blen]))
        pos = body + blen
    subs = [s for s in subs if s[0] != 5] + [(5, psr.string_vector(entries))]
    subs.sort(key=lambda s: s[0])
    payload = psr.uleb(8) + b"dylink.0" + b"".join(
        bytes([k]) + psr.uleb(len(b)) + b for k, b in subs)
    return data[:8] + b"\0" + psr.uleb(len(payload)) + payload + data[end:]


def row(name, data):
    h = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=")
    return f"{name},sha256={h.decode()},{len(data)}\n"


def main():
    src, lib, out = sys.argv[1:4]
    dist = os.path.basename(src).split("-")[0]
    with open(lib, "rb") as f:
        libdata = f.read()
    rows = []
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(
            out, "w", zipfile.ZIP_DEFLATED) as zout:
        record = None
        for info in zin.infolist():
            if info.filename.endswith(".dist-info/RECORD"):
                record = info.filename
                continue
            data = zin.read(info)
            if info.filename.endswith(".so"):
                depth = info.filename.count("/")
                data = set_rpath(data, ["$ORIGIN/" + "../" * depth + dist + ".libs"])
            zout.writestr(info, data, zipfile.ZIP_DEFLATED)
            rows.append(row(info.filename, data))
        name = f"{dist}.libs/{os.path.basename(lib)}"
        zout.writestr(name, libdata)
        rows.append(row(name, libdata))
        rows.append(f"{record},,\n")
        zout.writestr(record, "".join(rows))


if __name__ == "__main__":
    main()
