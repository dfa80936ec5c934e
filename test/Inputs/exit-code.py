#!/usr/bin/env python3
"""exit-code.py CMD...: runs CMD and prints "exit N" after its output.

For tests that need the exact status of a command (lit's `not` only knows
zero from non-zero). Its own status is 0.
"""
import subprocess
import sys

sys.stdout.flush()
rc = subprocess.call(sys.argv[1:])
print(f"exit {rc}", flush=True)
