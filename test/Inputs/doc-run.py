#!/usr/bin/env python3
"""doc-run.py: run the commands of a Markdown document and check their output.

The guides in docs/ are tested by running them, not by keeping a copy of
their commands in a test: a lit test (test/docs/) calls this script on the
guide in a fresh directory, and the guide cannot drift from what the tools do.

    doc-run.py [--section HEADING]... [--subst OLD=NEW]... [--list] DOC.md

Which fenced code blocks do what:

  ```console   lines starting with "$ " are commands (a line ending in "\\"
               continues on the next); the lines after a command, up to the
               next "$ " line, are its expected output (stdout and stderr
               together, as on a terminal). A line "..." in the expected output
               matches any number of lines. Every command must exit 0, but
               for the last one of a block preceded by
               <!-- doc-test: exit=N -->, which must exit N.
  ```sh        (or bash, shell) a script, run as it is with `set -e`; its
               output is not checked.
  other        (c, cmake, make, ...) not run.

Directives, in an HTML comment on the line(s) just before a block:

  <!-- doc-test: file=NAME -->      write the block to NAME (in the working
                                    directory) instead of running it
  <!-- doc-test: same-as=PATH -->   the block must equal the file PATH
                                    (relative to the document's directory);
                                    may be combined with file=NAME
  <!-- doc-test: exit=N -->         the last command of the console block
                                    must exit with status N
  <!-- doc-test: skip -->           neither run nor check the block

With --section, only blocks under a heading (any level) whose text is one of
the given ones are used. --subst replaces the text OLD by NEW in the commands
(not in the expected output), so that a guide can show the paths a reader
uses (/usr/share/wasm-rpath, ~/.cache) and the test can map them. All selected blocks run in one bash process, in the
current directory, in document order: `cd` and variables carry over.
Exit status: 0 if every command succeeded and printed what the document
shows; 1 otherwise, with a diff per difference.
"""

import argparse
import difflib
import os
import re
import subprocess
import sys

FENCE = re.compile(r"^(```+|~~~+)\s*([\w+-]*)")
DIRECTIVE = re.compile(r"^<!--\s*doc-test:\s*(.*?)\s*-->\s*$")
HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
SCRIPT_LANGS = {"sh", "bash", "shell"}


class Block:
    def __init__(self, lang, lines, line_no, directives, sections):
        self.lang = lang
        self.lines = lines
        self.line_no = line_no  # 1-based line of the first content line
        self.directives = directives
        self.sections = sections


def parse_blocks(text):
    blocks = []
    headings = {}  # level -> text
    pending = {}
    lines = text.split("\n")
    i = 0
    while i < len(lines):
        line = lines[i]
        m = FENCE.match(line)
        if m:
            fence, lang = m.group(1), m.group(2).lower()
            body = []
            j = i + 1
            while j < len(lines) and not lines[j].startswith(fence):
                body.append(lines[j])
                j += 1
            if j == len(lines):
                raise SystemExit("doc-run: unterminated code block at line %d" % (i + 1))
            blocks.append(Block(lang, body, i + 2, pending, list(headings.values())))
            pending = {}
            i = j + 1
            continue
        d = DIRECTIVE.match(line)
        if d:
            for word in d.group(1).split():
                key, _, value = word.partition("=")
                pending[key] = value
        elif line.strip():
            h = HEADING.match(line)
            if h:
                level = len(h.group(1))
                for k in [k for k in headings if k >= level]:
                    del headings[k]
                headings[level] = h.group(2)
            pending = {}
        i += 1
    return blocks


def console_commands(block):
    """(command, expected output lines, doc line) for each '$ ' command."""
    cmds = []
    i = 0
    lines = block.lines
    while i < len(lines):
        line = lines[i]
        if not line.startswith("$ "):
            if not cmds:
                raise SystemExit("doc-run: line %d: console block output before any command"
                                 % (block.line_no + i))
            cmds[-1][1].append(line)
            i += 1
            continue
        start = i
        cmd = line[2:]
        while cmd.endswith("\\") and i + 1 < len(lines):
            i += 1
            nxt = lines[i]
            cmd += "\n" + (nxt[2:] if nxt.startswith("> ") else nxt)
        cmds.append((cmd, [], block.line_no + start))
        i += 1
    for cmd in cmds:
        while cmd[1] and cmd[1][-1] == "":
            cmd[1].pop()
    return cmds


