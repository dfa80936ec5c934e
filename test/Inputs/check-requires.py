#!/usr/bin/env python3
"""check-requires.py TEST_ROOT: every lit test that runs an optional tool
says so with a REQUIRES: line.

lit.cfg.py turns the optional tools into features (node, npm, pyodide, wabt,
binaryen, emcc) so that a machine without one skips the tests that need it
instead of stopping the whole suite. That only works if each such test
declares the feature; this checker finds the tools a test runs (in its RUN
lines, and in the code blocks of the documents that doc-run.py runs for it)
and fails naming every test whose REQUIRES: lines lack one. "pyodide"
implies "node" (lit.cfg.py only has it when node is there). A test that
names the tools without running them opts out with a line
"## check-requires: skip".
"""

import os
import re
import sys

# What a feature's tools look like in a RUN line or in a document's code.
USES = {
    "node": re.compile(r"%node\b|%pyodide_run\b|%binaryen_wasm_opt\b|check-conformance\.py"),
    "pyodide": re.compile(r"%pyodide_run\b|%pyodide_asm\b|check-conformance\.py"),
    "wabt": re.compile(r"(?<![\w-])(wasm-validate|wasm-objdump|wasm2wat|wat2wasm|wasm-strip)(?![\w-])"),
    "binaryen": re.compile(r"(?<![\w-])wasm-opt(?![\w-])|%binaryen_wasm_opt\b"),
    "npm": re.compile(r"(?<![\w-])npm(?![\w-])"),
    "wasm-vips": re.compile(r"%wasm_vips\b"),
    "pglite": re.compile(r"%pglite\b"),
    "emcc": re.compile(r"(?<![\w-])(emcc|em-config)(?![\w-])|%emscripten_toolchain\b"),
}
IMPLIED = {"pyodide": {"node"}}
FENCE = re.compile(r"^(```+|~~~+)")
DOC = re.compile(r"%docs/([\w.-]+\.md)|%wasm_rpath_src_root/([\w.-]+\.md)")


def code_blocks(path):
    """The text inside the fenced code blocks of a Markdown file."""
    out, inside = [], False
    with open(path, encoding="utf-8") as f:
        for line in f:
            if FENCE.match(line):
                inside = not inside
            elif inside:
                out.append(line)
    return "".join(out)


def check(test, src_root):
    with open(test, encoding="utf-8") as f:
        lines = f.read().splitlines()
    if "## check-requires: skip" in lines:
        return []
    run = "\n".join(l for l in lines if re.match(r"#\s*(RUN|DEFINE|REDEFINE):", l))
    required = set()
    for l in lines:
        m = re.match(r"#\s*REQUIRES:(.*)", l)
        if m:
            required |= {f.strip() for f in m.group(1).split(",")}
    for f in list(required):
        required |= IMPLIED.get(f, set())
    text = run
    for m in DOC.finditer(run):
        doc = (os.path.join(src_root, "docs", m.group(1)) if m.group(1)
               else os.path.join(src_root, m.group(2)))
        text += "\n" + code_blocks(doc)
    used = {name for name, pattern in USES.items() if pattern.search(text)}
    return sorted(used - required)


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    root = sys.argv[1]
    src_root = os.path.dirname(os.path.abspath(root))
    bad = []
    count = 0
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if d != "Inputs")
        for name in sorted(filenames):
            if not name.endswith(".test"):
                continue
            count += 1
            path = os.path.join(dirpath, name)
            missing = check(path, src_root)
            if missing:
                bad.append("%s: undeclared features: %s"
                           % (os.path.relpath(path, root), ", ".join(missing)))
    for b in bad:
        print("check-requires: " + b, file=sys.stderr)
    print("check-requires: %d tests, %d lacking features" % (count, len(bad)))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
