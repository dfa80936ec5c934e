"""The type hints say the truth: every function of __init__.pyi and
_native.pyi exists with the same parameters (names, order, keyword-only,
which have defaults) as the module it describes, and the module's public
functions are all in the stub. (No type checker is packaged here.)"""

from __future__ import annotations

import ast
import inspect
import re

import wasm_rpath
from wasm_rpath import _native
from conftest import SOURCE

PACKAGE = SOURCE / "python" / "wasm_rpath"


def stub_functions(name):
    tree = ast.parse((PACKAGE / name).read_text())
    out = {}
    for node in tree.body:
        if isinstance(node, ast.FunctionDef):
            a = node.args
            positional = a.posonlyargs + a.args
            with_default = {p.arg for p in positional[len(positional) - len(a.defaults):]}
            with_default |= {p.arg for p, d in zip(a.kwonlyargs, a.kw_defaults) if d}
            out[node.name] = ([p.arg for p in positional], [p.arg for p in a.kwonlyargs],
                              with_default)
    return out


def test_init_stub_matches_the_package():
    stubs = stub_functions("__init__.pyi")
    public = {n for n in wasm_rpath.__all__ if inspect.isfunction(getattr(wasm_rpath, n))}
    assert set(stubs) == public
    for name, (positional, keyword, with_default) in stubs.items():
        sig = inspect.signature(getattr(wasm_rpath, name))
        real_pos = [p.name for p in sig.parameters.values()
                    if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
        real_kw = [p.name for p in sig.parameters.values() if p.kind == p.KEYWORD_ONLY]
        real_default = {p.name for p in sig.parameters.values()
                        if p.default is not p.empty}
        assert (positional, keyword, with_default) == (real_pos, real_kw, real_default), name


def test_native_stub_matches_the_extension():
    stubs = stub_functions("_native.pyi")
    real = {n for n in dir(_native) if not n.startswith("_")
            and callable(getattr(_native, n)) and not inspect.isclass(getattr(_native, n))}
    assert set(stubs) == real
    for name, (positional, _, _) in stubs.items():
        # pybind11 puts the signature on the docstring's first line.
        first = getattr(_native, name).__doc__.lstrip().splitlines()[0]
        args = re.match(rf"{name}\((.*)\) ->", first).group(1)
        names = re.findall(r"(?:^|, )(\w+):", args)
        assert names == positional, (name, first)
