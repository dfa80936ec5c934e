#!/usr/bin/env python3
"""link-tool.py: put a program found on PATH at a path of the tests' choosing.

  link-tool.py DEST TOOL          DEST becomes a symlink to TOOL's absolute path
  link-tool.py --copy DEST TOOL   DEST becomes a copy (a different file)

The lit shell has no command substitution, so tests that need `wasm-ld` to
be the wrapper in a directory of their own (PATH lookup, recursion) use this.
"""
import os
import shutil
import sys

args = sys.argv[1:]
copy = args[0] == "--copy"
if copy:
    args = args[1:]
dest, tool = args
found = shutil.which(tool)
if not found:
    sys.exit(f"link-tool.py: {tool} not found on PATH")
os.makedirs(os.path.dirname(os.path.abspath(dest)), exist_ok=True)
if os.path.lexists(dest):
    os.remove(dest)
if copy:
    shutil.copy2(found, dest)
else:
    os.symlink(os.path.abspath(found), dest)
