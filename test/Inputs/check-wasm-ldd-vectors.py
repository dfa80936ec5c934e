#!/usr/bin/env python3
"""check-wasm-ldd-vectors.py: wasm-ldd's predictions against the vectors.

  check-wasm-ldd-vectors.py VECTORS.json TREE [--wasm-ldd PATH]

TREE holds every vector built by build-vector-tree.py --all. For each vector
and each loader in its "expect", runs

  wasm-ldd --json --root TREE --loader L [--library-path-entry DIR]... TREE/<load>

for L in emscripten, wasmer (their "expect" entries) and pyodide, the
default, which must predict the "pyodide" expectation if the vector has
one, else the "emscripten" one (Pyodide runs Emscripten's loader; its
default LD_LIBRARY_PATH, /usr/lib:/lib/python3.14/site-packages, holds
nothing of a vector that has no files there). A vector's "library_path"
replaces the default, as the conformance harness sets LD_LIBRARY_PATH. It
compares, for every module reached, each NEEDED name's resolved loader
path (or null) with the expectation; the set of modules reached must be
exactly the expected one. Prints PASS/FAIL per vector and loader and a
summary line; exits 1 on any FAIL.
"""
import json
import os
import subprocess
import sys


def main(argv):
    wasm_ldd = "wasm-ldd"
    args = []
    it = iter(argv)
    for a in it:
        if a == "--wasm-ldd":
            wasm_ldd = next(it)
        else:
            args.append(a)
    vectors_file, tree = args
    vectors = json.load(open(vectors_file))
    passed = failed = 0
    for v in vectors:
        expects = dict(v["expect"])
        expects.setdefault("pyodide", expects["emscripten"])
        for loader, expect in sorted(expects.items()):
            cmd = [wasm_ldd, "--json", "--root", tree, "--loader", loader]
            # One --library-path per entry, so an entry with ':' or a newline
            # reaches the resolver as the loader would see it.
            if "library_path" in v:
                cmd += ["--library-path="] if not v["library_path"] else []
            for d in v.get("library_path", []):
                cmd += ["--library-path-entry", d]
            cmd.append(os.path.join(tree, v["load"].lstrip("/")))
            p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               universal_newlines=True)
            if p.returncode != 0:
                print("FAIL %s [%s]: wasm-ldd exited %d: %s" %
                      (v["name"], loader, p.returncode, p.stderr.strip()))
                failed += 1
                continue
            got = {}
            for lib in json.loads(p.stdout)["libraries"]:
                if lib["error"] is not None:
                    continue  # Found but not a module: a value, not a key.
                got[lib["path"]] = {n["name"]: n["path"] for n in lib["needed"]}
            if got == expect:
                print("PASS %s [%s]" % (v["name"], loader))
                passed += 1
            else:
                print("FAIL %s [%s]: got %s, expected %s" %
                      (v["name"], loader, json.dumps(got, sort_keys=True),
                       json.dumps(expect, sort_keys=True)))
                failed += 1
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
