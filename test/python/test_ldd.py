"""wasm_rpath.ldd(): the document of ``wasm-ldd --json``, made in process.

Each case runs the packaged tool on the same inputs with ``--json --check``
(the document is the same with or without --check; the exit status is the
verdict) and compares the whole document with ldd()'s. The cases cover
what --check judges: libraries resolved and missing, a symbol bound to
another module's definition (and the same with allow_duplicate), a wheel,
a bad file among the inputs, a main module, a name that is not UTF-8.
"""

from __future__ import annotations

import errno
import json
import os
import shutil
import subprocess
import sys

import pytest

import wasm_rpath
from conftest import INPUTS, STAGE, TOOLS

FOO = "int foo_version(void) { return 7; }\n"
EXT = "int foo_version(void);\nint ext_call(void) { return foo_version() * 10; }\n"
# Two versions of a library defining the same symbols, and a user that
# NEEDs the second (test/wasm-ldd/binding-rules.test): loaded after the
# first, its data binds to the first's definition (a symbol clash).
V = """
int dif_val = N;
int dif_fn(void) { return N; }
int v_only_N(void) { return N; }
"""
USER = """
extern int dif_val;
int dif_fn(void);
int (*fp)(void) = dif_fn;
int use(void) { return dif_val + dif_fn() + fp(); }
"""
WHEEL = "pkg-1.0-cp314-cp314-pyemscripten_2026_0_wasm32.whl"


def cli(*args):
    """wasm-ldd --json --check ARGS: (document, exit status, stderr)."""
    r = subprocess.run([str(TOOLS / "wasm-ldd"), "--json", "--check",
                        *[os.fsencode(a) if isinstance(a, (bytes, os.PathLike))
                          else a for a in args]],
                       capture_output=True)
    return json.loads(r.stdout.decode("utf-8")), r.returncode, r.stderr.decode()


@pytest.fixture
def tree(build, tmp_path):
    """lib/: libfoo, libv1, libv2, libuser (RUNTIME_PATH $ORIGIN), ext.so
    needing libfoo, orphan.so needing a library nowhere, bad.so (not wasm)."""
    lib = tmp_path / "lib"
    foo = build.side_module("lib/libfoo.so", FOO)
    build.side_module("lib/libv1.so", V, defines=["N=1"])
    v2 = build.side_module("lib/libv2.so", V, defines=["N=2"])
    build.side_module("lib/libuser.so", USER, v2)
    wasm_rpath.edit(lib / "libuser.so", set_rpath="$ORIGIN")
    ext = build.side_module("ext.so", EXT, foo)
    wasm_rpath.edit(ext, set_rpath="$ORIGIN/lib")
    gone = build.side_module("gone/libgone.so", "int gone(void) { return 1; }\n")
    build.side_module("orphan.so", "int gone(void);\nint o(void) { return gone(); }\n",
                      gone)
    (tmp_path / "bad.so").write_bytes(b"\x7fELF not a wasm module at all")
    return tmp_path


def same(paths, cli_args=(), **kw):
    """ldd(paths, **kw) and the tool's document on the same inputs; returns
    (document, the tool's exit status)."""
    doc = wasm_rpath.ldd(paths, **kw)
    ref, status, _ = cli(*cli_args, *paths)
    assert doc == ref
    return doc, status


def test_resolved_module(tree):
    doc, status = same([tree / "ext.so"], ["--root", tree], root=tree)
    assert status == 0
    assert [lib["path"] for lib in doc["libraries"]] == ["/ext.so", "/lib/libfoo.so"]
    assert doc["resolved"] is True and doc["hazards"] == []


def test_missing_library(tree):
    doc, status = same([tree / "orphan.so"], ["--root", tree], root=tree)
    assert status == 1  # --check fails
    assert doc["resolved"] is False
    [needed] = doc["libraries"][0]["needed"]
    assert needed["name"] == "libgone.so" and needed["via"] == "not_found"


def test_symbol_clash_and_allow_duplicate(tree):
    lib = tree / "lib"
    args = [lib / "libv1.so", lib / "libuser.so"]
    doc, status = same(args, ["--root", lib], root=lib)
    assert status == 1
    assert doc["resolved"] is True
    clash = [h for h in doc["hazards"] if h["module"] == "/libv2.so"]
    assert clash and "dif_val" in clash[0]["message"], doc["hazards"]
    # What the user judged safe is not reported, in both.
    doc, status = same(args, ["--root", lib, "--allow-duplicate", "dif_*"],
                       root=lib, allow_duplicate=["dif_*"])
    assert status == 0
    assert not [h for h in doc["hazards"] if h["module"] == "/libv2.so"]


