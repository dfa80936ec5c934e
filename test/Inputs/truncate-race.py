#!/usr/bin/env python3
"""Runs a command on a copy of FILE while another process truncates the
copy, N times, and checks that no run is killed by a signal (a mapping of
a truncated file raises SIGBUS; reads with pread() fail cleanly instead).

  truncate-race.py N FILE COPY -- COMMAND... (COPY in COMMAND is the copy)

Each round: COPY is restored, COMMAND starts, and the copy is truncated to
a quarter of its size after a delay that grows through the rounds (so
that some truncations land while the file is read, whatever the machine's
speed). Prints "runs N, killed K, failed F, succeeded S"; exits 1 if any
run was killed by a signal. Nothing here asserts timing: a run that
finished before the truncation simply succeeds.
"""
import os
import shutil
import subprocess
import sys
import time


def main(argv):
    n = int(argv[1])
    src, copy = argv[2], argv[3]
    cmd = argv[argv.index("--") + 1:]
    size = os.path.getsize(src)
    killed = failed = ok = 0
    for i in range(n):
        shutil.copyfile(src, copy)
        p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL,
                             stderr=subprocess.PIPE)
        time.sleep(0.002 * (i % 25))
        os.truncate(copy, size // 4)
        _, err = p.communicate()
        if p.returncode < 0:
            killed += 1
            sys.stderr.write("run %d: killed by signal %d\n" %
                             (i, -p.returncode))
        elif p.returncode == 0:
            ok += 1
        else:
            failed += 1
            # One error line (a tool may add a "note:" line with a hint).
            lines = err.decode(errors="replace").strip().splitlines()
            if sum(": error: " in l for l in lines) != 1 or not all(
                    ": error: " in l or ": note: " in l for l in lines):
                sys.stderr.write("run %d: not one error line: %r\n" % (i, err))
                killed += 1
    print("runs %d, killed %d, failed %d, succeeded %d" %
          (n, killed, failed, ok))
    return 1 if killed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
