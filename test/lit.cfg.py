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
    ("%inputs", inputs),
]

# Every test needs these; a missing one is a broken setup, not a skip.
for tool in ["wasm-validate", "wasm-opt", "node"]:
    if not shutil.which(tool, path=config.environment["PATH"]):
        lit_config.fatal("required tool not found: " + tool)
if not os.path.exists(os.path.join(pyodide_dir, "pyodide.asm.wasm")):
    lit_config.fatal("Pyodide not installed in " + config.npm_dir + " (run ctest, or npm ci there)")
