#!/usr/bin/env python3
"""hostile-tree.py: trees of side modules that stress wasm-ldd's walk.

  hostile-tree.py chain DIR N          lib0.so -> lib1.so -> ... -> libN.so,
                                       each with RUNTIME_PATH $ORIGIN
  hostile-tree.py routes DIR LEVELS    symbolic links s -> . and t -> .;
                                       x<k>.so and y<k>.so each need x<k+1>.so
                                       and y<k+1>.so, through $ORIGIN/s (x) or
                                       $ORIGIN/t (y): 2^k routes to level k,
                                       2 files per level
  hostile-tree.py wide DIR N E         wide.so with N NEEDED names and E
                                       RUNTIME_PATH entries (missing
                                       directories, long names), then
                                       $ORIGIN, where lib0..libN-1 are
  hostile-tree.py escape ROOT OUT      ROOT/lib/app.so needs libx.so through
                                       the entry /lib/link; ROOT/lib/link leads
                                       to OUT/libx.so outside ROOT through
                                       links whose full real path is longer
                                       than PATH_MAX (realpath() fails with
                                       ENAMETOOLONG while stat() succeeds)

Modules are minimal: the preamble and a dylink.0 section (MEM_INFO, NEEDED,
RUNTIME_PATH), encoded by wasmbytes.py, independent of wasm-rpath.
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from wasmbytes import custom, string_vector, uleb  # noqa: E402


def module(needed=(), runtime_path=None):
    sub = b"\x01" + uleb(4) + b"\x00\x00\x00\x00"
    body = string_vector([n.encode() for n in needed])
    sub += b"\x02" + uleb(len(body)) + body
    if runtime_path is not None:
        body = string_vector([e.encode() for e in runtime_path])
        sub += b"\x05" + uleb(len(body)) + body
    return b"\0asm\1\0\0\0" + custom(b"dylink.0", sub)


def write(path, data):
    with open(path, "wb") as f:
        f.write(data)


def chain(d, n):
    os.makedirs(d, exist_ok=True)
    for i in range(n + 1):
        needed = ["lib%d.so" % (i + 1)] if i < n else []
        write(os.path.join(d, "lib%d.so" % i), module(needed, ["$ORIGIN"]))


def routes(d, levels):
    os.makedirs(d, exist_ok=True)
    os.symlink(".", os.path.join(d, "s"))
    os.symlink(".", os.path.join(d, "t"))
    for k in range(levels + 1):
        needed = ["x%d.so" % (k + 1), "y%d.so" % (k + 1)] if k < levels else []
        write(os.path.join(d, "x%d.so" % k), module(needed, ["$ORIGIN/s"]))
        write(os.path.join(d, "y%d.so" % k), module(needed, ["$ORIGIN/t"]))


def wide(d, n, e):
    os.makedirs(d, exist_ok=True)
    pad = "p" * 60
    entries = ["/missing-%s/%d" % (pad, i) for i in range(e)] + ["$ORIGIN"]
    needed = ["lib%d.so" % i for i in range(n)]
    write(os.path.join(d, "wide.so"), module(needed, entries))
    for name in needed:
        write(os.path.join(d, name), module())


def escape(root, out):
    os.makedirs(os.path.join(root, "lib"), exist_ok=True)
    write(os.path.join(root, "lib", "app.so"), module(["libx.so"], ["/lib/link"]))
    os.makedirs(out, exist_ok=True)
    # Three hops of 1500 bytes of directories each: every link target is
    # short enough, the real path is not.
    here = os.path.abspath(out)
    cwd = os.getcwd()
    os.chdir(here)
    long_rel = "/".join(["d" * 250] * 6)
    for hop in range(3):  # OUT/<rel>/<rel>/<rel>, one step at a time
        os.makedirs(long_rel)
        os.chdir(long_rel)
    os.chdir(here)
    first = os.path.join(here, long_rel)
    # lib/link -> OUT/<rel>/n/n, where each "n" -> <rel> (relative): the
    # target is OUT/<rel>/<rel>/<rel>, about 4500 bytes long.
    os.chdir(long_rel)
    os.symlink(long_rel, "n")
    os.chdir(long_rel)
    os.symlink(long_rel, "n")
    os.chdir(long_rel)
    write("libx.so", module())
    os.chdir(cwd)
    os.symlink(first + "/n/n", os.path.join(root, "lib", "link"))


def main(argv):
    if len(argv) < 3:
        sys.exit(__doc__)
    cmd, d = argv[1], argv[2]
    if cmd == "chain":
        chain(d, int(argv[3]))
    elif cmd == "routes":
        routes(d, int(argv[3]))
    elif cmd == "wide":
        wide(d, int(argv[3]), int(argv[4]))
    elif cmd == "escape":
        escape(d, argv[3])
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main(sys.argv)
