#!/usr/bin/env python3
"""check-architecture.py SOURCE_ROOT: the layers hold, and docs/architecture.md
is true to the code.

1. Layers. lib/ has one folder per layer, each a CMake library whose
   DEPENDS list (lib/<Layer>/CMakeLists.txt) names the layers below it. A
   header belongs to the layer whose folder holds its .cpp (or, for a header
   with no .cpp, to the layer HEADER_LAYERS gives). Every #include of a
   project header in a layer's sources and headers must stay within that
   layer and the ones it depends on, directly or not: an include that
   reaches upwards is reported with the two files. A public header
   (include/wasm-rpath/) includes no private one (lib/<Layer>/X.h): the
   installed headers must compile without them.
2. The page. Every header of include/wasm-rpath/ and every library source
   and private header of lib/ is named in it, and every code name it quotes in backticks exists
   in the sources (include/, lib/, tools/, scripts/, runtime/js/): a
   function written `name()`, and an identifier written `CamelCase` or
   `camelCase` or `snake_case`. So a renamed or removed field, function or
   file fails here instead of leaving the page wrong.
3. Claims. Each entry of CLAIMS is a sentence the page makes and a check of
   it against the code: the page must still make it, and it must hold.
"""
import glob
import os
import re
import sys

CODE = re.compile(r"`([^`\n]+)`")
FUNCTION = re.compile(r"^(?:[A-Za-z_]\w*::)*([A-Za-z_]\w*)\(\)$")
IDENT = re.compile(r"^[A-Za-z_]\w*$")
# A project header: public ("wasm-rpath/X.h"), private to the library
# ("Layer/X.h", lib/Layer/X.h) or local ("X.h").
INCLUDE = re.compile(r'^#include "(wasm-rpath/|[A-Z]\w*/)?([A-Za-z]\w*\.h)"',
                     re.M)
DEPENDS = re.compile(r"DEPENDS\s+([\w\s]+?)\)", re.S)

# Headers with no .cpp of their own.
HEADER_LAYERS = {"Version.h": "Support", "Version.h.in": "Support",
                 "OutputChunk.h": "Support", "ToolOptTable.h": None}


def read(path):
    with open(path, encoding="utf-8", errors="replace") as f:
        return f.read()


def sources(root):
    text = []
    for pattern in ("include/wasm-rpath/*", "lib/*/*.cpp", "lib/*/*.h",
                    "lib/CMakeLists.txt",
                    "tools/*/*.cpp", "tools/*.h", "scripts/*",
                    "runtime/js/*.mjs"):
        for path in glob.glob(os.path.join(root, pattern)):
            if os.path.isfile(path):
                text.append(read(path))
    return "\n".join(text)


def layers(root):
    """{layer: set of layers it may use (itself included)}, {file: layer}."""
    direct = {}
    for cml in glob.glob(os.path.join(root, "lib", "*", "CMakeLists.txt")):
        layer = os.path.basename(os.path.dirname(cml))
        m = DEPENDS.search(read(cml))
        direct[layer] = set(m.group(1).split()) if m else set()
    allowed = {}
    for layer in direct:
        seen, todo = set(), [layer]
        while todo:
            l = todo.pop()
            if l not in seen:
                seen.add(l)
                todo.extend(direct.get(l, ()))
        allowed[layer] = seen
    owner = dict((h, l) for h, l in HEADER_LAYERS.items() if l)
    for src in glob.glob(os.path.join(root, "lib", "*", "*.cpp")) + \
            glob.glob(os.path.join(root, "lib", "*", "*.h")):
        layer = os.path.basename(os.path.dirname(src))
        base = os.path.splitext(os.path.basename(src))[0]
        owner[base + ".h"] = layer
    return allowed, owner