def matches(expected, actual):
    """Expected lines against actual ones; '...' matches any run of lines."""
    if not expected:
        return not actual
    if expected[0] == "...":
        return any(matches(expected[1:], actual[k:]) for k in range(len(actual) + 1))
    return bool(actual) and expected[0] == actual[0] and matches(expected[1:], actual[1:])


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("doc")
    ap.add_argument("--section", action="append", default=[])
    ap.add_argument("--subst", action="append", default=[], metavar="OLD=NEW")
    ap.add_argument("--list", action="store_true", help="show what would run")
    args = ap.parse_args()

    with open(args.doc, encoding="utf-8") as f:
        blocks = parse_blocks(f.read())
    doc_dir = os.path.dirname(os.path.abspath(args.doc))
    substs = [tuple(x.split("=", 1)) for x in args.subst]

    def subst(text):
        for old, new in substs:
            text = text.replace(old, new)
        return text
    name = os.path.basename(args.doc)
    failures = []

    selected = [b for b in blocks
                if not args.section or any(s in b.sections for s in args.section)]
    if not selected:
        raise SystemExit("doc-run: %s: no code blocks selected" % name)

    script = ["set +e", "exec 2>&1"]
    checks = []  # (kind, index, block, data)
    for b in selected:
        d = b.directives
        if "skip" in d:
            continue
        if "same-as" in d:
            path = os.path.join(doc_dir, d["same-as"])
            with open(path, encoding="utf-8") as f:
                want = f.read().rstrip("\n").split("\n")
            if b.lines != want:
                diff = "\n".join(difflib.unified_diff(
                    b.lines, want, "%s:%d" % (name, b.line_no), d["same-as"], lineterm=""))
                failures.append("%s:%d: block differs from %s\n%s"
                                % (name, b.line_no, d["same-as"], diff))
            if "file" not in d:
                continue
        if "file" in d:
            content = "\n".join(b.lines) + "\n"
            script.append("mkdir -p \"$(dirname %s)\" && cat > %s <<'DOC_RUN_EOF'\n%sDOC_RUN_EOF"
                          % (shell_quote(d["file"]), shell_quote(d["file"]), content))
            continue
        if b.lang in SCRIPT_LANGS:
            k = len(checks)
            script.append("echo '@@DOC-RUN BEGIN %d@@'" % k)
            # In this shell, so that cd and variables carry over; a failure
            # ends the shell, and the missing END marker tells.
            script.append("set -e\n%s\nset +e" % subst("\n".join(b.lines)))
            script.append("echo; echo '@@DOC-RUN END %d 0@@'" % k)
            checks.append(("script", k, b, None))
            continue
        if b.lang == "console":
            cmds = console_commands(b)
            for n, (cmd, expected, line_no) in enumerate(cmds):
                want_status = int(d.get("exit", "0")) if n == len(cmds) - 1 else 0
                k = len(checks)
                script.append("echo '@@DOC-RUN BEGIN %d@@'" % k)
                script.append("{ %s\n}" % subst(cmd))
                script.append("DOC_RUN_STATUS=$?; echo; echo \"@@DOC-RUN END %d $DOC_RUN_STATUS@@\"" % k)
                checks.append(("command", k, b, (cmd, expected, line_no, want_status)))

    if args.list:
        print("\n".join(script))
        return 0

    proc = subprocess.run(["bash", "-c", "\n".join(script) + "\n"],
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    out = proc.stdout.decode("utf-8", "replace")
    results = {}
    for m in re.finditer(r"@@DOC-RUN BEGIN (\d+)@@\n(.*?)@@DOC-RUN END \1 (\d+)@@", out, re.S):
        results[int(m.group(1))] = (m.group(2), int(m.group(3)))

    for kind, k, b, data in checks:
        if k not in results:
            begin = out.find("@@DOC-RUN BEGIN %d@@\n" % k)
            if begin < 0:
                failures.append("%s:%d: did not run" % (name, b.line_no))
            else:
                failures.append("%s:%d: failed (the shell exited); output:\n%s"
                                % (name, b.line_no, out[begin:].split("\n", 1)[1][-3000:]))
            break
        text, status = results[k]
        if kind == "script":
            continue
        cmd, expected, line_no, want_status = data
        # The END marker is preceded by the newline echoed after the command.
        text = text[:-1] if text.endswith("\n") else text
        text = text[:-1] if text.endswith("\n") else text
        actual = text.split("\n") if text else []
        if status != want_status:
            failures.append("%s:%d: '%s' exited with %d, not %d; output:\n%s"
                            % (name, line_no, cmd, status, want_status, text))
        elif not matches(expected, actual):
            diff = "\n".join(difflib.unified_diff(expected, actual, "expected (%s:%d)"
                                                  % (name, line_no), "actual", lineterm=""))
            failures.append("%s:%d: output of '%s' differs:\n%s" % (name, line_no, cmd, diff))

    for f in failures:
        print("doc-run: " + f, file=sys.stderr)
    ncmd = sum(1 for c in checks if c[0] == "command")
    nscript = len(checks) - ncmd
    print("doc-run: %s: %d commands, %d scripts, %d failures"
          % (name, ncmd, nscript, len(failures)))
    return 1 if failures else 0


def shell_quote(s):
    return "'" + s.replace("'", "'\\''") + "'"


if __name__ == "__main__":
    sys.exit(main())
