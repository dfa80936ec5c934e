#!/usr/bin/env python3
"""limits.py: run a command under resource limits and check how it ended.

lit's internal shell has no `ulimit`, and `not` cannot tell an error exit
from a crash. This runs CMD with the limits given, passes its output
through, and exits 0 only if CMD exited with the expected status (not by a
signal) within the bounds given; otherwise it says what happened and exits
1.

  limits.py [options] -- CMD...
    --as MIB            RLIMIT_AS (address space), in MiB
    --as-file FILE      add FILE's size to --as (a tool that maps FILE
                        needs that much address space, not memory)
    --fsize KIB         RLIMIT_FSIZE, in KiB (writes past it fail, EFBIG)
    --expect-exit N     the status CMD must exit with (default 0)
    --max-rss MIB       CMD's peak resident memory must stay below this
    --max-seconds S     CMD must finish within S seconds (it is killed)
"""
import argparse
import os
import resource
import subprocess
import sys
import time


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--as", dest="as_mib", type=int)
    p.add_argument("--as-file")
    p.add_argument("--fsize", type=int)
    p.add_argument("--expect-exit", type=int, default=0)
    p.add_argument("--max-rss", type=int)
    p.add_argument("--max-seconds", type=float)
    p.add_argument("cmd", nargs=argparse.REMAINDER)
    a = p.parse_args()
    cmd = a.cmd[1:] if a.cmd and a.cmd[0] == "--" else a.cmd

    address_space = None
    if a.as_mib is not None:
        address_space = a.as_mib << 20
        if a.as_file:
            address_space += os.stat(a.as_file).st_size

    def limit():
        if address_space is not None:
            resource.setrlimit(resource.RLIMIT_AS, (address_space, address_space))
        if a.fsize is not None:
            resource.setrlimit(resource.RLIMIT_FSIZE, (a.fsize << 10, a.fsize << 10))

    start = time.monotonic()
    proc = subprocess.Popen(cmd, preexec_fn=limit)
    try:
        status = proc.wait(timeout=a.max_seconds)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
        print(f"limits.py: {cmd[0]} took more than {a.max_seconds} s", file=sys.stderr)
        return 1
    seconds = time.monotonic() - start
    # ru_maxrss is in KiB on Linux; only one child has run.
    rss_mib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    if status < 0:
        print(f"limits.py: {cmd[0]} killed by signal {-status}", file=sys.stderr)
        return 1
    if status != a.expect_exit:
        print(f"limits.py: {cmd[0]} exited {status}, expected {a.expect_exit}",
              file=sys.stderr)
        return 1
    if a.max_rss is not None and rss_mib >= a.max_rss:
        print(f"limits.py: {cmd[0]} used {rss_mib:.1f} MiB, limit {a.max_rss}",
              file=sys.stderr)
        return 1
    if os.environ.get("LIMITS_VERBOSE"):
        print(f"limits.py: {seconds:.3f} s, peak RSS {rss_mib:.1f} MiB",
              file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
