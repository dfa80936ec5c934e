#!/usr/bin/env python3
"""check-conformance.py: do the resolution vectors describe what Pyodide really does?

  check-conformance.py VECTORS.json WORKDIR [--node NODE] [--only NAME]...
  check-conformance.py VECTORS.json --validate-only

1. Checks that every vector is well formed and its expectations consistent
   (for both loaders): each module listed in "expect" maps exactly its NEEDED
   names; the modules listed are exactly those reachable from "load"; every
   file lies under the vector's own top directory "/v-<name>/".
2. Builds every vector as real side modules (build-vector-tree.py --all) in
   WORKDIR/tree and copies the tree into the root of one Pyodide 314.0.7
   process (pyodide-run.mjs, next to this script; $PYODIDE_DIR as usual).
3. In that process, for each vector in turn: sets LD_LIBRARY_PATH to the
   vector's "library_path" joined with ':' (empty if none), calls
   ctypes.CDLL(load), and records whether it succeeded, the error, and the
   libraries that Emscripten's loader registered (LDSO.loadedLibsByName: one
   key per library it attempted, the resolved path, or the name itself when
   not found), and which of them finished loading. Each module's
   constructor prints "loaded <its loader path>".
4. Compares that with what the vector's "pyodide" expectation (or, if it
   has none, its "emscripten" one) predicts
   for a loader that loads depth-first in NEEDED order, each library once
   (by resolved path), and stops at the first library that is not found or
   not a module: success or failure (and the name in the error), the set of
   libraries attempted, and the "loaded" lines in order.

Separate top directories keep vectors independent within one process: a
library that loaded is registered under its own path. Emscripten also keeps
the registration of a library whose load failed, under its bare name (a
retry "succeeds" without loading anything), so after each vector the
entries that did not finish loading are removed, as a fresh process would
not have them.

Prints one line per vector (PASS/FAIL and why), then a summary; exits 1 if
any vector does not conform, 2 on a usage or setup error.
"""
import argparse
import json
import os
import posixpath
import re
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
LOADERS = ("emscripten", "wasmer")
# Pyodide's environment: its LD_LIBRARY_PATH directories, where a vector may
# put libraries named "libv-<name>...".
SHARED_DIRS = ("/usr/lib/", "/lib/python3.14/site-packages/")

# Runs inside Pyodide. VECTORS is replaced by a JSON list of
# [name, load, LD_LIBRARY_PATH].
PYODIDE_CODE = r'''
import ctypes, json, os, sys
import pyodide_js
from pyodide.code import run_js

M = pyodide_js._module
snapshot = run_js("""(m) => JSON.stringify(Object.fromEntries(
    Object.entries(m.LDSO.loadedLibsByName).map(([k, v]) => [k, typeof v.exports === "object"])))""")
forget = run_js("(m, k) => { delete m.LDSO.loadedLibsByName[k]; }")

def libs():
    return json.loads(snapshot(M))

DEFAULT_LD = os.environ.get("LD_LIBRARY_PATH")
for name, load, ld in json.loads(VECTORS):
    if ld is None:
        if DEFAULT_LD is None:
            os.environ.pop("LD_LIBRARY_PATH", None)
        else:
            os.environ["LD_LIBRARY_PATH"] = DEFAULT_LD
    else:
        os.environ["LD_LIBRARY_PATH"] = ld
    before = libs()
    print("BEGIN " + name)
    sys.stdout.flush()
    try:
        ctypes.CDLL(load)
        ok, error = True, ""
    except OSError as e:
        ok, error = False, str(e)
    after = libs()
    new = {k: v for k, v in after.items() if k not in before}
    for k, done in new.items():
        if not done:
            forget(M, k)
    print("RESULT " + json.dumps({"name": name, "ok": ok, "error": error, "libs": new}))
    sys.stdout.flush()
'''


class Invalid(Exception):
    pass


def top_dir(v):
    return "/v-" + v["name"]


def normalize(p):
    """PATH.normalize of Emscripten for the paths used here."""
    n = posixpath.normpath(p)
    return "/" + n.lstrip("/") if p.startswith("/") else n


