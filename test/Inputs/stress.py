#!/usr/bin/env python3
"""stress.py: failure and concurrency harnesses for the reliability tests.

Each subcommand runs a tool many times under some disturbance and checks
that every outcome is one of the allowed, whole files: never a torn file,
never a crash. It prints a summary line (counts vary from run to run; tests
check only its fixed part) and exits 1 on the first violation.

  stress.py kill FILE --old OLD --new NEW [--runs N] [--max-delay-ms MS] -- CMD...
      Runs CMD (which edits FILE from OLD to NEW) N times, each killed
      with SIGKILL after a random delay. After each kill FILE must be
      byte-identical to OLD or to NEW (then it is reset to OLD).

  stress.py lock-held FILE [--tries N] -- CMD...
      Runs CMD (which rewrites FILE), stops it (SIGSTOP) as soon as its
      temporary file .FILE.wasm-rpath-XXXXXX.tmp appears, and checks that
      the temporary is flock()ed, so that no other writer would take it for
      stale; then lets CMD finish.

  stress.py replace FILE --versions V... --allowed A... [--runs N]
                     [--mode rename|rewrite|remove] -- CMD...
      Runs CMD (which edits FILE) N times while a thread keeps putting the
      versions V in FILE's place: by rename (as installers do), by
      rewriting the file in place (as cp does), or by removing it and
      creating it again. CMD must exit 0 or 1 (never by a signal), and
      FILE, whenever the thread is between two changes, must be one of the
      files A (the versions and the tool's edits of them).

  stress.py concurrent FILE --reset ORIG --results R... [--rounds N] -- CMD...
      N rounds: FILE is reset to ORIG, then one CMD per result is started
      at once, each with "{i}" in its arguments replaced by its index. All
      must succeed, and FILE must then be byte-identical to exactly one of
      the results R; no temporary file may remain.

  stress.py interrupt FILE --reset ORIG --then CMD2 -- CMD...
      Copies ORIG to FILE, runs CMD (which rewrites FILE), stops it as soon
      as its temporary file appears, runs CMD2 (a shell command that changes
      FILE), and lets CMD finish; exits with CMD's status. Makes "the input
      changed during the run" happen at a known point. (A run that ends
      before its temporary is seen, or that had already checked its input
      when it was stopped and so succeeds, on a busy machine, is tried
      again.)

  stress.py truncate FILE --orig ORIG --hits N [--edits] -- CMD...
      Copies ORIG to FILE, runs CMD (which reads FILE), stops it (SIGSTOP)
      after a random delay, truncates FILE to 4096 bytes in place and lets
      CMD go on; again until N truncations have hit a run in flight. The
      delay is drawn from 0 to the length of one undisturbed run, measured
      first, so the machine's speed decides nothing. CMD must exit 0 or 1,
      never by a signal (SIGBUS, if it read a mapping of the file), and no
      temporary file may remain. With --edits (CMD rewrites FILE), each
      truncation is classified by what FILE was when CMD was stopped: still
      the original inode with no temporary file yet (CMD is reading: it must
      exit 1 and leave FILE as it was), the original inode with CMD's
      temporary file present (CMD is writing: exit 1 with FILE as it was, or
      exit 0 with FILE the whole result of an undisturbed run), or already
      replaced (the run was over: not counted). N is the count of the
      first kind.

  stress.py signal FILE --reset ORIG --signal NAME --runs N [--ignored] -- CMD...
      N times: copies ORIG to FILE and runs CMD (which rewrites FILE),
      sending it signal NAME (INT, TERM, HUP) every millisecond until it
      ends. With --ignored, the signal is ignored when CMD starts (as nohup
      and `cmd &` in a script leave SIGINT): CMD must then succeed every
      time. Without, CMD must die of the signal or succeed, and FILE must
      be ORIG or the whole result of an undisturbed run (a signal that lands
      after the atomic rename finds the new file in place): never a torn
      file. No temporary file may remain either way.

  stress.py read-fifo FIFO --to OUT -- CMD...
      Opens FIFO for reading first, then runs CMD (which writes into FIFO)
      and copies what it writes to OUT, until CMD has ended and the FIFO
      is drained; exits with CMD's status. Being the reader before CMD
      starts is what makes this deterministic: a reader started in the
      background (`cat fifo &`) may not have opened the FIFO yet when CMD
      looks for one, and then blocks for ever in open(), holding lit's
      output pipe (the hang of issue 17).

  stress.py watch-opens DIR... -- CMD...
      Runs CMD and prints, one per line, the files and directories under
      each DIR that were opened while it ran (inotify IN_OPEN), or "none".

Every harness signals only the processes it started (by pid, never a
process group), and a harness that fails or is interrupted while it holds
a child stopped lets it go on and ends it before exiting, so that no
stopped process is left holding lit's output pipe.
"""
import argparse
import ctypes
import fcntl
import glob
import hashlib
import os
import random
import select
import shutil
import signal
import struct
import subprocess
import sys
import threading
import time


