# lit configuration for wasm-rpath.
#
# Tests build their inputs with LLVM 19 (clang, wasm-ld) while they run, and
# check what the tools write with independent readers: LLVM 19's objdump and
# obj2yaml, wabt, Binaryen, node's WebAssembly API, and Pyodide in node.

import os
import shutil

import lit.formats

config.name = "wasm-rpath"
config.test_format = lit.formats.ShTest(execute_external=False)
config.suffixes = [".test"]
config.excludes = ["Inputs"]
config.test_source_root = os.path.dirname(__file__)
config.test_exec_root = os.path.join(config.wasm_rpath_obj_root, "test")

# Our tools first, then LLVM 19's (so plain `clang`, `wasm-ld`, `FileCheck`,
# `obj2yaml` are version 19, not the base image's LLVM 14).
path = [config.wasm_rpath_tools_dir, config.llvm_tools_dir, os.environ.get("PATH", "")]
config.environment["PATH"] = os.pathsep.join(path)
for var in ["HOME", "TMPDIR", "LANG"]:
    if var in os.environ:
        config.environment[var] = os.environ[var]

pyodide_dir = os.path.join(config.npm_dir, "node_modules", "pyodide")
binaryen_dir = os.path.join(config.npm_dir, "node_modules", "binaryen")
# Real modules nobody here wrote (issue 20): wasm-vips 0.0.19 (a main module
# with dylink.0 and three side modules) and PGlite 0.5.17 (a main module and
# 40 extension side modules in .tar.gz archives).
wasm_vips_dir = os.path.join(config.npm_dir, "node_modules", "wasm-vips", "lib")
pglite_dir = os.path.join(config.npm_dir, "node_modules", "@electric-sql", "pglite", "dist")
config.environment["PYODIDE_DIR"] = pyodide_dir
inputs = os.path.join(config.test_source_root, "Inputs")

wasm_cflags = "--target=wasm32-unknown-emscripten -fPIC -O2 -fvisibility=default"
config.substitutions += [
    ("%clang_wasm", "clang " + wasm_cflags),
    ("%wasm_ld_shared", "wasm-ld -shared --experimental-pic"),
    ("%python", config.python),
    ("%node", config.node),
    ("%pyodide_run", config.node + " " + os.path.join(inputs, "pyodide-run.mjs")),
    ("%pyodide_asm", os.path.join(pyodide_dir, "pyodide.asm.wasm")),
    ("%binaryen_wasm_opt", config.node + " " + os.path.join(binaryen_dir, "bin", "wasm-opt")),
    ("%wasm_vips", wasm_vips_dir),
    ("%pglite", pglite_dir),
    ("%inputs", inputs),
    ("%tools_dir", config.wasm_rpath_tools_dir),
]

# Optional tools are lit features, so that a machine without one still runs
# the rest: the tests that need it say so with REQUIRES: and are reported as
# UNSUPPORTED. scripts/test.sh installs all of them and configures with
# -DWASM_RPATH_TEST_ALL=ON, under which a missing one is a broken setup and
# stops the suite, so that CI never skips a test silently.
def which(tool):
    return shutil.which(tool, path=config.environment["PATH"])

# `--param without=node,emcc` runs the suite as if those were missing, and
# `--param require_all=0|1` overrides WASM_RPATH_TEST_ALL (test/lit/
# features.test checks the degradation with them).
without = set(filter(None, lit_config.params.get("without", "").split(",")))
if "require_all" in lit_config.params:
    config.require_all = lit_config.params["require_all"] not in ("0", "")

features = {
    "node": bool(config.node) and os.path.exists(config.node),
    "wabt": all(which(t) for t in ["wasm-validate", "wasm-objdump"]),
    "emcc": all(which(t) for t in ["emcc", "em-config"]),
    "npm": bool(which("npm")),
}
features = {k: v and k not in without for k, v in features.items()}
features["pyodide"] = (features["node"] and "pyodide" not in without and
                       os.path.exists(os.path.join(pyodide_dir, "pyodide.asm.wasm")))
features["wasm-vips"] = ("wasm-vips" not in without and
                         os.path.exists(os.path.join(wasm_vips_dir, "vips.wasm")))
features["pglite"] = ("pglite" not in without and
                      os.path.exists(os.path.join(pglite_dir, "pglite.wasm")))
# Debian's wasm-opt and npm's (run by node).
features["binaryen"] = (features["node"] and "binaryen" not in without and
                        bool(which("wasm-opt")) and
                        os.path.exists(os.path.join(binaryen_dir, "bin", "wasm-opt")))
for name, present in sorted(features.items()):
    if present:
        config.available_features.add(name)
# How the build was configured (not something a machine may lack).
if config.static_zip_libs:
    config.available_features.add("static-zip-libs")
missing = sorted(name for name, present in features.items() if not present)
if missing and config.require_all:
    lit_config.fatal("missing test features (WASM_RPATH_TEST_ALL is on): " +
                     ", ".join(missing) + "; run scripts/test.sh, or ctest "
                     "(its npm-ci test installs Pyodide and Binaryen)")
elif missing:
    lit_config.note("tests needing these are skipped: " + ", ".join(missing))

config.substitutions.append(("%lit", config.python + " " + config.lit))