def validate(v, seen_tops):
    name = v.get("name")
    if not isinstance(name, str) or not re.fullmatch(r"[a-z0-9][a-z0-9-]*", name):
        raise Invalid("bad vector name %r" % (name,))
    top = top_dir(v)
    if top in seen_tops:
        raise Invalid("duplicate vector name")
    seen_tops.add(top)
    for key in ("description", "files", "load", "expect"):
        if key not in v:
            raise Invalid("missing %r" % key)
    files = v["files"]
    for path, spec in files.items():
        shared = any(path.startswith(d) and "/" not in path[len(d):] and
                     path[len(d):].startswith("libv-" + v["name"]) for d in SHARED_DIRS)
        if not (path.startswith(top + "/") or shared) or normalize(path) != path:
            raise Invalid("file %r is not a normalized path under %s/ (or a libv-%s* in %s)"
                          % (path, top, v["name"], " or ".join(SHARED_DIRS)))
        if spec.get("not_module"):
            if set(spec) != {"not_module"}:
                raise Invalid("%s: a non-module has no other fields" % path)
            continue
        extra = set(spec) - {"needed", "runtime_path", "rpath.0"}
        if extra:
            raise Invalid("%s: unknown fields %s" % (path, sorted(extra)))
        for key in ("needed", "runtime_path", "rpath.0"):
            lst = spec.get(key, [])
            if not isinstance(lst, list) or not all(isinstance(s, str) and s for s in lst):
                raise Invalid("%s: %s must be a list of non-empty strings" % (path, key))
        if len(set(spec.get("needed", []))) != len(spec.get("needed", [])):
            raise Invalid("%s: duplicate NEEDED name" % path)
    for d in v.get("library_path", []):
        if not d.startswith(top + "/"):
            raise Invalid("library_path entry %r is not under %s/" % (d, top))
    if v["load"] not in files or files[v["load"]].get("not_module"):
        raise Invalid("load %r is not a module of the vector" % v["load"])
    if not set(LOADERS) <= set(v["expect"]) <= set(LOADERS) | {"pyodide"}:
        raise Invalid("expect must have %s (and may have pyodide)" % (LOADERS,))
    for loader in v["expect"]:
        exp = v["expect"][loader]
        for mod, deps in exp.items():
            spec = files.get(mod)
            if spec is None or spec.get("not_module"):
                raise Invalid("%s: %s is not a module of the vector" % (loader, mod))
            if list(deps) != spec.get("needed", []):
                raise Invalid("%s: %s must map exactly its NEEDED names, in order" % (loader, mod))
            for n, r in deps.items():
                if r is not None and r not in files:
                    raise Invalid("%s: %s: %s resolves to %r, not a file of the vector" % (loader, mod, n, r))
        reach, todo = set(), [v["load"]]
        while todo:
            m = todo.pop()
            if m in reach or files[m].get("not_module"):
                continue
            reach.add(m)
            todo.extend(r for r in exp.get(m, {}).values() if r is not None)
        if reach != set(exp):
            raise Invalid("%s: modules listed %s != reachable %s" % (loader, sorted(exp), sorted(reach)))


def expectation(v):
    """What Pyodide should do: the "pyodide" expectation (its default
    LD_LIBRARY_PATH) if the vector has one, else the "emscripten" one (with
    the vector's library_path, or the default, which holds none of its
    files)."""
    return v["expect"].get("pyodide", v["expect"]["emscripten"])


def predict(v):
    """What Emscripten should do, from the vector's expectation."""
    files, exp = v["files"], expectation(v)
    attempted, loaded = [], []

    class Stop(Exception):
        pass

    def load(path):
        if path in attempted:
            return
        attempted.append(path)
        if files[path].get("not_module"):
            raise Stop("need to see wasm magic number")
        for n in files[path].get("needed", []):
            r = exp[path][n]
            if r is None:
                attempted.append(normalize(n))
                raise Stop('Failed to find dynamic library "%s"' % n)
            load(r)
        loaded.append(path)

    try:
        load(v["load"])
        return True, "", attempted, loaded
    except Stop as e:
        return False, str(e), attempted, loaded


