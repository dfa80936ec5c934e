"""Whole Pyodide wheels, as wasm-auditwheel show and repair see them."""

from __future__ import annotations

import json as _json
import os as _os
from typing import Iterable, Sequence

from . import _native


def _plan(wheel, output, libdir, exclude, no_mangle, no_mangle_all, lib_sdir,
          rpath_section, level, source_date_epoch, main_module, record_check):
    if isinstance(libdir, (str, bytes)) or hasattr(libdir, "__fspath__"):
        libdir = [libdir]
    if source_date_epoch is None and "SOURCE_DATE_EPOCH" in _os.environ:
        source_date_epoch = int(_os.environ["SOURCE_DATE_EPOCH"])
    text = _native.wheel_plan(
        _os.fspath(wheel),
        None if output is None else _os.fspath(output),
        [_os.fspath(d) for d in libdir],
        list(exclude),
        list(no_mangle),
        bool(no_mangle_all),
        lib_sdir,
        rpath_section,
        int(level),
        source_date_epoch,
        None if main_module is None else _os.fspath(main_module),
        record_check,
    )
    return _json.loads(text)


def show(
    wheel,
    *,
    libdir: Iterable = (),
    exclude: Sequence[str] = (),
    no_mangle: Sequence[str] = (),
    no_mangle_all: bool = False,
    lib_sdir: str = ".libs",
    rpath_section: str = "both",
    main_module=None,
) -> dict:
    """What ``wasm-auditwheel show --json`` says of one wheel: for every
    side module, how each NEEDED library resolves once the wheel is
    installed in Pyodide, and what repair would change. Reads the wheel
    without unpacking it. Raises ``wasm_rpath.Error``."""
    return _plan(wheel, None, libdir, exclude, no_mangle, no_mangle_all,
                 lib_sdir, rpath_section, 6, None, main_module, "full")


def repair(
    wheel,
    output,
    *,
    libdir: Iterable = (),
    exclude: Sequence[str] = (),
    no_mangle: Sequence[str] = (),
    no_mangle_all: bool = False,
    lib_sdir: str = ".libs",
    rpath_section: str = "both",
    level: int = 6,
    source_date_epoch: int | None = None,
    main_module=None,
    record_check: str = "full",
) -> dict:
    """``wasm-auditwheel repair``: writes the repaired wheel to the file
    ``output`` (atomically; the input is read, never modified in place
    unless ``output`` names it) and returns the plan, as ``show`` does, with
    ``output`` and ``changed``. Vendored libraries go to ``<dist><lib_sdir>/``,
    renamed with a digest of their content unless ``no_mangle`` matches them
    (or ``no_mangle_all``). Raises ``wasm_rpath.Error`` (nothing written) if
    RECORD does not match, a library is missing, or an argument is bad."""
    return _plan(wheel, output, libdir, exclude, no_mangle, no_mangle_all,
                 lib_sdir, rpath_section, level, source_date_epoch,
                 main_module, record_check)
