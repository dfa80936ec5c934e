"""wasm_rpath.auditwheel_emscripten: the functions pyodide-build calls from
auditwheel-emscripten 0.2, with their signatures and semantics, judged by
Pyodide loading the result."""

from __future__ import annotations

import inspect
import zipfile
from pathlib import Path

import pytest

import wasm_rpath
from wasm_rpath import auditwheel_emscripten as awe
from wasm_rpath.auditwheel_emscripten.wheel_utils import WHEEL_INFO_RE
from conftest import pyodide_run

BAR = "int bar(void) { return 3; }\n"
FOO = "int bar(void);\nint foo_version(void) { return bar() + 4; }\n"
EXT = "int foo_version(void);\nint ext_call(void) { return foo_version() * 10; }\n"
WHEEL = "pkg-1.0-cp314-cp314-pyemscripten_2026_0_wasm32.whl"
SP = "/lib/python3.14/site-packages"
CALL = f'import ctypes; print(ctypes.CDLL("{SP}/pkg/_ext.so").ext_call())'


def test_signatures_are_auditwheel_emscriptens():
    def params(f):
        return [(p.name, p.default) for p in inspect.signature(f).parameters.values()
                if p.kind is not p.KEYWORD_ONLY]
    E = inspect.Parameter.empty
    assert params(awe.resolve_sharedlib) == [("wheel_file", E), ("libdir", E)]
    assert params(awe.copylib) == [("wheel_extract_dir", E), ("dep_map", E), ("dest_dir", E)]
    assert params(awe.modify_runtime_path) == [("wheel_extract_dir", E), ("runtime_path", E)]
    assert params(awe.show) == [("wheel_or_so_file", E)]
    assert params(awe.get_exports) == [("wheel_or_so_file", E)]
    assert params(awe.get_imports) == [("wheel_or_so_file", E)]
    assert params(awe.repair) == [("wheel_file", E), ("libdir", E), ("outdir", E),
                                  ("lib_sdir", ".libs"), ("modify_rpath", True)]


@pytest.mark.parametrize("name,groups", [
    ("numpy-1.26.4-cp312-cp312-pyodide_2024_0_wasm32.whl",
     dict(namever="numpy-1.26.4", name="numpy", ver="1.26.4", build=None,
          pyver="cp312", abi="cp312", plat="pyodide_2024_0_wasm32")),
    ("pkg-1.0-2-py3-none-any.whl",
     dict(name="pkg", ver="1.0", build="2", pyver="py3", abi="none", plat="any")),
    ("shapely-2.0.1-cp311-cp311-emscripten_3_1_45_wasm32.dist-info",
     dict(name="shapely", plat="emscripten_3_1_45_wasm32")),
])
def test_wheel_info_re(name, groups):
    m = WHEEL_INFO_RE.match(name)
    assert m is not None
    for k, v in groups.items():
        assert m.group(k) == v


def test_wheel_info_re_rejects():
    assert WHEEL_INFO_RE.match("notawheel.whl") is None
    assert WHEEL_INFO_RE.match("pkg-1.0-cp311-cp311-linux.tar.gz") is None


@pytest.fixture
def tree(build):
    """libdir/libbar.so <- libdir/lib/libfoo.so <- pkg/_ext.so, and the
    wheel of pkg unpacked as pyodide-build has it."""
    bar = build.side_module("libdir/libbar.so", BAR)
    foo = build.side_module("libdir/lib/libfoo.so", FOO, bar)
    ext = build.side_module("ext.so", EXT, foo)
    whl = build.wheel(f"in/{WHEEL}", "pkg", "1.0",
                      {"pkg/__init__.py": "/dev/null", "pkg/_ext.so": ext})
    wheel_dir = build.tmp / "pkg-1.0"
    with zipfile.ZipFile(whl) as z:
        z.extractall(wheel_dir)
    return build.tmp / "libdir", whl, wheel_dir


def test_resolve_sharedlib_keys_are_bare_needed_names(tree):
    libdir, whl, wheel_dir = tree
    deps = awe.resolve_sharedlib(wheel_dir, libdir)
    assert isinstance(deps, dict)
    assert set(deps) == {"libfoo.so", "libbar.so"}
    assert deps["libfoo.so"].resolve() == (libdir / "lib" / "libfoo.so").resolve()
    assert deps["libbar.so"].resolve() == (libdir / "libbar.so").resolve()
    assert all(isinstance(p, Path) for p in deps.values())
    # A packed wheel gives the same.
    assert set(awe.resolve_sharedlib(whl, libdir)) == {"libfoo.so", "libbar.so"}


def test_resolve_sharedlib_pic_dir(build):
    foo = build.side_module("sysroot/lib/wasm32-emscripten/pic/libfoo.so", "int foo_version(void){return 1;}\n")
    ext = build.side_module("ext.so", EXT, foo)
    d = build.tmp / "w"
    with zipfile.ZipFile(build.wheel(WHEEL, "pkg", "1.0", {"pkg/_ext.so": ext})) as z:
        z.extractall(d)
    assert awe.resolve_sharedlib(d, build.tmp / "sysroot") == {"libfoo.so": foo}


def test_resolve_sharedlib_missing_raises_runtimeerror(tree):
    libdir, whl, wheel_dir = tree
    (libdir / "libbar.so").unlink()
    with pytest.raises(RuntimeError) as e:
        awe.resolve_sharedlib(wheel_dir, libdir)
    assert "libbar.so" in str(e.value) and "libfoo.so" in str(e.value)


