#!/usr/bin/env bash
# Installs what wasm-rpath needs to build and test on Debian 12: LLVM 19
# (libraries, clang, wasm-ld, lit's helpers), GoogleTest, wabt and Binaryen
# (independent readers), node/npm (Pyodide in node), Emscripten and make (emcc
# and CMake package tests), hyperfine (benchmarks), and for the tests of the
# documentation and the package: meson, xxd, groff and man, dpkg-dev
# (dpkg-shlibdeps), and clang's sanitizer runtimes (libclang-rt-19-dev, only
# recommended by clang-19) for the fuzz smoke test; libdeflate, OpenSSL's
# libcrypto (the zip layer), zip and unzip (independent zip readers and
# writers for its tests), python3-jsonschema (wasm-ldd --json is validated
# against docs/wasm-ldd.schema.json); for the Python package (python/,
# docs/python.md): python3-dev and pybind11-dev (the extension module),
# python3-pytest and python3-venv (its tests, a pip install into a venv) and
# python3-click (the `pyodide wasm-auditwheel` command). Safe to re-run.
set -euo pipefail
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO=sudo
pkgs=(cmake ninja-build g++ python3 llvm-19-dev llvm-19-tools lld-19 clang-19
      libzstd-dev zlib1g-dev libdeflate-dev libssl-dev libgtest-dev libclang-rt-19-dev binaryen wabt hyperfine
      emscripten make zip unzip
      meson xxd groff-base man-db dpkg-dev python3-jsonschema
      python3-dev pybind11-dev python3-pytest python3-venv python3-click)
# node and npm: the base image's (NodeSource) when present, else Debian's.
command -v node >/dev/null || pkgs+=(nodejs)
command -v npm >/dev/null || pkgs+=(npm)
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}"
fi
