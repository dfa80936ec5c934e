"""Console scripts: wasm-set-rpath, wasm-ldd and wasm-auditwheel run the
native tools shipped in the wheel (as the cmake and ninja wheels do)."""

from __future__ import annotations

import os
import sys

from ._tools import tool_path


def _run(name: str) -> None:
    path = tool_path(name)
    # exec: the tool's exit status, signals and output are the command's own.
    os.execv(path, [name] + sys.argv[1:])


def wasm_set_rpath() -> None:
    _run("wasm-set-rpath")


def wasm_ldd() -> None:
    _run("wasm-ldd")


def wasm_auditwheel() -> None:
    _run("wasm-auditwheel")
