"""Type hints of the extension module (python/src/module.cpp)."""

from typing import Optional, Sequence, Union

__version__: str

class SideModule:
    """A WebAssembly module's dynamic-linking data."""

    @property
    def path(self) -> Optional[str]: ...
    @property
    def dylink_section(self) -> str: ...
    @property
    def needed(self) -> list[str]: ...
    @property
    def runtime_path(self) -> Optional[list[str]]: ...
    @property
    def rpath0(self) -> Optional[list[str]]: ...
    @property
    def exports(self) -> list[tuple[str, str]]: ...
    @property
    def imports(self) -> list[tuple[str, str]]: ...
    @property
    def is_main_module(self) -> bool: ...
    @property
    def size(self) -> int: ...

def read(input: Union[str, bytes, bytearray, memoryview], shared_only: bool = ...) -> SideModule: ...
def edit(
    path: str,
    set_rpath: Union[str, Sequence[str], None],
    add_rpath: Union[str, Sequence[str], None],
    remove_rpath: bool,
    add_needed: Sequence[str],
    remove_needed: Sequence[str],
    replace_needed: Sequence[tuple[str, str]],
    output: Optional[str],
    place: str,
) -> bool: ...
_Name = Union[str, bytes]

def ldd(
    paths: Sequence[_Name],
    loader: str,
    root: Optional[_Name],
    main_module: Optional[_Name],
    main_glue: Optional[_Name],
    library_path: Union[_Name, Sequence[_Name], None],
    rpath_section: str,
    cwd: Optional[str],
    allow_duplicate: Sequence[str],
    auto_root: bool,
    preload: Sequence[tuple[bytes, bool]],
) -> str: ...
def split_search_path(path: str) -> list[str]: ...
def wheel_plan(
    wheel: str,
    output: Optional[str],
    libdir: Sequence[str],
    exclude: Sequence[str],
    no_mangle: Sequence[str],
    no_mangle_all: bool,
    lib_sdir: str,
    rpath_section: str,
    level: int,
    source_date_epoch: Optional[int],
    main_module: Optional[str],
    record_check: str,
) -> str: ...
