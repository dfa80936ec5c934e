#!/usr/bin/env python3
"""build-vector-tree.py: build a resolution test vector as real side modules.

  build-vector-tree.py VECTORS.json NAME OUTDIR     one vector
  build-vector-tree.py VECTORS.json --all OUTDIR    every vector (their top
                                                    directories must differ)

Lays out the "files" of the vector (see test/vectors/README.md) under OUTDIR,
so that OUTDIR + loader path is the host path of each file. Each module is a
real Emscripten-ABI side module built with LLVM 19:

  clang --target=wasm32-unknown-emscripten -fPIC -O2 -fvisibility=default -c
  wasm-ld -shared --experimental-pic --unresolved-symbols=import-dynamic

from a C file whose constructor prints "loaded <loader path>" (puts, imported
from the main module), so a real loader shows what it loaded. To keep this
fast, the C file is compiled and linked once, with a fixed-size placeholder
for the path, and each module is that template with the placeholder bytes
overwritten by its own path (NUL-padded; puts stops at the NUL). Its NEEDED
list and run-time paths are then written with wasm-set-rpath:

  --add-needed NAME ... --rpath-section=dylink --rpath-entry E ...
                                    NEEDED (in order) and RUNTIME_PATH
  --rpath-section=rpath.0 --rpath-entry E ...            the rpath.0 section

Entries are passed verbatim (one --rpath-entry each), so entries containing
':' stay one entry. A {"not_module": true} file is written as a line of text.

Tools come from PATH (lit puts LLVM 19 and wasm-set-rpath first); override
with $CLANG, $WASM_LD, $WASM_SET_RPATH.
"""
import concurrent.futures
import json
import os
import subprocess
import sys
import tempfile

CFLAGS = ["--target=wasm32-unknown-emscripten", "-fPIC", "-O2", "-fvisibility=default"]
LDFLAGS = ["-shared", "--experimental-pic", "--unresolved-symbols=import-dynamic"]


def die(msg):
    sys.stderr.write("build-vector-tree: %s\n" % msg)
    sys.exit(2)


# "loaded " + PLACEHOLDER is the string the template prints; a module's path
# may be at most as long as the placeholder.
PLACEHOLDER = b"@wasm-rpath-loader-path@".ljust(1024, b"#")
C_TEMPLATE = """extern int puts(const char *);
__attribute__((constructor)) static void init(void) {
  puts("loaded %s");
}
int wasm_rpath_vector_module(void) { return 1; }
""" % PLACEHOLDER.decode()


def run(cmd):
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    if p.returncode != 0:
        die("command failed (%d): %s\n%s" % (p.returncode, " ".join(cmd),
                                              p.stdout.decode(errors="replace")))


def host_path(outdir, loader_path):
    if not loader_path.startswith("/") or "\0" in loader_path:
        die("loader path must be absolute: %r" % loader_path)
    parts = [p for p in loader_path.split("/") if p]
    if any(p in (".", "..") for p in parts):
        die("loader path must be normalized: %r" % loader_path)
    return os.path.join(outdir, *parts)


def build_template(tools, tmp):
    clang, wasm_ld, _ = tools
    src, obj, so = (os.path.join(tmp, "template" + ext) for ext in (".c", ".o", ".so"))
    with open(src, "w") as f:
        f.write(C_TEMPLATE)
    run([clang] + CFLAGS + ["-c", src, "-o", obj])
    run([wasm_ld] + LDFLAGS + ["-o", so, obj])
    with open(so, "rb") as f:
        template = f.read()
    if template.count(PLACEHOLDER) != 1:
        die("the placeholder is not in the template module exactly once")
    return template


def build_module(tools, template, outdir, loader_path, spec):
    set_rpath = tools[2]
    path = loader_path.encode("utf-8")
    if len(path) > len(PLACEHOLDER):
        die("loader path longer than %d bytes: %r" % (len(PLACEHOLDER), loader_path))
    out = host_path(outdir, loader_path)
    os.makedirs(os.path.dirname(out), exist_ok=True)
    with open(out, "wb") as f:
        f.write(template.replace(PLACEHOLDER, path.ljust(len(PLACEHOLDER), b"\0")))
    cmd = [set_rpath]
    for n in spec.get("needed", []):
        cmd += ["--add-needed", n]
    if spec.get("runtime_path"):
        cmd.append("--rpath-section=dylink")
        for e in spec["runtime_path"]:
            cmd += ["--rpath-entry", e]
    if len(cmd) > 1:
        run(cmd + [out])
    if spec.get("rpath.0"):
        cmd = [set_rpath, "--rpath-section=rpath.0"]
        for e in spec["rpath.0"]:
            cmd += ["--rpath-entry", e]
        run(cmd + [out])


def build(vectors, outdir):
    tools = (os.environ.get("CLANG", "clang"), os.environ.get("WASM_LD", "wasm-ld"),
             os.environ.get("WASM_SET_RPATH", "wasm-set-rpath"))
    jobs = []
    seen = {}
    for v in vectors:
        for loader_path, spec in v["files"].items():
            if loader_path in seen:
                die("%s: %s is also in vector %s" % (v["name"], loader_path, seen[loader_path]))
            seen[loader_path] = v["name"]
            jobs.append((loader_path, spec))
    os.makedirs(outdir, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        template = build_template(tools, tmp)
    with concurrent.futures.ThreadPoolExecutor(max_workers=os.cpu_count() or 4) as pool:
        futures = []
        for loader_path, spec in jobs:
            if spec.get("not_module"):
                out = host_path(outdir, loader_path)
                os.makedirs(os.path.dirname(out), exist_ok=True)
                with open(out, "w") as f:
                    f.write("not a WebAssembly module: %s\n" % loader_path)
            else:
                futures.append(pool.submit(build_module, tools, template, outdir,
                                           loader_path, spec))
        for f in futures:
            f.result()


def main(argv):
    if len(argv) != 4:
        die("usage: build-vector-tree.py VECTORS.json (NAME | --all) OUTDIR")
    with open(argv[1], encoding="utf-8") as f:
        vectors = json.load(f)
    if argv[2] == "--all":
        chosen = vectors
    else:
        chosen = [v for v in vectors if v["name"] == argv[2]]
        if not chosen:
            die("no vector named %r in %s" % (argv[2], argv[1]))
    build(chosen, argv[3])


if __name__ == "__main__":
    main(sys.argv)
