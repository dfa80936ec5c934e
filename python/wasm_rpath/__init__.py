"""wasm_rpath: run-time search paths and NEEDED lists of WebAssembly side
modules (the .so files of Pyodide wheels), from Python.

A native binding of the wasm-rpath library: ``read()`` a module, ``edit()``
it as wasm-set-rpath does (atomically, leaving every byte it does not
change alone), ``ldd()`` it as wasm-ldd does, and show or repair wheels
(``wasm_rpath.wheel``). Failures raise ``wasm_rpath.Error``. The GIL is
released while the library works, calls from several threads are safe, and
nothing installs signal handlers in the interpreter.

``wasm_rpath.auditwheel_emscripten`` is a drop-in for the functions that
pyodide-build calls from auditwheel-emscripten. See docs/python.md.
"""

from __future__ import annotations

import json as _json
import os as _os
from typing import Iterable, Mapping, Sequence, Union

from ._error import Error
from . import _native
from ._native import SideModule

__version__: str = _native.__version__

__all__ = ["Error", "SideModule", "read", "edit", "ldd", "wheel", "__version__"]

PathLike = Union[str, "_os.PathLike[str]"]


def _fspath(p: PathLike) -> str:
    p = _os.fspath(p)
    if isinstance(p, bytes):
        p = _os.fsdecode(p)
    return p


def read(path_or_bytes, *, shared_only: bool = True) -> SideModule:
    """Reads a module from a path or from a bytes-like object.

    Only what the library decodes is read: the section headers, dylink.0
    and rpath.0 at once, the export and import sections on first use of
    ``exports``, ``imports`` or ``is_main_module``. Bytes are not copied
    (the object stays referenced, and a bytearray cannot be resized, while
    the result lives); a file stays mapped while the result lives.

    Raises ``Error`` for input that is not a well-formed module
    (code "malformed"), or, with ``shared_only`` (the default), for a module
    without a dylink.0 section (code "not_shared_library").
    """
    if isinstance(path_or_bytes, str) or hasattr(path_or_bytes, "__fspath__"):
        path_or_bytes = _fspath(path_or_bytes)
    return _native.read(path_or_bytes, shared_only)


def _path_arg(value):
    if value is None or isinstance(value, str):
        return value
    return [str(v) for v in value]


def edit(
    path: PathLike,
    *,
    set_rpath: str | Sequence[str] | None = None,
    add_rpath: str | Sequence[str] | None = None,
    remove_rpath: bool = False,
    add_needed: Iterable[str] | None = None,
    remove_needed: Iterable[str] | None = None,
    replace_needed: Mapping[str, str] | Iterable[tuple[str, str]] | None = None,
    output: PathLike | None = None,
    place: str = "both",
) -> bool:
    """Edits the module at ``path`` as one wasm-set-rpath call would.

    ``set_rpath``/``add_rpath`` take a patchelf-style path ("a:b", split at
    ':') or a sequence of entries, stored verbatim. At most one run-time path
    operation; NEEDED edits apply after it (patchelf's order). ``place`` is
    where the run-time path is written: "dylink" (RUNTIME_PATH), "rpath.0"
    or "both". The result is written atomically to ``output``, else over
    ``path``, and only if something changed (or ``output`` is given); bytes
    not edited are kept as they were. Returns whether the module changed.

    Raises ``Error`` (nothing written) for bad input or arguments.
    """
    if isinstance(replace_needed, Mapping):
        pairs = list(replace_needed.items())
    else:
        pairs = [tuple(p) for p in (replace_needed or ())]
    return _native.edit(
        _fspath(path),
        _path_arg(set_rpath),
        _path_arg(add_rpath),
        bool(remove_rpath),
        list(add_needed or ()),
        list(remove_needed or ()),
        pairs,
        None if output is None else _fspath(output),
        place,
    )


def ldd(
    paths: PathLike | bytes | Iterable[PathLike | bytes],
    *,
    loader: str = "pyodide",
    root: PathLike | None = None,
    main_module: PathLike | None = None,
    library_path: str | Sequence[str] | None = None,
    main_glue: PathLike | None = None,
    rpath_section: str = "dylink",
    cwd: str | None = None,
    allow_duplicate: Iterable[str] = (),
    auto_root: bool = True,
    preload: Iterable[PathLike | bytes] = (),
) -> dict:
    """How a loader resolves and loads ``paths`` (modules, directories of
    modules, wheels), as one process loading all of them: the document
    ``wasm-ldd --json`` prints (docs/wasm-ldd.schema.json), made in process
    by the same library calls, without the GIL.

    A name may be bytes (a file name that is not UTF-8 is written "\\xHH",
    as the tool writes it). The keywords are wasm-ldd's options:
    ``loader`` ("pyodide", "emscripten" or "wasmer"), ``root`` (the
    loader's "/", a host directory; default "/"), ``main_module`` and
    ``main_glue``,
    ``library_path`` (LD_LIBRARY_PATH: a string is split at ':', a sequence
    is taken verbatim; default: the loader's), ``rpath_section`` ("dylink"
    or "rpath.0"), ``cwd``, ``allow_duplicate`` (globs), ``auto_root``
    (False is --no-auto-root) and ``preload`` (``--preload``, in order:
    each a str "[NAME=]PATH" as on the command line, or bytes or an
    os.PathLike, which are a path ('=' and all): a library that Emscripten's
    ``Module.dynamicLibraries`` loads at start-up and registers under NAME,
    by default the file's name; one string is one entry). The hazards that
    ``--check`` judges are always in the document ("hazards", "resolved",
    each module's "status").

    A problem with one input (a missing or malformed file, a file outside
    the root) is in that input's "error", as in the tool's document. Raises
    ``Error`` for an error of the whole run: the root is not a directory,
    the main module or its glue cannot be read, no paths, an unknown loader
    or a bad argument such as a preload with an empty NAME (code
    "invalid_argument").
    """
    # File names go down as bytes (os.fsencode), so that a name that is not
    # UTF-8 reaches the library as it is, which writes it as the tool does.
    def name(p):
        return None if p is None else _os.fsencode(p)

    if isinstance(paths, (str, bytes)) or hasattr(paths, "__fspath__"):
        paths = [paths]
    if isinstance(library_path, (str, bytes)) or hasattr(library_path, "__fspath__"):
        library_path = name(library_path)
    elif library_path is not None:
        library_path = [name(e) for e in library_path]
    if isinstance(allow_duplicate, str):
        allow_duplicate = [allow_duplicate]
    if isinstance(preload, (str, bytes)) or hasattr(preload, "__fspath__"):
        preload = [preload]
    text = _native.ldd(
        [name(p) for p in paths],
        loader,
        name(root),
        name(main_module),
        name(main_glue),
        library_path,
        rpath_section,
        cwd,
        list(allow_duplicate),
        bool(auto_root),
        # A str is "[NAME=]PATH", as on the command line; bytes and
        # os.PathLike are a path, '=' and all.
        [(name(p), isinstance(p, str)) for p in preload],
    )
    return _json.loads(text)


from . import wheel  # noqa: E402  (needs the names above)