def check_layers(root, problems):
    allowed, owner = layers(root)
    files = []
    for src in glob.glob(os.path.join(root, "lib", "*", "*.cpp")) + \
            glob.glob(os.path.join(root, "lib", "*", "*.h")):
        files.append((src, os.path.basename(os.path.dirname(src))))
    for hdr in glob.glob(os.path.join(root, "include", "wasm-rpath", "*.h")):
        name = os.path.basename(hdr)
        if name not in owner:
            problems.append("layers: %s belongs to no layer" % name)
        else:
            files.append((hdr, owner[name]))
    private = set(os.path.basename(p) for p in
                  glob.glob(os.path.join(root, "lib", "*", "*.h")))
    for path, layer in files:
        public = os.path.dirname(path).endswith(os.path.join("include", "wasm-rpath"))
        for prefix, inc in INCLUDE.findall(read(path)):
            if public and (inc in private or prefix not in ("", "wasm-rpath/")):
                problems.append("layers: %s is public and includes %s%s, a "
                                "private header"
                                % (os.path.relpath(path, root), prefix, inc))
            if prefix not in ("", "wasm-rpath/") and \
                    not os.path.isfile(os.path.join(root, "lib", prefix + inc)):
                problems.append("layers: %s includes %s%s, which is not in "
                                "lib/" % (os.path.relpath(path, root), prefix,
                                          inc))
            target = owner.get(inc)
            if target is None:
                continue  # not a project header (or checked above)
            if target not in allowed.get(layer, {layer}):
                problems.append("layers: %s (%s) includes %s (%s), a layer "
                                "it does not depend on"
                                % (os.path.relpath(path, root), layer, inc,
                                   target))
    return len(files)


# Claims of the page, each with the code that makes it true.
def claim_no_exit(root):
    """The library never ends the process."""
    bad = []
    for src in glob.glob(os.path.join(root, "lib", "*", "*.cpp")):
        text = read(src)
        for word in ("report_fatal_error", "report_bad_alloc_error",
                     "abort()", "exit(", "_exit("):
            if re.search(r"(?<![\w.>])" + re.escape(word), text):
                bad.append("%s uses %s" % (os.path.relpath(src, root), word))
    return bad


def claim_coded_errors(root):
    """Every library error carries a code."""
    return ["%s uses inconvertibleErrorCode" % os.path.relpath(src, root)
            for src in glob.glob(os.path.join(root, "lib", "*", "*.cpp"))
            if "inconvertibleErrorCode" in read(src)]


def claim_signals_policy(root):
    """Only ToolProcess touches signal dispositions; the rest of the
    library asks ToolProcess::active() before registering files."""
    bad = []
    for src in glob.glob(os.path.join(root, "lib", "*", "*.cpp")):
        if os.path.basename(src) == "ToolProcess.cpp":
            continue
        text = read(src)
        for word in ("::signal(", "sigaction(", "InitLLVM",
                     "unregisterHandlers", "SetInterruptFunction"):
            if word in text:
                bad.append("%s uses %s" % (os.path.relpath(src, root), word))
        if "RemoveFileOnSignal(" in text and "ToolProcess::active()" not in text:
            bad.append("%s registers files for signals without asking "
                       "ToolProcess::active()" % os.path.relpath(src, root))
    return bad


CLAIMS = [
    ("never ends the process", claim_no_exit),
    ("carries an error code", claim_coded_errors),
    ("only a tool", claim_signals_policy),
]


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    root = sys.argv[1]
    page = read(os.path.join(root, "docs", "architecture.md"))
    src = sources(root)
    problems = []
    layered = check_layers(root, problems)
    files = sorted(os.path.basename(p) for p in
                   glob.glob(os.path.join(root, "include", "wasm-rpath", "*")) +
                   glob.glob(os.path.join(root, "lib", "*", "*.cpp")) +
                   glob.glob(os.path.join(root, "lib", "*", "*.h")))
    for name in files:
        # "Reader.h/.cpp" names both files.
        stem, ext = os.path.splitext(name)
        spellings = [re.escape(name)]
        if ext == ".cpp":
            spellings.append(re.escape(stem + ".h/.cpp"))
        if not any(re.search(r"(?<![\w.])" + sp + r"(?![\w])", page)
                   for sp in spellings):
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
    flat = re.sub(r"\s+", " ", page)
    for words, check in CLAIMS:
        if words not in flat:
            problems.append("no longer claims '%s'" % words)
        for why in check(root):
            problems.append("claims '%s', but %s" % (words, why))
    for p in problems:
        print("check-architecture: docs/architecture.md " + p
              if not p.startswith("layers:") else "check-architecture: " + p,
              file=sys.stderr)
    print("check-architecture: %d files in %d layers checked, %d files, "
          "%d code names, %d problems"
          % (layered, len(layers(root)[0]), len(files), len(names),
             len(problems)))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
