"""The host interpreter: calls from many threads, the GIL released during
the library's work, and no signal handler installed or changed."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap
import threading

import pytest

import wasm_rpath
from conftest import LLVM_BIN, STAGE

FOO = "int foo_version(void) { return 7; }\n"


def test_concurrent_threads(build, tmp_path):
    foo = build.side_module("libfoo.so", FOO)
    n = 16
    files = []
    for i in range(n):
        f = tmp_path / f"m{i}.so"
        shutil.copy(foo, f)
        files.append(f)
    shared = foo.read_bytes()
    errors = []
    barrier = threading.Barrier(n)

    def work(i):
        try:
            barrier.wait()
            for round_ in range(20):
                wasm_rpath.edit(files[i], set_rpath=f"/t{i}/r{round_}",
                                add_needed=[f"lib{i}.so"])
                m = wasm_rpath.read(files[i])
                assert m.runtime_path == [f"/t{i}/r{round_}"], m.runtime_path
                assert m.needed == [f"lib{i}.so"]
                s = wasm_rpath.read(shared)  # one buffer read by all threads
                assert s.exports == [("foo_version", "function")]
                try:
                    wasm_rpath.read(shared[:30])
                except wasm_rpath.Error as e:
                    assert e.code == "malformed"
                else:
                    raise AssertionError("truncated module accepted")
        except BaseException as e:  # reported by the main thread
            errors.append((i, e))

    threads = [threading.Thread(target=work, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    for i, f in enumerate(files):
        assert wasm_rpath.read(f).runtime_path == [f"/t{i}/r19"]


def test_concurrent_ldd(build, tmp_path):
    """ldd() from many threads at once, on inputs they share (a wheel, a
    directory) and their own, each result the one a lone call gives; bad
    inputs among them raise in their own thread only."""
    foo = build.side_module("lib/libfoo.so", FOO)
    ext = build.side_module("ext.so", "int foo_version(void);\n"
                            "int ext_call(void) { return foo_version(); }\n", foo)
    wasm_rpath.edit(ext, set_rpath="$ORIGIN/lib")
    whl = build.wheel("pkg-1.0-py3-none-any.whl", "pkg", "1.0",
                      {"pkg/_ext.so": ext, "pkg/__init__.py": "/dev/null"})
    n = 12
    mine = []
    for i in range(n):
        d = tmp_path / f"t{i}"
        (d / "lib").mkdir(parents=True)
        shutil.copy(foo, d / "lib" / f"libfoo.so")
        shutil.copy(ext, d / f"ext{i}.so")
        mine.append(d)
    shared_args = dict(paths=[whl, tmp_path / "lib"], library_path=str(tmp_path / "lib"))
    shared = wasm_rpath.ldd(**shared_args)
    assert shared["resolved"] is True
    own = [wasm_rpath.ldd(d / f"ext{i}.so", root=d) for i, d in enumerate(mine)]
    errors = []
    barrier = threading.Barrier(n)

    def work(i):
        try:
            barrier.wait()
            for _ in range(10):
                assert wasm_rpath.ldd(**shared_args) == shared
                assert wasm_rpath.ldd(mine[i] / f"ext{i}.so", root=mine[i]) == own[i]
                try:
                    wasm_rpath.ldd(ext, root=mine[i] / "nothing")
                except wasm_rpath.Error as e:
                    assert e.code == "os_error" and "nothing" in e.message
                else:
                    raise AssertionError("missing root accepted")
        except BaseException as e:  # reported by the main thread
            errors.append((i, e))

    threads = [threading.Thread(target=work, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []


def test_lazy_symbols_from_many_threads(build):
    foo = build.side_module("libfoo.so", FOO)
    m = wasm_rpath.read(foo)
    results = []
    threads = [threading.Thread(target=lambda: results.append(m.exports))
               for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == [[("foo_version", "function")]] * 8


def _run_child(code: str, timeout=120, env=None):
    """Runs code in a fresh interpreter that imports the staged package."""
    prelude = f"import sys; sys.path.insert(0, {str(STAGE)!r})\n"
    return subprocess.run([sys.executable, "-c", prelude + textwrap.dedent(code)],
                          capture_output=True, text=True, timeout=timeout, env=env)


def test_gil_released_while_writing(build, tmp_path):
    """edit() writing into a FIFO blocks once the pipe is full, until the
    reader drains it. The reader is Python code in another thread: it can
    only run if edit() released the GIL, else the child deadlocks (and the
    timeout, a deadlock guard, not a measurement, fails the test)."""
    # A module much larger than a pipe's buffer (64 KiB).
    big = build.side_module(
        "big.so", "char big[1 << 20] = {1};\nint f(void) { return big[5]; }\n")
    fifo = tmp_path / "fifo"
    # The size of the output, from the same edit into a regular file.
    ref = tmp_path / "ref.so"
    wasm_rpath.edit(big, set_rpath="/x", output=ref)
    size = ref.stat().st_size
    code = f"""
        import os, threading, wasm_rpath
        fifo = {str(fifo)!r}
        os.mkfifo(fifo)
        r = os.open(fifo, os.O_RDONLY | os.O_NONBLOCK)
        os.set_blocking(r, True)
        # A writer of our own, so that a read before edit() opens the FIFO
        # blocks instead of seeing end-of-file.
        keep = os.open(fifo, os.O_WRONLY)
        got = []
        def reader():
            n = 0
            while n < {size}:
                b = os.read(r, 65536)
                got.append(b)
                n += len(b)
        t = threading.Thread(target=reader)
        t.start()
        wasm_rpath.edit({str(big)!r}, set_rpath="/x", output=fifo)
        t.join()
        data = b"".join(got)
        assert data == open({str(ref)!r}, "rb").read()
        print(len(data))
    """
    try:
        r = _run_child(code, timeout=120)
    except subprocess.TimeoutExpired:
        pytest.fail("deadlock: edit() held the GIL while blocked writing")
    assert r.returncode == 0, r.stderr
    assert int(r.stdout) > 1 << 20


# Interposes realpath() (LD_PRELOAD): for a path containing $GIL_PROBE it
# writes a byte to the fd $GIL_PROBE_ENTERED and waits for one on
# $GIL_PROBE_GO, which only a Python thread sends.
PROBE_C = r"""
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
static void probe(const char *path) {
  const char *marker = getenv("GIL_PROBE");
  if (!marker || !strstr(path, marker))
    return;
  char c = 'e';
  if (write(atoi(getenv("GIL_PROBE_ENTERED")), &c, 1) != 1 ||
      read(atoi(getenv("GIL_PROBE_GO")), &c, 1) != 1)
    abort();
}
char *realpath(const char *path, char *resolved) {
  static char *(*next)(const char *, char *);
  if (!next)
    next = (char *(*)(const char *, char *))dlsym(RTLD_NEXT, "realpath");
  probe(path);
  return next(path, resolved);
}
char *__realpath_chk(const char *path, char *resolved, size_t size) {
  static char *(*next)(const char *, char *, size_t);
  if (!next)
    next = (char *(*)(const char *, char *, size_t))dlsym(RTLD_NEXT,
                                                          "__realpath_chk");
  probe(path);
  return next(path, resolved, size);
}
"""


def test_gil_released_while_ldd_works(build, tmp_path):
    """ldd() resolves the root (realpath(), interposed here) with the GIL
    released: the interposed realpath() waits for an answer that a Python
    thread sends, which it can only do if ldd() let the GIL go, else the
    child deadlocks (the timeout is a deadlock guard, not a measurement)."""
    foo = build.side_module("gil-probe-root/libfoo.so", FOO)
    probe_so = tmp_path / "probe.so"
    (tmp_path / "probe.c").write_text(PROBE_C)
    subprocess.run([LLVM_BIN / "clang", "-shared", "-fPIC", "-o", probe_so,
                    tmp_path / "probe.c", "-ldl"], check=True)
    code = f"""
        import os, threading, wasm_rpath
        entered_r, entered_w = os.pipe()
        go_r, go_w = os.pipe()
        os.environ.update(GIL_PROBE="gil-probe-root", GIL_PROBE_ENTERED=str(entered_w),
                          GIL_PROBE_GO=str(go_r))
        answered = []
        def answer():
            while os.read(entered_r, 1):
                answered.append(1)
                os.write(go_w, b"g")
        t = threading.Thread(target=answer)
        t.start()
        doc = wasm_rpath.ldd({str(foo)!r}, root={str(foo.parent)!r})
        os.close(entered_w)
        t.join()
        print(len(answered), doc["resolved"])
    """
    env = {**os.environ, "LD_PRELOAD": str(probe_so)}
    try:
        r = _run_child(code, timeout=120, env=env)
    except subprocess.TimeoutExpired:
        pytest.fail("deadlock: ldd() held the GIL while the library worked")
    assert r.returncode == 0, r.stderr
    count, resolved = r.stdout.split()
    assert int(count) >= 1, "the probe was never reached"
    assert resolved == "True"


SIGACTION = """
    import ctypes, signal
    libc = ctypes.CDLL(None, use_errno=True)
    def disposition(sig):
        buf = ctypes.create_string_buffer(512)   # > sizeof(struct sigaction)
        assert libc.sigaction(sig, None, buf) == 0
        return bytes(buf.raw[:8])                # sa_handler / sa_sigaction
    SIGNALS = [signal.SIGINT, signal.SIGTERM, signal.SIGHUP, signal.SIGQUIT,
               signal.SIGUSR1, signal.SIGUSR2, signal.SIGPIPE, signal.SIGXFSZ,
               signal.SIGSEGV, signal.SIGBUS, signal.SIGILL, signal.SIGABRT,
               signal.SIGFPE]
    def snapshot():
        return {s: (disposition(s), signal.getsignal(s)) for s in SIGNALS}
