"""The API of wasm_rpath: read, edit, ldd, wheel.show/repair, Error."""

from __future__ import annotations

import errno
import json
import os
import shutil
from pathlib import Path

import pytest

import wasm_rpath
from conftest import PYODIDE_DIR, TOOLS, run

FOO = "int foo_version(void) { return 7; }\n"
EXT = "int foo_version(void);\nint ext_call(void) { return foo_version() * 10; }\n"


@pytest.fixture
def modules(build):
    foo = build.side_module("lib/libfoo.so", FOO)
    ext = build.side_module("ext.so", EXT, foo)
    return foo, ext


def test_version_matches_tools(build):
    out = build.tool("wasm-set-rpath", "--version").stdout
    assert wasm_rpath.__version__ in out
    assert wasm_rpath.__version__.count(".") == 2


def test_read_path_bytes_and_pathlike(modules):
    foo, ext = modules
    for arg in (str(ext), ext, ext.read_bytes(), bytearray(ext.read_bytes()),
                memoryview(ext.read_bytes())):
        m = wasm_rpath.read(arg)
        assert m.needed == ["libfoo.so"]
        assert m.runtime_path is None
        assert m.rpath0 is None
        assert m.dylink_section == "dylink.0"
        assert ("ext_call", "function") in m.exports
        assert ("foo_version", "function") in m.imports
        assert m.is_main_module is False
    assert wasm_rpath.read(ext).path == str(ext)
    assert wasm_rpath.read(ext.read_bytes()).path is None


def test_read_sees_what_the_tool_wrote(modules, build):
    _, ext = modules
    build.tool("wasm-set-rpath", "--set-rpath", "$ORIGIN/lib:/x", str(ext))
    m = wasm_rpath.read(ext)
    assert m.runtime_path == ["$ORIGIN/lib", "/x"]
    assert m.rpath0 == ["$ORIGIN/lib", "/x"]


def test_bytearray_cannot_be_resized_while_read(modules):
    _, ext = modules
    data = bytearray(ext.read_bytes())
    m = wasm_rpath.read(data)
    with pytest.raises(BufferError):
        data.extend(b"x")
    assert m.needed == ["libfoo.so"]
    del m
    data.extend(b"x")  # released with the module


@pytest.mark.pyodide
def test_read_main_module():
    m = wasm_rpath.read(PYODIDE_DIR / "pyodide.asm.wasm")
    assert m.is_main_module is True
    assert len(m.exports) > 1000


def _tool_edit(build, args, path):
    build.tool("wasm-set-rpath", *args, str(path))
    return path.read_bytes()


@pytest.mark.parametrize("kwargs,args", [
    (dict(set_rpath="$ORIGIN/../lib:/opt"), ["--set-rpath", "$ORIGIN/../lib:/opt"]),
    (dict(set_rpath=["a:b", "c"]), ["--rpath-entry", "a:b", "--rpath-entry", "c"]),
    (dict(add_rpath="$ORIGIN"), ["--add-rpath", "$ORIGIN"]),
    (dict(set_rpath="/x", place="dylink"), ["--set-rpath", "/x", "--rpath-section", "dylink"]),
    (dict(add_needed=["libz.so"], remove_needed=["libfoo.so"]),
     ["--add-needed", "libz.so", "--remove-needed", "libfoo.so"]),
    (dict(replace_needed={"libfoo.so": "libfoo-1234.so"}),
     ["--replace-needed", "libfoo.so", "libfoo-1234.so"]),
])
def test_edit_is_byte_exact_with_the_tool(modules, build, tmp_path, kwargs, args):
    _, ext = modules
    a, b = tmp_path / "a.so", tmp_path / "b.so"
    shutil.copy(ext, a)
    shutil.copy(ext, b)
    assert wasm_rpath.edit(a, **kwargs) is True
    assert a.read_bytes() == _tool_edit(build, args, b)
    assert a.read_bytes() != ext.read_bytes()


def test_edit_noop_leaves_file_alone(modules):
    _, ext = modules
    wasm_rpath.edit(ext, set_rpath="$ORIGIN")
    before = ext.stat()
    os.utime(ext, ns=(1, 1))
    assert wasm_rpath.edit(ext, set_rpath="$ORIGIN") is False
    assert ext.stat().st_mtime_ns == 1
    assert ext.stat().st_ino == before.st_ino


def test_edit_output_leaves_input(modules, tmp_path):
    _, ext = modules
    original = ext.read_bytes()
    out = tmp_path / "out.so"
    assert wasm_rpath.edit(ext, remove_rpath=True, output=out) is False
    assert out.read_bytes() == original
    wasm_rpath.edit(ext, set_rpath="/lib", output=out)
    assert ext.read_bytes() == original
    assert wasm_rpath.read(out).runtime_path == ["/lib"]


def test_edit_remove_rpath(modules):
    _, ext = modules
    original = ext.read_bytes()
    wasm_rpath.edit(ext, set_rpath="/x")
    assert wasm_rpath.edit(ext, remove_rpath=True) is True
    assert ext.read_bytes() == original


# Bad input: wasm_rpath.Error, with the tool's message and a code; the
# input untouched.

def _tool_error(build, *args):
    r = build.tool("wasm-set-rpath", *args, check=False)
    assert r.returncode != 0
    line = r.stderr.strip().splitlines()[0]
    return line.split("error: ", 1)[1]


