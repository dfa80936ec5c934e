"""pytest set-up for the wasm_rpath Python package (docs/python.md).

Run by ctest (test/CMakeLists.txt, test "pytest") with the interpreter the
module was built for; it imports the package staged in the build tree
($WASM_RPATH_BUILD_DIR/python). Inputs are built during the run with
clang-19 and wasm-ld-19, as the lit tests build theirs. Tests marked
``pyodide`` load their result in Pyodide in node; without node or Pyodide
they are skipped, unless WASM_RPATH_TEST_ALL=1, under which they fail.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

SOURCE = Path(__file__).resolve().parents[2]
BUILD = Path(os.environ.get("WASM_RPATH_BUILD_DIR", SOURCE / "build")).resolve()
STAGE = BUILD / "python"
INPUTS = SOURCE / "test" / "Inputs"
LLVM_BIN = Path("/usr/lib/llvm-19/bin")
TOOLS = BUILD / "bin"
PYODIDE_DIR = Path(os.environ.get(
    "PYODIDE_DIR", BUILD / "test" / "npm" / "node_modules" / "pyodide"))
TEST_ALL = os.environ.get("WASM_RPATH_TEST_ALL") == "1"

sys.path.insert(0, str(STAGE))
WASM_CFLAGS = ["--target=wasm32-unknown-emscripten", "-fPIC", "-O2",
               "-fvisibility=default"]


def pytest_configure(config):
    config.addinivalue_line("markers", "pyodide: needs node and Pyodide (npm ci)")


def _pyodide_missing() -> str | None:
    if not shutil.which("node"):
        return "node not found"
    if not (PYODIDE_DIR / "pyodide.asm.wasm").is_file():
        return f"Pyodide not installed in {PYODIDE_DIR} (ctest -R npm-ci)"
    return None


def pytest_runtest_setup(item):
    if item.get_closest_marker("pyodide"):
        why = _pyodide_missing()
        if why:
            if TEST_ALL:
                pytest.fail(f"{why} (WASM_RPATH_TEST_ALL is on)")
            pytest.skip(why)


def run(cmd, **kw):
    kw.setdefault("check", True)
    kw.setdefault("capture_output", True)
    return subprocess.run([str(c) for c in cmd], **kw)


class Builder:
    """Builds side modules and wheels in a test's directory."""

    def __init__(self, tmp: Path):
        self.tmp = tmp

    def side_module(self, out, source: str, *needed, defines=()) -> Path:
        out = self.tmp / out
        out.parent.mkdir(parents=True, exist_ok=True)
        c = out.with_suffix(".c")
        c.write_text(source)
        obj = out.with_suffix(".o")
        run([LLVM_BIN / "clang", *WASM_CFLAGS, *[f"-D{d}" for d in defines],
             "-c", c, "-o", obj])
        run([LLVM_BIN / "wasm-ld", "-shared", "--experimental-pic", "-o", out,
             obj, *needed])
        return out

    def wheel(self, out, dist, version, members: dict) -> Path:
        out = self.tmp / out
        out.parent.mkdir(parents=True, exist_ok=True)
        run([sys.executable, INPUTS / "make-wheel.py", out, dist, version,
             *[f"{k}={v}" for k, v in members.items()]])
        return out

    def tool(self, name, *args, check=True):
        return run([TOOLS / name, *args], check=check, text=True)


@pytest.fixture
def build(tmp_path) -> Builder:
    return Builder(tmp_path)


def pyodide_run(*args, check=True):
    return run(["node", INPUTS / "pyodide-run.mjs", *args], check=check, text=True,
               env={**os.environ, "PYODIDE_DIR": str(PYODIDE_DIR)})