def digest(path):
    try:
        with open(path, "rb") as f:
            return hashlib.sha256(f.read()).hexdigest()
    except FileNotFoundError:
        return None


def fail(msg):
    print("stress.py: " + msg, file=sys.stderr)
    sys.exit(1)


# The children started and not yet reaped: ended (SIGCONT, then SIGKILL)
# when the harness exits for any reason, so that a failure or an exception
# while a child is stopped cannot leave it behind.
_children = []


def start(cmd, **kwargs):
    proc = subprocess.Popen(cmd, **kwargs)
    _children.append(proc)
    return proc


def stop(proc):
    """Stops PROC and returns once the stop has taken effect (or PROC has
    ended). kill() only makes SIGSTOP pending: on a busy machine the target
    may go on running on another core for a while (finish a rename, say),
    so what is looked at right after the kill need not be what the stopped
    process left. WNOWAIT leaves the state for Popen to collect."""
    proc.send_signal(signal.SIGSTOP)
    try:
        os.waitid(os.P_PID, proc.pid, os.WSTOPPED | os.WEXITED | os.WNOWAIT)
    except ChildProcessError:
        pass  # Already collected by Popen.


def end_children():
    for proc in _children:
        if proc.poll() is None:
            try:
                proc.send_signal(signal.SIGCONT)
                proc.kill()
                proc.wait()
            except ProcessLookupError:
                pass


def undisturbed(cmd, file, reset):
    """Runs CMD once on a fresh copy of RESET; returns (seconds, digest of
    FILE after it), and puts RESET back."""
    shutil.copyfile(reset, file)
    began = time.monotonic()
    status = subprocess.run(cmd, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL).returncode
    took = time.monotonic() - began
    if status != 0:
        fail(f"the undisturbed run failed with status {status}")
    result = digest(file)
    shutil.copyfile(reset, file)
    return took, result


def temporaries(path):
    d, n = os.path.split(os.path.abspath(path))
    return glob.glob(os.path.join(glob.escape(d), "." + glob.escape(n) + ".wasm-rpath-*.tmp"))


def replace_atomically(src, dst):
    tmp = dst + ".stress-tmp"
    shutil.copyfile(src, tmp)
    os.rename(tmp, dst)


def cmd_kill(a, cmd):
    old, new = digest(a.old), digest(a.new)
    rng = random.Random(a.seed)
    counts = {"old": 0, "new": 0}
    for _ in range(a.runs):
        proc = start(cmd)
        time.sleep(rng.uniform(0, a.max_delay_ms / 1000))
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        now = digest(a.file)
        if now == old:
            counts["old"] += 1
        elif now == new:
            counts["new"] += 1
            replace_atomically(a.old, a.file)
        else:
            fail(f"{a.file} is neither the old nor the new file after a kill")
    # One more kill, as soon as the temporary file appears, so that at least
    # one stale temporary is there for the next run to clean up.
    for _ in range(20):
        if temporaries(a.file):
            break
        proc = start(cmd)
        while proc.poll() is None and not temporaries(a.file):
            pass
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        if digest(a.file) == new:
            replace_atomically(a.old, a.file)
        elif digest(a.file) != old:
            fail(f"{a.file} is neither the old nor the new file after a kill")
    print(f"killed {a.runs} runs: the file was whole every time "
          f"(old {counts['old']}, new {counts['new']}); "
          f"{len(temporaries(a.file))} stale temporaries")


