"""A drop-in for the parts of auditwheel-emscripten 0.2 that pyodide-build
calls, on the wasm-rpath library.

pyodide-build switches by changing one import line::

    from wasm_rpath.auditwheel_emscripten import copylib, modify_runtime_path, resolve_sharedlib
    from wasm_rpath.auditwheel_emscripten.wheel_utils import WHEEL_INFO_RE

Same signatures, return types and key semantics as auditwheel-emscripten
0.2 (docs/python.md lists the differences). Which libraries a wheel lacks,
and where they are found, is decided by the library's wheel analysis (the
one behind ``wasm-auditwheel show``): a library the installed wheel already
provides is not copied again.

Opt-in, what auditwheel-emscripten lacks: ``copylib(..., mangle=True)``
and ``repair(..., mangle=True)`` vendor each library under a name with a
digest of its content (``libfoo-1a2b3c4d.so``), which nothing installed
elsewhere can shadow, and rewrite the NEEDED entries that name it; the
keys of the returned maps stay the bare NEEDED names.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
import zipfile
from collections import namedtuple
from pathlib import Path

from .. import Error, edit, read
from .. import wheel as _wheel
from .wheel_utils import WHEEL_INFO_RE

__all__ = [
    "resolve_sharedlib",
    "copylib",
    "modify_runtime_path",
    "show",
    "repair",
    "get_exports",
    "get_imports",
    "Export",
    "Import",
]

Export = namedtuple("Export", ["name", "kind"])
Export.__doc__ = "A symbol a module defines: kind is 'function' or 'data'."
Import = namedtuple("Import", ["name", "kind"])
Import.__doc__ = ("A symbol a module binds by name: kind is 'function', "
                  "'data_address' (GOT.mem) or 'function_address' (GOT.func).")

# The files auditwheel-emscripten treats as shared libraries (its
# sharedlib_regex): *.so, *.so.N..., *.wasm.
_SHARED_LIB_RE = re.compile(r"(\.so(\.\d+)*|\.wasm)$")


class DependencyMap(dict):
    """resolve_sharedlib()'s result: bare NEEDED name -> library found.

    A dict, as auditwheel-emscripten returns; ``plan`` is the library's
    repair plan behind it (``wasm-auditwheel show --json``), from which
    ``copylib(..., mangle=True)`` takes the digest names."""

    plan: dict

    def mangled_name(self, name: str) -> str:
        for module in self.plan.get("modules", []):
            for r in module.get("needed", []):
                if r.get("name") == name and r.get("new_name"):
                    return r["new_name"]
        return name


def _libdirs(libdir) -> list[str]:
    # The library searches DIR, DIR/lib, DIR/lib/wasm32-emscripten/pic and
    # DIR/lib/wasm32-emscripten, as pyodide-build lays out WASM_LIBRARY_DIR.
    return [str(libdir)]


def _shared_libs(directory: Path) -> list[Path]:
    return sorted(p for p in directory.glob("**/*")
                  if p.is_file() and _SHARED_LIB_RE.search(p.name))


def _wheel_name_of_dir(directory: Path) -> str:
    """The file name of the wheel an unpacked wheel directory packs into
    (from its .dist-info and the first Tag of its WHEEL file)."""
    infos = sorted(directory.glob("*.dist-info"))
    if not infos:
        raise RuntimeError(f"no .dist-info directory in {directory}")
    namever = infos[0].name[: -len(".dist-info")]
    tag = None
    wheel_meta = infos[0] / "WHEEL"
    if wheel_meta.is_file():
        for line in wheel_meta.read_text(encoding="utf-8").splitlines():
            if line.startswith("Tag:"):
                tag = line.split(":", 1)[1].strip()
                break
    if tag is None:
        raise RuntimeError(f"no Tag in {wheel_meta}")
    return f"{namever}-{tag}.whl"


def _zip_dir(directory: Path, dest: Path) -> Path:
    """Packs an unpacked wheel as it is (members stored), for the library,
    which reads wheels without unpacking them."""
    out = dest / _wheel_name_of_dir(directory)
    with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as z:
        for p in sorted(directory.rglob("*")):
            if p.is_file():
                z.write(p, p.relative_to(directory).as_posix())
    return out


def _plan_for(wheel_file, libdir) -> dict:
    path = Path(wheel_file)
    if not path.exists():
        raise RuntimeError(f"no such file: {path}")
    if path.is_dir():
        with tempfile.TemporaryDirectory() as tmp:
            packed = _zip_dir(path, Path(tmp))
            return _wheel.show(packed, libdir=_libdirs(libdir), no_mangle_all=False)
    return _wheel.show(path, libdir=_libdirs(libdir), no_mangle_all=False)


def resolve_sharedlib(wheel_file: str | Path, libdir: str | Path) -> dict[str, Path]:
    """The libraries that the side modules of a wheel (an unpacked wheel
    directory, or a .whl) need, transitively, and that the wheel lacks:
    bare NEEDED name -> the file found in ``libdir`` (or ``libdir/lib``,
    ``libdir/lib/wasm32-emscripten/pic``, ``libdir/lib/wasm32-emscripten``).

    Raises RuntimeError naming the library and the module that needs it
    when one is found nowhere."""
    plan = _plan_for(wheel_file, libdir)
    sources = {m["member"]: m.get("source") for m in plan["modules"]
               if m.get("vendored")}
    result = DependencyMap()
    result.plan = plan
    missing = []
    for module in plan["modules"]:
        for r in module["needed"]:
            if r["status"] == "vendor":
                result.setdefault(r["name"], Path(sources[r["member"]]))
            elif r["status"] == "not_found":
                needer = module.get("source") or module["member"]
                missing.append(f"Cannot find a library: {r['name']} "
                               f"(required by {needer})")
    if missing:
        raise RuntimeError("\n".join(missing))
    return result


def copylib(wheel_extract_dir: str | Path, dep_map: dict[str, Path],
            dest_dir: str, *, mangle: bool = False) -> dict[str, Path]:
    """Copies the libraries of ``dep_map`` into ``wheel_extract_dir/dest_dir``
    and returns bare NEEDED name -> new path (the keys of ``dep_map``).

    With ``mangle`` (``dep_map`` from resolve_sharedlib()), each library is
    copied under its digest name and the NEEDED entries of every shared
    library of the directory that name it are rewritten."""
    lib_dir = Path(wheel_extract_dir) / dest_dir
    lib_dir.mkdir(parents=True, exist_ok=True)
    renames = {}
    new_map = {}
    for name, source in dep_map.items():
        new_name = name
        if mangle:
            if not isinstance(dep_map, DependencyMap):
                raise TypeError("copylib(mangle=True) needs the map that "
                                "resolve_sharedlib() returns")
            new_name = dep_map.mangled_name(name)
            if new_name != name:
                renames[name] = new_name
        target = lib_dir / new_name
        shutil.copy(source, target)
        new_map[name] = target
    if renames:
        for lib in _shared_libs(Path(wheel_extract_dir)):
            edit(lib, replace_needed=renames)
    return new_map


def modify_runtime_path(wheel_extract_dir: str | Path, runtime_path: str) -> None:
    """Sets the RUNTIME_PATH of every shared library in the unpacked wheel
    to the one entry that leads from it to ``wheel_extract_dir/runtime_path``
    ("$ORIGIN" or "$ORIGIN/<relative path>"), replacing what it had, as
    auditwheel-emscripten does. Raises AssertionError if that directory does
    not exist, wasm_rpath.Error for a file that is not a side module."""
    root = Path(wheel_extract_dir)
    target = root / runtime_path
    assert target.exists(), f"lib directory not found: {target}"
    for lib in _shared_libs(root):
        rel = os.path.relpath(target.resolve(), lib.resolve().parent)
        entry = "$ORIGIN" if rel == "." else "$ORIGIN/" + Path(rel).as_posix()
        edit(lib, set_rpath=[entry], place="dylink")


def _members(wheel_or_so_file):
    """(key, module) for each shared library of a directory, a wheel or one
    file, keyed as auditwheel-emscripten keys them."""
    file = Path(wheel_or_so_file)
    if not file.exists():
        raise RuntimeError(f"no such file: {file}")
    if file.is_dir():
        for lib in _shared_libs(file):
            yield lib.relative_to(file).as_posix(), read(lib, shared_only=False)
    elif file.suffix in (".whl", ".zip"):
        with zipfile.ZipFile(file) as z:
            for info in z.infolist():
                if not info.is_dir() and _SHARED_LIB_RE.search(info.filename):
                    yield info.filename, read(z.read(info), shared_only=False)
    elif _SHARED_LIB_RE.search(file.name):
        yield str(file), read(file, shared_only=False)
    else:
        raise RuntimeError(f"unknown file type: {file}")


def show(wheel_or_so_file: str | Path) -> dict[str, tuple[list[str], list[str]]]:
    """NEEDED and RUNTIME_PATH of each shared library of a wheel (a .whl or
    an unpacked directory) or of one library."""
    return {key: (list(m.needed), list(m.runtime_path or []))
            for key, m in _members(wheel_or_so_file)}


def get_exports(wheel_or_so_file: str | Path) -> dict[str, list[Export]]:
    """The symbols each shared library defines for the loader."""
    return {key: [Export(*e) for e in m.exports]
            for key, m in _members(wheel_or_so_file)}


def get_imports(wheel_or_so_file: str | Path) -> dict[str, list[Import]]:
    """The symbols each shared library binds by name at load time."""
    return {key: [Import(*i) for i in m.imports]
            for key, m in _members(wheel_or_so_file)}


def repair(wheel_file: str | Path, libdir: str | Path,
           outdir: str | Path | None, lib_sdir: str = ".libs",
           modify_rpath: bool = True, *, mangle: bool = False) -> Path:
    """Repairs a wheel with the library (``wasm-auditwheel repair``):
    vendors what it lacks into ``<name><lib_sdir>/``, sets run-time paths,
    rewrites RECORD, and writes ``outdir/<same file name>`` (``outdir``
    None: next to the input, replacing it, atomically). Libraries keep
    their names unless ``mangle``. Returns the output's path."""
    file = Path(wheel_file)
    if not file.exists():
        raise RuntimeError(f"no such file: {file}")
    if WHEEL_INFO_RE.match(file.name) is None:
        raise RuntimeError(f"Failed to parse wheel file name: {file.name}")
    if not modify_rpath:
        raise NotImplementedError(
            "repair(modify_rpath=False): the library always sets run-time "
            "paths; use resolve_sharedlib() and copylib()")
    out = (file.parent if outdir is None else Path(outdir)) / file.name
    out.parent.mkdir(parents=True, exist_ok=True)
    _wheel.repair(file, out, libdir=_libdirs(libdir), lib_sdir=lib_sdir,
                  no_mangle_all=not mangle)
    return out
