#!/usr/bin/env python3
"""check-architecture.py SOURCE_ROOT: docs/architecture.md is true to the code.

Checks that every header of include/wasm-rpath/ and every library source of
lib/ is named in the page, and that every code name the page quotes in
backticks exists in the sources (include/, lib/, tools/, scripts/,
runtime/js/): a function written `name()`, and an identifier written
`CamelCase` or `camelCase` or `snake_case`. So a renamed or removed field,
function or file fails here instead of leaving the page wrong.
"""
import glob
import os
import re
import sys

CODE = re.compile(r"`([^`\n]+)`")
FUNCTION = re.compile(r"^(?:[A-Za-z_]\w*::)*([A-Za-z_]\w*)\(\)$")
IDENT = re.compile(r"^[A-Za-z_]\w*$")


def sources(root):
    text = []
    for pattern in ("include/wasm-rpath/*", "lib/*.cpp", "tools/*/*.cpp",
                    "tools/*.h", "scripts/*", "runtime/js/*.mjs"):
        for path in glob.glob(os.path.join(root, pattern)):
            if os.path.isfile(path):
                with open(path, encoding="utf-8", errors="replace") as f:
                    text.append(f.read())
    return "\n".join(text)


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    root = sys.argv[1]
    with open(os.path.join(root, "docs", "architecture.md"), encoding="utf-8") as f:
        page = f.read()
    src = sources(root)
    problems = []
    files = sorted(os.path.basename(p) for p in
                   glob.glob(os.path.join(root, "include", "wasm-rpath", "*")) +
                   glob.glob(os.path.join(root, "lib", "*.cpp")))
    for name in files:
        if not re.search(r"(?<![\w.])" + re.escape(name) + r"(?![\w])", page):
            problems.append("does not name %s" % name)
    names = set()
    for token in CODE.findall(page):
        m = FUNCTION.match(token)
        if m:
            names.add(m.group(1))
        elif IDENT.match(token) and (re.search(r"[a-z][A-Z]|^[A-Z][a-z]+[A-Z]", token)
                                     or ("_" in token and token.lower() == token)):
            names.add(token)
    for name in sorted(names):
        if not re.search(r"\b" + re.escape(name) + r"\b", src):
            problems.append("names `%s`, which is not in the sources" % name)
    for p in problems:
        print("check-architecture: docs/architecture.md " + p, file=sys.stderr)
    print("check-architecture: %d files, %d code names, %d problems"
          % (len(files), len(names), len(problems)))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