def cmd_lock_held(a, cmd):
    for attempt in range(a.tries):
        before = set(temporaries(a.file))
        proc = start(cmd)
        temp = None
        while proc.poll() is None:
            found = set(temporaries(a.file)) - before
            if found:
                temp = found.pop()
                break
        if temp is None:
            proc.wait()
            continue  # Finished before it was seen: try again.
        stop(proc)
        try:
            fd = os.open(temp, os.O_RDONLY)
        except FileNotFoundError:
            proc.send_signal(signal.SIGCONT)
            proc.wait()
            continue  # Renamed just before the stop.
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            held = False
        except BlockingIOError:
            held = True
        os.close(fd)
        proc.send_signal(signal.SIGCONT)
        if proc.wait() != 0:
            fail("the stopped run failed")
        if not held:
            fail(f"{temp} was not locked while its writer was alive")
        print("the temporary file was locked while its writer was alive")
        return
    fail(f"no temporary file seen in {a.tries} runs")


def cmd_replace(a, cmd):
    allowed = {digest(p) for p in a.allowed}
    versions = a.versions
    lock = threading.Lock()
    stop = threading.Event()
    changes = [0]

    def put(src):
        if a.mode == "rename":
            replace_atomically(src, a.file)
        elif a.mode == "rewrite":
            with open(src, "rb") as f:
                data = f.read()
            with open(a.file, "r+b") as f:
                f.truncate(0)
                for i in range(0, len(data), 4096):
                    f.write(data[i:i + 4096])
                    f.flush()
        else:
            try:
                os.unlink(a.file)
            except FileNotFoundError:
                pass
            time.sleep(0.0005)
            replace_atomically(src, a.file)

    def replacer():
        i = 0
        while not stop.is_set():
            with lock:
                put(versions[i % len(versions)])
                changes[0] += 1
            i += 1
            time.sleep(0.0002)

    t = threading.Thread(target=replacer)
    t.start()
    statuses = {}
    try:
        for _ in range(a.runs):
            status = subprocess.run(cmd, stderr=subprocess.DEVNULL).returncode
            statuses[status] = statuses.get(status, 0) + 1
            # Truncating the input in place while the tool reads it must
            # be an error ("input file shrank while being read"), never a
            # SIGBUS: the module is parsed with pread(), not from a mapping
            # (issue 12, class 9).
            if status not in (0, 1):
                fail(f"the tool ended with status {status}")
            with lock:
                if digest(a.file) not in allowed:
                    fail(f"{a.file} is not one of the allowed files")
    finally:
        stop.set()
        t.join()
    if digest(a.file) not in allowed:
        fail(f"{a.file} is not one of the allowed files at the end")
    if temporaries(a.file):
        fail("temporary files were left behind")
    print(f"{a.runs} runs while the file was replaced ({a.mode}): every file "
          f"was whole; exit statuses {sorted(statuses.items())}; "
          f"{changes[0]} replacements")


def cmd_concurrent(a, cmd):
    results = [digest(r) for r in a.results]
    if len(set(results)) != len(results):
        fail("the results must differ")
    wins = [0] * len(results)
    for _ in range(a.rounds):
        replace_atomically(a.reset, a.file)
        procs = [start([c.replace("{i}", str(i)) for c in cmd])
                 for i in range(len(results))]
        for p in procs:
            if p.wait() != 0:
                fail(f"a concurrent run failed with status {p.returncode}")
        now = digest(a.file)
        if now not in results:
            fail(f"{a.file} is none of the results")
        wins[results.index(now)] += 1
        if temporaries(a.file):
            fail("temporary files were left behind")
    print(f"{a.rounds} rounds of {len(results)} concurrent runs: the file was "
          f"exactly one result every time (wins {wins})")


def cmd_interrupt(a, cmd):
    for _ in range(20):
        replace_atomically(a.reset, a.file)
        before = set(temporaries(a.file))
        proc = start(cmd, stderr=subprocess.PIPE)
        seen = False
        while proc.poll() is None:
            if set(temporaries(a.file)) - before:
                stop(proc)
                seen = True
                break
        if not seen:
            proc.wait()
            continue
        subprocess.run(a.then, shell=True, check=True)
        proc.send_signal(signal.SIGCONT)
        _, err = proc.communicate()
        # On a loaded machine the temporary may be seen only after CMD has
        # already checked its input (it then rightly succeeds, the change
        # having come after the check): such a run is tried again too.
        if proc.returncode == 0:
            continue
        sys.stderr.buffer.write(err)
        return proc.returncode
    fail("in every run the change came before the temporary file was seen "
         "or after the tool had checked its input")


