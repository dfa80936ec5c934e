#!/usr/bin/env python3
"""repair-many.py: runs one command many times, several at once, and checks
that every run exits 0: none may die by a signal (SIGABRT at exit was the
symptom of worker threads left running while OpenSSL's atexit handler freed
their state). No assertion depends on timing: a run is judged only by its
exit status, however long it took.

  repair-many.py --runs N --jobs J -- CMD...
      "{i}" in CMD's arguments becomes the run's index.
"""
import argparse
import concurrent.futures
import signal
import subprocess
import sys


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, required=True)
    ap.add_argument("--jobs", type=int, default=4)
    ap.add_argument("cmd", nargs=argparse.REMAINDER)
    a = ap.parse_args()
    cmd = a.cmd[1:] if a.cmd and a.cmd[0] == "--" else a.cmd

    def run(i):
        argv = [x.replace("{i}", str(i)) for x in cmd]
        p = subprocess.run(argv, stdout=subprocess.DEVNULL,
                           stderr=subprocess.PIPE)
        return i, p.returncode, p.stderr.decode(errors="replace")

    bad = []
    with concurrent.futures.ThreadPoolExecutor(a.jobs) as ex:
        for i, rc, err in ex.map(run, range(a.runs)):
            if rc != 0:
                how = ("killed by " + signal.Signals(-rc).name if rc < 0
                       else "exit %d" % rc)
                bad.append("run %d: %s: %s" % (i, how, err.strip()[:300]))
    for b in bad:
        print(b)
    print("runs: %d, failed: %d" % (a.runs, len(bad)))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
