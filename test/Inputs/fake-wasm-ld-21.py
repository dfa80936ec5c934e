#!/usr/bin/env python3
"""fake-wasm-ld-21.py: a stand-in for wasm-ld >= 21, for the lit tests.

Debian 12 has no LLVM 21, so the tests of wasm-ld-rpath's "the linker
understands -rpath" path run this instead. It behaves as wasm-ld 21 does for
everything the tests use:

  * `--help` lists the rpath option (which is how the wrapper detects it);
  * -rpath X, -rpath=X, --rpath X, --rpath=X (also in @response files) are
    accepted; the rest of the link is done by wasm-ld-19;
  * after a successful link of a module with dylink.0, RUNTIME_PATH
    (subsection 5: count, then the strings, one per flag in command-line
    order) is appended to dylink.0, after the subsections wasm-ld wrote, and
    the section size is re-encoded as a minimal LEB, as lld writes it.

The bytes are assembled here from the spec (tool-conventions
DynamicLinking.md), sharing no code with wasm-rpath. Each invocation's
arguments are appended to $FAKE_WASM_LD_LOG (if set) as one JSON array per
line, before response files are expanded, and if there were any, the
expanded arguments as a second line ["expanded", ...]. $FAKE_WASM_LD_REAL
names the linker to delegate to (default: wasm-ld-19).
"""
import json
import os
import shutil
import subprocess
import sys

from wasmbytes import name, read_uleb, uleb


def tokenize_gnu(text):
    """LLVM's GNU response-file tokenizer (cl::TokenizeGNUCommandLine)."""
    out, tok, i = [], None, 0
    while i < len(text):
        c = text[i]
        if c.isspace():
            if tok is not None:
                out.append(tok)
                tok = None
            i += 1
            continue
        tok = tok or ""
        if c == "\\" and i + 1 < len(text):
            tok += text[i + 1]
            i += 2
        elif c in "\"'":
            i += 1
            while i < len(text) and text[i] != c:
                if text[i] == "\\" and i + 1 < len(text):
                    i += 1
                tok += text[i]
                i += 1
            i += 1
        else:
            tok += c
            i += 1
    if tok is not None:
        out.append(tok)
    return out


def expand(args):
    out = []
    for a in args:
        if a.startswith("@") and os.path.exists(a[1:]):
            with open(a[1:], encoding="utf-8") as f:
                out += expand(tokenize_gnu(f.read()))
        else:
            out.append(a)
    return out


def string(s):
    return name(s.encode("utf-8"))


def add_runtime_path(path, entries):
    data = open(path, "rb").read()
    if data[8] != 0:
        return
    size, payload_start = read_uleb(data, 9)
    end = payload_start + size
    name_len, p = read_uleb(data, payload_start)
    if data[p:p + name_len] != b"dylink.0":
        return
    body = uleb(len(entries)) + b"".join(string(e) for e in entries)
    payload = data[payload_start:end] + b"\x05" + uleb(len(body)) + body
    out = data[:8] + b"\x00" + uleb(len(payload)) + payload + data[end:]
    with open(path, "wb") as f:
        f.write(out)


def main(argv):
    args = expand(argv)
    log = os.environ.get("FAKE_WASM_LD_LOG")
    if log:
        with open(log, "a", encoding="utf-8") as f:
            f.write(json.dumps(argv) + "\n")
            if args != argv:
                f.write(json.dumps(["expanded"] + args) + "\n")
    if "--help" in argv:
        print("OVERVIEW: stand-in for LLVM Linker 21 (wasm-ld-19 underneath)\n")
        print("OPTIONS:")
        print("  --rpath=<value>         Add a DT_RUNPATH to the output")
        print("  --shared                Build a shared object")
        return 0

    rpath, rest, output = [], [], "a.out"
    i = 0
    while i < len(args):
        a = args[i]
        if a in ("-rpath", "--rpath") and i + 1 < len(args):
            rpath.append(args[i + 1])
            i += 2
            continue
        if a.startswith(("-rpath=", "--rpath=")):
            rpath.append(a.split("=", 1)[1])
        else:
            rest.append(a)
            if a == "-o" and i + 1 < len(args):
                output = args[i + 1]
            elif a.startswith("-o") and len(a) > 2:
                output = a[2:]
        i += 1

    real = os.environ.get("FAKE_WASM_LD_REAL", "wasm-ld-19")
    real = shutil.which(real) or "/usr/lib/llvm-19/bin/wasm-ld"
    rc = subprocess.call([real] + rest)
    if rc == 0 and rpath:
        add_runtime_path(output, rpath)
    return rc


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