def run_pyodide(vectors, tree, workdir, node):
    # A vector without library_path runs with Pyodide's own LD_LIBRARY_PATH,
    # as wasm-ldd's default loader assumes.
    jobs = [[v["name"], v["load"], ":".join(v["library_path"]) if "library_path" in v else None]
            for v in vectors]
    code = PYODIDE_CODE.replace("VECTORS", repr(json.dumps(jobs)))
    script = os.path.join(workdir, "conformance.py")
    with open(script, "w") as f:
        f.write(code)
    cmd = [node, os.path.join(HERE, "pyodide-run.mjs"), "--copy", tree + ":/", "--file", script]
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    out = p.stdout.decode("utf-8", errors="replace")
    if p.returncode != 0:
        sys.stderr.write(out + p.stderr.decode("utf-8", errors="replace"))
        sys.stderr.write("check-conformance: pyodide-run failed (exit %d)\n" % p.returncode)
        sys.exit(2)
    results, lines, current = {}, {}, None
    for line in out.splitlines():
        if line.startswith("BEGIN "):
            current = line[6:]
            lines[current] = []
        elif line.startswith("RESULT "):
            r = json.loads(line[7:])
            results[r["name"]] = r
            current = None
        elif line.startswith("loaded ") and current is not None:
            lines[current].append(line[7:])
        else:
            sys.stderr.write("check-conformance: unexpected output: %r\n" % line)
            sys.exit(2)
    return results, lines


def compare(v, result, loaded_lines):
    ok, error, attempted, loaded = predict(v)
    problems = []
    if result["ok"] != ok:
        problems.append("load %s, expected %s" % ("succeeded" if result["ok"] else "failed", "success" if ok else "failure"))
    if not ok and error not in result["error"]:
        problems.append("error %r does not mention %r" % (result["error"], error))
    got = set(result["libs"])
    if got != set(attempted):
        problems.append("libraries attempted: got %s, expected %s" % (sorted(got), sorted(attempted)))
    done = sorted(k for k, d in result["libs"].items() if d)
    if done != sorted(loaded):
        problems.append("libraries loaded: got %s, expected %s" % (done, sorted(loaded)))
    if loaded_lines != loaded:
        problems.append("constructors ran for %s, expected %s (in this order)" % (loaded_lines, loaded))
    return problems


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("vectors")
    ap.add_argument("workdir", nargs="?")
    ap.add_argument("--node", default="node")
    ap.add_argument("--only", action="append", default=[], metavar="NAME")
    ap.add_argument("--validate-only", action="store_true")
    args = ap.parse_args()

    with open(args.vectors, encoding="utf-8") as f:
        vectors = json.load(f)
    bad = 0
    tops = set()
    for v in vectors:
        try:
            validate(v, tops)
        except Invalid as e:
            print("INVALID %s: %s" % (v.get("name"), e))
            bad += 1
    if bad:
        print("%d of %d vectors invalid" % (bad, len(vectors)))
        return 1
    if args.validate_only:
        print("%d vectors valid" % len(vectors))
        return 0
    if not args.workdir:
        ap.error("WORKDIR is required")
    if args.only:
        unknown = set(args.only) - {v["name"] for v in vectors}
        if unknown:
            ap.error("no such vectors: %s" % ", ".join(sorted(unknown)))
        vectors = [v for v in vectors if v["name"] in args.only]

    os.makedirs(args.workdir, exist_ok=True)
    tree = os.path.join(args.workdir, "tree")
    subset = os.path.join(args.workdir, "vectors.json")
    with open(subset, "w", encoding="utf-8") as f:
        json.dump(vectors, f)
    subprocess.run([sys.executable, os.path.join(HERE, "build-vector-tree.py"), subset, "--all", tree],
                   check=True)
    results, lines = run_pyodide(vectors, tree, args.workdir, args.node)

    failed = 0
    for v in vectors:
        name = v["name"]
        if name not in results:
            print("FAIL %s: no result from Pyodide" % name)
            failed += 1
            continue
        problems = compare(v, results[name], lines.get(name, []))
        if problems:
            failed += 1
            print("FAIL %s: %s" % (name, "; ".join(problems)))
        else:
            r = results[name]
            print("PASS %s (%s, %d loaded)" % (name, "loads" if r["ok"] else "fails as expected",
                                               sum(1 for d in r["libs"].values() if d)))
    print("%d of %d vectors conform to Pyodide 314.0.7" % (len(vectors) - failed, len(vectors)))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