def test_resolve_after_so_renamed(tree):
    """pyodide-build renames extension modules (ABI tags) before
    copy_sharedlibs, so RECORD no longer matches the directory."""
    libdir, whl, wheel_dir = tree
    (wheel_dir / "pkg/_ext.so").rename(wheel_dir / "pkg/_ext.cpython-314-wasm32-emscripten.so")
    assert set(awe.resolve_sharedlib(wheel_dir, libdir)) == {"libfoo.so", "libbar.so"}


def test_show_get_exports_get_imports(tree):
    libdir, whl, wheel_dir = tree
    shown = awe.show(wheel_dir)
    assert shown == {"pkg/_ext.so": (["libfoo.so"], [])}
    assert awe.show(whl) == shown
    one = libdir / "lib" / "libfoo.so"
    assert awe.show(one) == {str(one): (["libbar.so"], [])}
    exports = awe.get_exports(one)[str(one)]
    assert awe.Export("foo_version", "function") in exports
    imports = awe.get_imports(one)[str(one)]
    assert awe.Import("bar", "function") in imports
    with pytest.raises(RuntimeError):
        awe.show(wheel_dir / "nope.so")
    with pytest.raises(RuntimeError):
        awe.show(wheel_dir / "pkg" / "__init__.py")


def copy_sharedlibs(wheel_file: Path, wheel_dir: Path, lib_dir: Path,
                    modify_rpath=False, mangle=False):
    """pyodide-build's copy_sharedlibs, as it calls auditwheel-emscripten,
    with the import line switched to wasm_rpath's drop-in."""
    from wasm_rpath.auditwheel_emscripten import copylib, modify_runtime_path, resolve_sharedlib
    from wasm_rpath.auditwheel_emscripten.wheel_utils import WHEEL_INFO_RE

    match = WHEEL_INFO_RE.match(wheel_file.name)
    if match is None:
        raise RuntimeError(f"Failed to parse wheel file name: {wheel_file.name}")
    dep_map = resolve_sharedlib(wheel_dir, lib_dir)
    lib_sdir = match.group("name") + ".libs"
    if dep_map:
        dep_map_new = copylib(wheel_dir, dep_map, lib_sdir, **({"mangle": True} if mangle else {}))
        if modify_rpath:
            modify_runtime_path(wheel_dir, lib_sdir)
        return dep_map_new
    return {}


def pack(build, wheel_dir: Path, out: str) -> Path:
    members = {p.relative_to(wheel_dir).as_posix(): p for p in sorted(wheel_dir.rglob("*"))
               if p.is_file() and ".dist-info" not in p.relative_to(wheel_dir).parts[0]}
    return build.wheel(out, "pkg", "1.0", members)


def test_copylib_returns_the_same_keys(tree):
    libdir, whl, wheel_dir = tree
    new = copy_sharedlibs(whl, wheel_dir, libdir, modify_rpath=True)
    assert set(new) == {"libfoo.so", "libbar.so"}
    assert new["libfoo.so"] == wheel_dir / "pkg.libs" / "libfoo.so"
    assert new["libfoo.so"].read_bytes() != b""
    assert wasm_rpath.read(wheel_dir / "pkg/_ext.so").runtime_path == ["$ORIGIN/../pkg.libs"]
    assert wasm_rpath.read(new["libfoo.so"]).runtime_path == ["$ORIGIN"]
    assert wasm_rpath.read(new["libfoo.so"]).needed == ["libbar.so"]


def test_copylib_mangle_opt_in(tree):
    libdir, whl, wheel_dir = tree
    new = copy_sharedlibs(whl, wheel_dir, libdir, modify_rpath=True, mangle=True)
    assert set(new) == {"libfoo.so", "libbar.so"}
    assert new["libfoo.so"].name.startswith("libfoo-") and new["libfoo.so"].name.endswith(".so")
    assert wasm_rpath.read(wheel_dir / "pkg/_ext.so").needed == [new["libfoo.so"].name]
    assert wasm_rpath.read(new["libfoo.so"]).needed == [new["libbar.so"].name]


@pytest.mark.pyodide
@pytest.mark.parametrize("mangle", [False, True])
def test_copy_sharedlibs_flow_loads_in_pyodide(tree, build, mangle):
    libdir, whl, wheel_dir = tree
    # Negative control: as built, Pyodide cannot load it.
    r = pyodide_run("--wheel", whl, "--code", CALL, check=False)
    assert r.returncode != 0 and "libfoo.so" in r.stderr
    copy_sharedlibs(whl, wheel_dir, libdir, modify_rpath=True, mangle=mangle)
    repaired = pack(build, wheel_dir, f"out/{WHEEL}")
    r = pyodide_run("--wheel", repaired, "--code", CALL, check=False)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "70"


@pytest.mark.pyodide
def test_repair_loads_in_pyodide(tree, build):
    libdir, whl, wheel_dir = tree
    out = awe.repair(whl, libdir, build.tmp / "repaired")
    assert out == build.tmp / "repaired" / WHEEL
    with zipfile.ZipFile(out) as z:
        assert "pkg.libs/libfoo.so" in z.namelist()
    r = pyodide_run("--wheel", out, "--code", CALL, check=False)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "70"