def test_error_not_wasm(build, tmp_path):
    junk = tmp_path / "junk.so"
    junk.write_bytes(b"\x7fELF" + b"\0" * 60)
    with pytest.raises(wasm_rpath.Error) as e:
        wasm_rpath.read(junk)
    assert isinstance(e.value, Exception)
    assert e.value.code == "malformed"
    assert str(junk) in e.value.message
    assert e.value.message == _tool_error(build, "--print-rpath", str(junk))
    with pytest.raises(wasm_rpath.Error) as e:
        wasm_rpath.edit(junk, set_rpath="/x")
    assert e.value.code == "malformed"
    assert junk.read_bytes() == b"\x7fELF" + b"\0" * 60


def test_error_truncated_bytes(modules):
    _, ext = modules
    with pytest.raises(wasm_rpath.Error) as e:
        wasm_rpath.read(ext.read_bytes()[:20])
    assert e.value.code == "malformed"


def test_error_missing_file(tmp_path, build):
    with pytest.raises(wasm_rpath.Error) as e:
        wasm_rpath.read(tmp_path / "nope.so")
    assert e.value.code == "os_error"
    assert e.value.errno == errno.ENOENT
    assert e.value.message == _tool_error(build, "--print-rpath", str(tmp_path / "nope.so"))


def test_error_not_shared_library(build, tmp_path):
    c = tmp_path / "m.c"
    c.write_text("int f(void) { return 1; }\n")
    main = tmp_path / "main.wasm"
    run(["/usr/lib/llvm-19/bin/clang", "--target=wasm32", "-nostdlib",
         "-Wl,--no-entry", "-Wl,--export-all", "-o", main, c])
    with pytest.raises(wasm_rpath.Error) as e:
        wasm_rpath.read(main)
    assert e.value.code == "not_shared_library"
    m = wasm_rpath.read(main, shared_only=False)
    assert m.dylink_section == "" and m.needed == [] and m.runtime_path is None
    assert ("f", "function") in m.exports


def test_error_bad_arguments(modules):
    _, ext = modules
    original = ext.read_bytes()
    with pytest.raises(wasm_rpath.Error) as e:
        wasm_rpath.edit(ext, set_rpath="/a", add_rpath="/b")
    assert e.value.code == "invalid_argument"
    assert "cannot be combined" in e.value.message
    with pytest.raises(wasm_rpath.Error) as e:
        wasm_rpath.edit(ext, add_needed=[""])
    assert e.value.code == "invalid_argument"
    with pytest.raises(wasm_rpath.Error) as e:
        wasm_rpath.edit(ext, set_rpath=["a\0b"])
    assert e.value.code == "invalid_argument"
    with pytest.raises(wasm_rpath.Error) as e:
        wasm_rpath.edit(ext, set_rpath="/a", place="nowhere")
    assert e.value.code == "invalid_argument"
    assert ext.read_bytes() == original
    with pytest.raises(TypeError):
        wasm_rpath.read(12)


def test_ldd_is_wasm_ldds_document(modules, build):
    foo, ext = modules
    wasm_rpath.edit(ext, set_rpath="$ORIGIN/lib")
    doc = wasm_rpath.ldd([ext], root=ext.parent)
    tool = json.loads(build.tool("wasm-ldd", "--json", "--root", str(ext.parent),
                                 str(ext)).stdout)
    assert doc == tool
    assert [lib["path"] for lib in doc["libraries"]] == ["/ext.so", "/lib/libfoo.so"]
    assert doc["hazards"] == []


def test_ldd_bad_loader(modules):
    _, ext = modules
    with pytest.raises(wasm_rpath.Error) as e:
        wasm_rpath.ldd(ext, loader="nonsense")
    assert "nonsense" in e.value.message


WHEEL = "pkg-1.0-cp314-cp314-pyemscripten_2026_0_wasm32.whl"


def test_wheel_show_and_repair_match_the_tool(modules, build, tmp_path):
    foo, ext = modules
    whl = build.wheel(f"in/{WHEEL}", "pkg", "1.0",
                      {"pkg/__init__.py": "/dev/null", "pkg/_ext.so": ext})
    libdir = foo.parent.parent
    plan = wasm_rpath.wheel.show(whl, libdir=libdir)
    tool = json.loads(build.tool("wasm-auditwheel", "show", "--json", "-L", str(libdir),
                                 str(whl)).stdout)[0]
    assert plan == tool
    out = tmp_path / "out" / WHEEL
    out.parent.mkdir()
    env = {**os.environ, "SOURCE_DATE_EPOCH": "1700000000"}
    res = wasm_rpath.wheel.repair(whl, out, libdir=libdir, source_date_epoch=1700000000)
    assert res["changed"] is True and res["output"] == str(out)
    ref = tmp_path / "ref"
    run([TOOLS / "wasm-auditwheel", "repair", "-L", libdir, "-w", ref, whl], env=env)
    assert out.read_bytes() == (ref / WHEEL).read_bytes()


def test_wheel_repair_missing_library(modules, build, tmp_path):
    _, ext = modules
    whl = build.wheel(f"in/{WHEEL}", "pkg", "1.0", {"pkg/_ext.so": ext})
    out = tmp_path / "out.whl"
    with pytest.raises(wasm_rpath.Error) as e:
        wasm_rpath.wheel.repair(whl, out)
    assert "libfoo.so" in e.value.message
    assert not out.exists()