def test_wheel_with_bad_file_and_directory(tree, build):
    whl = build.wheel(f"w/{WHEEL}", "pkg", "1.0",
                      {"pkg/__init__.py": "/dev/null",
                       "pkg/_ext.so": tree / "ext.so",
                       "pkg/_orphan.so": tree / "orphan.so"})
    inputs = [whl, tree / "bad.so", tree / "lib", tree / "missing.so"]
    doc, status = same(inputs, ["--library-path", tree / "lib"],
                       library_path=str(tree / "lib"))
    assert status == 1
    kinds = [(i["kind"], i["error"] is not None) for i in doc["inputs"]]
    assert kinds == [("wheel", False), ("module", True), ("directory", False),
                     ("module", True)]
    assert "bad.so" in doc["inputs"][1]["error"]
    wheel_mods = {m["path"]: m["status"] for m in doc["inputs"][0]["modules"]}
    assert len(wheel_mods) == 2
    # A sequence is taken verbatim, one entry each, as --library-path-entry.
    doc2, _ = same(inputs, ["--library-path-entry", tree / "lib"],
                   library_path=[tree / "lib"])
    assert doc2 == doc


def test_not_a_wheel(tree):
    fake = tree / WHEEL
    fake.write_bytes(b"PK\x03\x04 but not a zip")
    doc, status = same([fake], [])
    assert status == 1
    assert doc["inputs"][0]["kind"] == "wheel"
    assert doc["inputs"][0]["error"].startswith(f"'{fake}'")


def test_loaders_and_options(tree):
    ext = tree / "ext.so"
    for loader in ("emscripten", "wasmer"):
        same([ext], ["--root", tree, "--loader", loader], root=tree, loader=loader)
    same([ext], ["--root", tree, "--rpath-section", "rpath.0"], root=tree,
         rpath_section="rpath.0")
    same([ext], ["--root", tree, "--cwd", "/lib"], root=tree, cwd="/lib")
    # Inside the root (lddtree -R), and --no-auto-root refusing that.
    same(["/ext.so"], ["--root", tree], root=tree)
    doc, status = same(["/ext.so"], ["--root", tree, "--no-auto-root"], root=tree,
                       auto_root=False)
    assert status == 1 and doc["inputs"][0]["error"]


def test_main_module(tree, build):
    # Any module's exports can stand for a main module's: libuser's data
    # binds to the main module's dif_val, not to its libv2's.
    main = tree / "lib" / "libv1.so"
    doc, status = same([tree / "lib" / "libuser.so"],
                       ["--root", tree, "--main-module", main],
                       root=tree, main_module=main)
    # Reported, but no failure: the main module's exports bind first by
    # design (docs/wasm-ldd.md, main-module-clash).
    assert status == 0
    assert doc["main_module"] == str(main)
    assert [h["kind"] for h in doc["hazards"]] == ["main-module-clash"]


def test_name_not_utf8(tree, build):
    """A file name that is not UTF-8 comes out as the tool writes it
    ("\\xHH"), not as a replacement character."""
    odd = os.fsencode(tree) + b"/m\xff.so"
    with open(odd, "wb") as f:
        f.write((tree / "lib" / "libfoo.so").read_bytes())
    name = os.fsdecode(odd)
    doc = wasm_rpath.ldd(name)
    ref, status, _ = cli(odd)
    assert status == 0
    assert doc == ref
    assert doc["inputs"][0]["file"].endswith("/m\\xFF.so") or \
        doc["inputs"][0]["file"].endswith("/m\\xff.so")
    # bytes are accepted as well.
    assert wasm_rpath.ldd(odd) == ref


def test_whole_run_errors(tree):
    ext = tree / "ext.so"
    cases = [
        (dict(root=tree / "missing"), "os_error", errno.ENOENT),
        (dict(root=ext), "invalid_argument", None),
        (dict(main_module=tree / "nothing.wasm"), "os_error", errno.ENOENT),
        (dict(main_module=tree / "bad.so"), "malformed", None),
        (dict(main_module=tree / "lib" / "libfoo.so", main_glue=tree / "nothing.js"),
         "os_error", errno.ENOENT),
        (dict(loader="nonsense"), "invalid_argument", None),
        (dict(rpath_section="both"), "invalid_argument", None),
        (dict(allow_duplicate=["[z-a]"]), "invalid_argument", None),
        (dict(paths=[]), "invalid_argument", None),  # the tool: "no input files"
    ]
    for kw, code, err in cases:
        kw = {"paths": ext, **kw}
        with pytest.raises(wasm_rpath.Error) as e:
            wasm_rpath.ldd(**kw)
        assert (e.value.code, e.value.errno) == (code, err), (kw, e.value)
        assert "\n" not in e.value.message
    # The main module's error is the tool's, word for word.
    with pytest.raises(wasm_rpath.Error) as e:
        wasm_rpath.ldd(ext, main_module=tree / "bad.so")
    r = subprocess.run([TOOLS / "wasm-ldd", "--json", "--main-module", tree / "bad.so",
                        ext], capture_output=True, text=True)
    assert r.returncode == 1 and r.stdout == ""
    assert r.stderr == f"wasm-ldd: error: {e.value.message}\n"
    with pytest.raises(TypeError):
        wasm_rpath.ldd(12)


