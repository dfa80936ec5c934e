"""Where the command-line tools of the package are, and running them."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

TOOLS = ("wasm-set-rpath", "wasm-ldd", "wasm-auditwheel")


def tool_path(name: str) -> str:
    """The executable of tool ``name``: the one shipped in the package
    (wasm_rpath/bin), else $WASM_RPATH_TOOLS_DIR's, else one on PATH."""
    shipped = Path(__file__).resolve().parent / "bin" / name
    if shipped.is_file():
        return str(shipped)
    tools_dir = os.environ.get("WASM_RPATH_TOOLS_DIR")
    if tools_dir and (Path(tools_dir) / name).is_file():
        return str(Path(tools_dir) / name)
    found = shutil.which(name)
    if found:
        return found
    raise FileNotFoundError(f"{name} is not installed with the wasm_rpath package")
