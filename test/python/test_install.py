"""pip: `pip install --no-build-isolation --no-deps .` into a fresh venv
(python3 -m venv --system-site-packages), offline, through the in-tree PEP
517 backend, and `pip wheel`. The build tree of the test run is reused
(WASM_RPATH_BUILD_DIR), so the backend's CMake build only checks it is up
to date; docs/python.md shows a build from scratch."""

from __future__ import annotations

import base64
import csv
import hashlib
import io
import os
import stat
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from conftest import BUILD, SOURCE

FOO = "int foo_version(void) { return 7; }\n"


def _env(tmp):
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}
    env.update(WASM_RPATH_BUILD_DIR=str(BUILD), PIP_NO_INDEX="1",
               PIP_DISABLE_PIP_VERSION_CHECK="1", HOME=str(tmp))
    return env


@pytest.fixture(scope="module")
def venv(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("venv")
    v = tmp / "v"
    subprocess.run([sys.executable, "-m", "venv", "--system-site-packages", v], check=True)
    r = subprocess.run([v / "bin" / "python", "-m", "pip", "install", "--no-build-isolation",
                        "--no-deps", str(SOURCE)], env=_env(tmp), capture_output=True, text=True)
    assert r.returncode == 0, r.stdout + r.stderr
    return v


def test_import_from_venv(venv, build):
    foo = build.side_module("libfoo.so", FOO)
    code = ("import wasm_rpath, sys; "
            "assert wasm_rpath.__file__.startswith(sys.prefix), wasm_rpath.__file__; "
            f"wasm_rpath.edit({str(foo)!r}, set_rpath='$ORIGIN'); "
            f"print(wasm_rpath.read({str(foo)!r}).runtime_path); "
            f"print(wasm_rpath.ldd({str(foo)!r})['libraries'][0]['host_path'])")
    r = subprocess.run([venv / "bin" / "python", "-c", code], capture_output=True,
                       text=True, cwd="/")
    assert r.returncode == 0, r.stderr
    assert r.stdout.splitlines() == ["['$ORIGIN']", str(foo)]


def test_console_scripts(venv, build):
    foo = build.side_module("libfoo.so", FOO)
    r = subprocess.run([venv / "bin" / "wasm-set-rpath", "--set-rpath", "/opt", str(foo)],
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    r = subprocess.run([venv / "bin" / "wasm-set-rpath", "--print-rpath", str(foo)],
                       capture_output=True, text=True)
    assert r.stdout == "/opt\n"
    for tool in ("wasm-ldd", "wasm-auditwheel"):
        r = subprocess.run([venv / "bin" / tool, "--version"], capture_output=True, text=True)
        assert r.returncode == 0 and "wasm-rpath" in r.stdout
    # A bad call keeps the tool's status and message.
    r = subprocess.run([venv / "bin" / "wasm-set-rpath", "--print-rpath", "/nonexistent"],
                       capture_output=True, text=True)
    assert r.returncode == 1 and "nonexistent" in r.stderr


def test_pyodide_cli_plugin(venv):
    code = """
import importlib.metadata as md, click
eps = [e for e in md.entry_points(group="pyodide.cli") if e.dist.name == "wasm-rpath"]
assert [e.name for e in eps] == ["wasm-auditwheel"], eps
cmd = eps[0].load()
assert isinstance(cmd, click.Group) and callable(cmd)
assert sorted(cmd.commands) == ["repair", "show"]
"""
    r = subprocess.run([venv / "bin" / "python", "-c", code], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    # Its options are wasm-auditwheel's.
    r = subprocess.run([venv / "bin" / "python", "-m", "wasm_rpath.pyodide_cli", "show",
                        "--help"], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    assert "--libdir" in r.stdout and "--no-mangle-all" in r.stdout


def test_pyodide_cli_show(venv, build):
    foo = build.side_module("lib/libfoo.so", FOO)
    ext = build.side_module("ext.so", "int foo_version(void);\nint f(void){return foo_version();}\n", foo)
    whl = build.wheel("pkg-1.0-cp314-cp314-pyemscripten_2026_0_wasm32.whl", "pkg", "1.0",
                      {"pkg/_ext.so": ext})
    r = subprocess.run([venv / "bin" / "python", "-m", "wasm_rpath.pyodide_cli", "show",
                        str(whl)], capture_output=True, text=True)
    assert "libfoo.so => not found" in r.stdout


def test_pip_wheel(venv, tmp_path):
    # The venv's pip (python3-venv's): Debian's python3 may have none.
    r = subprocess.run([venv / "bin" / "python", "-m", "pip", "wheel", "--no-build-isolation",
                        "--no-deps", "-w", tmp_path, str(SOURCE)],
                       env=_env(tmp_path), capture_output=True, text=True)
    assert r.returncode == 0, r.stdout + r.stderr
    (whl,) = tmp_path.glob("wasm_rpath-*.whl")
    with zipfile.ZipFile(whl) as z:
        names = z.namelist()
        assert any(n.startswith("wasm_rpath/_native.") and n.endswith(".so") for n in names)
        for tool in ("wasm-set-rpath", "wasm-ldd", "wasm-auditwheel"):
            info = z.getinfo(f"wasm_rpath/bin/{tool}")
            assert (info.external_attr >> 16) & stat.S_IXUSR
        assert "wasm_rpath/__init__.pyi" in names
        assert "wasm_rpath/py.typed" in names
        assert not [n for n in names if "__pycache__" in n]
        di = [n for n in names if n.endswith(".dist-info/RECORD")][0].rsplit("/", 1)[0]
        assert names[-1] == f"{di}/RECORD"
        ep = z.read(f"{di}/entry_points.txt").decode()
        assert "wasm-set-rpath = wasm_rpath._cli:wasm_set_rpath" in ep
        assert "[pyodide.cli]" in ep
        rows = list(csv.reader(io.StringIO(z.read(f"{di}/RECORD").decode())))
        assert {r[0] for r in rows} == set(names)
        for path, digest, size in rows:
            if path.endswith("RECORD"):
                continue
            data = z.read(path)
            d = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
            assert digest == f"sha256={d}" and int(size) == len(data), path
        wheel_meta = z.read(f"{di}/WHEEL").decode()
        assert "Root-Is-Purelib: false" in wheel_meta
        tag = f"cp{sys.version_info.major}{sys.version_info.minor}"
        assert f"Tag: {tag}-{tag}-linux_" in wheel_meta