"""


def test_no_signal_handlers_installed(build, tmp_path):
    foo = build.side_module("libfoo.so", FOO)
    whl = build.wheel("w/pkg-1.0-py3-none-any.whl", "pkg", "1.0", {"pkg/_foo.so": foo})
    code = SIGACTION + f"""
    before = snapshot()
    import wasm_rpath
    after_import = snapshot()
    p = {str(foo)!r}
    wasm_rpath.read(p).exports
    wasm_rpath.edit(p, set_rpath="/a")
    wasm_rpath.edit(p, set_rpath="/b", output={str(tmp_path / "o.so")!r})
    try:
        wasm_rpath.read({str(tmp_path)!r})
    except wasm_rpath.Error:
        pass
    wasm_rpath.ldd([p, {str(whl)!r}, {str(tmp_path)!r}], root="/")
    for bad in (dict(root={str(foo)!r}), dict(main_module={str(tmp_path)!r})):
        try:
            wasm_rpath.ldd(p, **bad)
        except wasm_rpath.Error:
            pass
    after = snapshot()
    changed = [signal.Signals(s).name for s in SIGNALS
               if before[s] != after_import[s] or before[s] != after[s]]
    print(",".join(changed))
    # The host's own SIGINT handling still works.
    import os
    try:
        os.kill(os.getpid(), signal.SIGINT)
        for _ in range(1000):
            pass
        print("no KeyboardInterrupt")
    except KeyboardInterrupt:
        print("KeyboardInterrupt")
    """
    r = _run_child(code)
    assert r.returncode == 0, r.stderr
    changed, interrupt = r.stdout.splitlines()
    assert changed == "", f"signal dispositions changed: {changed}"
    assert interrupt == "KeyboardInterrupt"