def test_no_subprocess(tree, monkeypatch):
    """ldd() runs in process: no tool, no child process."""
    def refuse(*a, **k):
        raise AssertionError("ldd() started a process")
    monkeypatch.setattr(subprocess, "Popen", refuse)
    monkeypatch.setattr(os, "posix_spawn", refuse)
    monkeypatch.setattr(os, "fork", refuse)
    monkeypatch.setenv("PATH", "")
    monkeypatch.setenv("WASM_RPATH_TOOLS_DIR", str(tree / "nowhere"))
    assert wasm_rpath.ldd(tree / "ext.so", root=tree)["resolved"] is True


def test_preload(tree):
    """preload is --preload, parsed by the same library call: a library
    registered at start-up under its name satisfies orphan.so's NEEDED
    libgone.so, which the search does not find (test/wasm-ldd/preload-by-name.test)."""
    orphan, gone = tree / "orphan.so", tree / "gone" / "libgone.so"
    common = ["--root", tree, "--loader", "emscripten"]
    doc, status = same([orphan], common, root=tree, loader="emscripten")
    assert status == 1
    [needed] = doc["libraries"][0]["needed"]
    assert needed["via"] == "not_found"
    # NAME=PATH, and a path alone (registered under the file's name): the
    # tool's document, in which libgone.so is now registered.
    for spec in (f"libgone.so={gone}", gone, os.fsencode(gone)):
        cli_spec = spec if isinstance(spec, str) else os.fsdecode(spec)
        doc, status = same([orphan], [*common, "--preload", cli_spec],
                           root=tree, loader="emscripten", preload=[spec])
        assert status == 0
        [needed] = [n for lib in doc["libraries"] for n in lib["needed"]]
        assert (needed["via"], needed["path"]) == ("registered", "libgone.so")
        assert [s["path"] for s in doc["startup"]] == ["libgone.so"]
    # Registered under another name, it does not serve libgone.so.
    doc, status = same([orphan], [*common, "--preload", f"other.so={gone}"],
                       root=tree, loader="emscripten", preload=[f"other.so={gone}"])
    assert status == 1
    [needed] = [n for lib in doc["libraries"] for n in lib["needed"]]
    assert needed["via"] == "not_found"
    # A path given as bytes or os.PathLike is a path, '=' and all: it is
    # registered under its own file name (found by the adversarial pass: a
    # Path('libx=1.so') was read as NAME=FILE).
    odd = tree / "gone" / "libgone=1.so"
    shutil.copyfile(gone, odd)
    for p in (odd, os.fsencode(odd)):
        doc = wasm_rpath.ldd(orphan, root=tree, loader="emscripten", preload=[p])
        assert [s["path"] for s in doc["startup"]] == ["libgone=1.so"]
    # A str with no file name is refused, as by the tool.
    with pytest.raises(wasm_rpath.Error) as e:
        wasm_rpath.ldd(orphan, root=tree, preload=["gone/"])
    assert e.value.message == "invalid preload 'gone/': the name is empty (expected [NAME=]FILE)"
    # One string is one entry, not its characters.
    assert wasm_rpath.ldd(orphan, root=tree, loader="emscripten",
                          preload=f"libgone.so={gone}")["resolved"] is True
    # An empty NAME: the tool's error, in the library's words.
    with pytest.raises(wasm_rpath.Error) as e:
        wasm_rpath.ldd(orphan, root=tree, preload=[f"={gone}"])
    assert e.value.code == "invalid_argument"
    r = subprocess.run([TOOLS / "wasm-ldd", "--preload", f"={gone}", orphan],
                       capture_output=True, text=True)
    assert r.returncode == 1
    assert r.stderr == f"wasm-ldd: error: invalid --preload '={gone}': the name is empty (expected [NAME=]FILE)\n"
    assert e.value.message == f"invalid preload '={gone}': the name is empty (expected [NAME=]FILE)"