def cmd_truncate(a, cmd):
    rng = random.Random(a.seed)
    took, result = undisturbed(cmd, a.file, a.orig)
    statuses = {}
    kinds = {"reading": 0, "writing": 0, "over": 0}
    attempts = 0
    while kinds["reading"] < a.hits:
        attempts += 1
        if attempts > a.hits * 50:
            fail(f"only {kinds['reading']} of {a.hits} truncations hit a run "
                 f"in flight in {attempts - 1} runs")
        shutil.copyfile(a.orig, a.file)
        inode = os.stat(a.file).st_ino
        before = set(temporaries(a.file))
        proc = start(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(rng.uniform(0, took))
        # Stopped while FILE is looked at and truncated, so that what it is
        # at the moment of the truncation is known: no rename can come
        # between the look and the truncation.
        stop(proc)
        alive = proc.poll() is None
        replaced = os.stat(a.file).st_ino != inode
        writing = bool(set(temporaries(a.file)) - before)
        os.truncate(a.file, 4096)
        truncated = digest(a.file)
        proc.send_signal(signal.SIGCONT)
        status = proc.wait()
        statuses[status] = statuses.get(status, 0) + 1
        if status not in (0, 1):
            fail(f"the tool ended with status {status}")
        if not a.edits:
            kinds["reading" if alive else "over"] += 1
            continue
        if replaced or not alive:
            kinds["over"] += 1
            continue
        kinds["writing" if writing else "reading"] += 1
        now = digest(a.file)
        if status == 1 and (os.stat(a.file).st_ino != inode or now != truncated):
            fail("a run that failed changed the file")
        if status == 0 and (writing is False or now != result):
            fail("a run whose input was truncated "
                 + ("while it read it succeeded" if not writing
                    else "succeeded without leaving the whole result"))
    if temporaries(a.file):
        fail(f"temporary files remain: {temporaries(a.file)}")
    print(f"{a.hits} truncations while the tool read its input: never a signal"
          f"{', never a changed file' if a.edits else ''}")
    print(f"(statuses {sorted(statuses.items())}, {kinds})", file=sys.stderr)


def cmd_signal(a, cmd):
    sig = getattr(signal, "SIG" + a.signal)
    if a.ignored:
        signal.signal(sig, signal.SIG_IGN)
    _, result = undisturbed(cmd, a.file, a.reset)
    statuses = {}
    outcomes = set()
    for _ in range(a.runs):
        shutil.copyfile(a.reset, a.file)
        before = digest(a.file)
        proc = start(cmd, stderr=subprocess.PIPE)
        while proc.poll() is None:
            try:
                proc.send_signal(sig)
            except ProcessLookupError:
                pass
            time.sleep(0.001)
        err = proc.stderr.read().decode(errors="replace")
        status = proc.returncode
        statuses[status] = statuses.get(status, 0) + 1
        if a.ignored and status != 0:
            fail(f"the tool ended with status {status}: {err.strip()}")
        if not a.ignored and status not in (0, -sig):
            fail(f"the tool ended with status {status}: {err.strip()}")
        if status == -sig and digest(a.file) not in (before, result):
            fail(f"{a.file} is neither the old file nor the whole new one "
                 "after an interrupted run")
        if temporaries(a.file):
            fail(f"temporary files remain: {temporaries(a.file)}")
    print(f"{a.runs} runs sent SIG{a.signal}"
          f"{' (ignored)' if a.ignored else ''}: no temporary file; "
          f"exit statuses {sorted(statuses.items())}")


IN_OPEN = 0x20
IN_NONBLOCK = os.O_NONBLOCK


def cmd_watch_opens(a, cmd):
    libc = ctypes.CDLL(None, use_errno=True)
    fd = libc.inotify_init1(IN_NONBLOCK)
    if fd < 0:
        fail("inotify_init1 failed")
    watches = {}
    for d in a.dirs:
        wd = libc.inotify_add_watch(fd, os.fsencode(d), IN_OPEN)
        if wd < 0:
            fail(f"cannot watch {d}")
        watches[wd] = d
    status = subprocess.run(cmd).returncode
    opened = []
    while True:
        try:
            buf = os.read(fd, 65536)
        except BlockingIOError:
            break
        pos = 0
        while pos < len(buf):
            wd, mask, _, length = struct.unpack_from("iIII", buf, pos)
            name = buf[pos + 16:pos + 16 + length].rstrip(b"\0").decode()
            opened.append(os.path.join(watches[wd], name) if name else watches[wd])
            pos += 16 + length
    os.close(fd)
    for o in sorted(set(opened)) or ["none"]:
        print("opened: " + o)
    return status


def cmd_read_fifo(a, cmd):
    # O_NONBLOCK: open() for reading returns at once, writer or not, and
    # from then on the FIFO has a reader. A read with no writer connected
    # (CMD not there yet, or gone) returns b"".
    fd = os.open(a.fifo, os.O_RDONLY | os.O_NONBLOCK)
    proc = start(cmd)
    with open(a.to, "wb") as out:
        while True:
            ended = proc.poll() is not None
            # After CMD has ended everything it wrote is in the pipe: drain
            # it until EOF (or, if CMD never opened the FIFO, nothing).
            try:
                data = os.read(fd, 65536)
            except BlockingIOError:
                data = None  # A writer is connected; nothing yet.
            if data:
                out.write(data)
                continue
            if ended:
                break
            select.select([fd], [], [], 0.05)
            if data == b"":
                time.sleep(0.001)  # No writer yet: EOF is always readable.
    os.close(fd)
    return proc.wait()


def main():
    p = argparse.ArgumentParser()
    sub = p.add_subparsers(dest="what", required=True)
    k = sub.add_parser("kill")
    k.add_argument("file")
    k.add_argument("--old", required=True)
    k.add_argument("--new", required=True)
    k.add_argument("--runs", type=int, default=20)
    k.add_argument("--max-delay-ms", type=float, default=50)
    k.add_argument("--seed", type=int, default=1)
    h = sub.add_parser("lock-held")
    h.add_argument("file")
    h.add_argument("--tries", type=int, default=20)
    r = sub.add_parser("replace")
    r.add_argument("file")
    r.add_argument("--versions", nargs="+", required=True)
    r.add_argument("--allowed", nargs="+", required=True)
    r.add_argument("--runs", type=int, default=100)
    r.add_argument("--mode", choices=["rename", "rewrite", "remove"], default="rename")
    c = sub.add_parser("concurrent")
    c.add_argument("file")
    c.add_argument("--reset", required=True)
    c.add_argument("--results", nargs="+", required=True)
    c.add_argument("--rounds", type=int, default=20)
    i = sub.add_parser("interrupt")
    i.add_argument("file")
    i.add_argument("--reset", required=True)
    i.add_argument("--then", required=True)
    t = sub.add_parser("truncate")
    t.add_argument("file")
    t.add_argument("--orig", required=True)
    t.add_argument("--hits", type=int, default=8)
    t.add_argument("--edits", action="store_true")
    t.add_argument("--seed", type=int, default=1)
    g = sub.add_parser("signal")
    g.add_argument("file")
    g.add_argument("--reset", required=True)
    g.add_argument("--signal", default="INT")
    g.add_argument("--runs", type=int, default=5)
    g.add_argument("--ignored", action="store_true")
    f = sub.add_parser("read-fifo")
    f.add_argument("fifo")
    f.add_argument("--to", required=True)
    w = sub.add_parser("watch-opens")
    w.add_argument("dirs", nargs="+")
    argv = sys.argv[1:]
    if "--" not in argv:
        p.error("missing -- CMD")
    at = argv.index("--")
    a = p.parse_args(argv[:at])
    cmd = argv[at + 1:]
    handler = {"kill": cmd_kill, "lock-held": cmd_lock_held,
               "replace": cmd_replace, "concurrent": cmd_concurrent,
               "interrupt": cmd_interrupt, "truncate": cmd_truncate,
               "signal": cmd_signal, "read-fifo": cmd_read_fifo,
               "watch-opens": cmd_watch_opens}[a.what]
    try:
        status = handler(a, cmd) or 0
    finally:
        end_children()
    sys.exit(status)


if __name__ == "__main__":
    main()
