"""Type hints of wasm_rpath (see __init__.py and docs/python.md)."""

import os
from typing import Any, Iterable, Mapping, Optional, Sequence, Union

from . import wheel as wheel
from ._error import Error as Error
from ._native import SideModule as SideModule

__version__: str

_Path = Union[str, os.PathLike[str]]
_Entries = Union[str, Sequence[str]]

def read(path_or_bytes: Union[_Path, bytes, bytearray, memoryview], *,
         shared_only: bool = ...) -> SideModule:
    """Reads a module (dylink.0, rpath.0; symbols on first use)."""

def edit(
    path: _Path,
    *,
    set_rpath: Optional[_Entries] = ...,
    add_rpath: Optional[_Entries] = ...,
    remove_rpath: bool = ...,
    add_needed: Optional[Iterable[str]] = ...,
    remove_needed: Optional[Iterable[str]] = ...,
    replace_needed: Union[Mapping[str, str], Iterable[tuple[str, str]], None] = ...,
    output: Optional[_Path] = ...,
    place: str = ...,
) -> bool:
    """Edits a module as wasm-set-rpath does; returns whether it changed."""

def ldd(
    paths: Union[_Path, bytes, Iterable[Union[_Path, bytes]]],
    *,
    loader: str = ...,
    root: Optional[_Path] = ...,
    main_module: Optional[_Path] = ...,
    library_path: Optional[_Entries] = ...,
    main_glue: Optional[_Path] = ...,
    rpath_section: str = ...,
    cwd: Optional[str] = ...,
    allow_duplicate: Iterable[str] = ...,
    auto_root: bool = ...,
    preload: Iterable[Union[_Path, bytes]] = ...,
) -> dict[str, Any]:
    """The document wasm-ldd --json prints, made in process (no GIL held);
    an input's own problem is in its "error", a whole-run error raises
    Error."""
