#!/usr/bin/env python3
"""check-man.py MANPAGE -- TOOL [ARGS...]: every option of a tool's help is
in its man page.

Runs TOOL ARGS (its help), takes every token that looks like an option
(`-x`, `--long-name`, cut at `=`, `[` or `<`) from the whole text, and checks
that each one appears in the man page source as an option (roff's `\\-` read
as `-`, font escapes removed). Prints the options found, one per line, so
that a test can also check the list; exits 1, naming the missing ones, if
any is missing.
"""

import re
import subprocess
import sys

OPTION = re.compile(r"(?:^|(?<=[\s(\[,]))(--?[A-Za-z][A-Za-z0-9-]*)", re.M)


def man_text(path):
    with open(path, encoding="utf-8") as f:
        text = f.read()
    text = re.sub(r"\\f(\[[^]]*\]|\(..|.)", "", text)  # font changes
    text = text.replace("\\-", "-").replace("\\(hy", "-")
    return text


def main():
    if len(sys.argv) < 4 or sys.argv[2] != "--":
        sys.exit(__doc__)
    man, cmd = sys.argv[1], sys.argv[3:]
    help_text = subprocess.run(cmd, stdout=subprocess.PIPE, check=True,
                               text=True).stdout
    options = sorted(set(OPTION.findall(help_text)))
    if not options:
        sys.exit("check-man: no options in the output of " + " ".join(cmd))
    text = man_text(man)
    missing = [o for o in options
               if not re.search(r"(?<![\w-])" + re.escape(o) + r"(?![\w-])", text)]
    for o in options:
        print(o)
    if missing:
        print("check-man: %s lacks options of '%s --help': %s"
              % (man, cmd[0], " ".join(missing)), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
