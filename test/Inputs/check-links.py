#!/usr/bin/env python3
"""check-links.py FILE.md...: every relative link of the Markdown files
(`[text](path)`, `[text](path#anchor)`) names a file or directory that
exists, and an anchor names a heading of the target. Prints one line per
broken link and exits 1 if there is any."""

import os
import re
import sys

LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)\)")
FENCE = re.compile(r"^(```|~~~)")


def anchors(path):
    """GitHub's heading anchors: lower case, punctuation dropped, spaces to -."""
    result = set()
    in_fence = False
    with open(path, encoding="utf-8") as f:
        for line in f:
            if FENCE.match(line):
                in_fence = not in_fence
            elif not in_fence and line.startswith("#"):
                text = line.lstrip("#").strip().lower()
                text = re.sub(r"[^\w\- ]", "", text)
                result.add(text.replace(" ", "-"))
    return result


def main():
    bad = 0
    for doc in sys.argv[1:]:
        in_fence = False
        with open(doc, encoding="utf-8") as f:
            lines = f.readlines()
        for n, line in enumerate(lines, 1):
            if FENCE.match(line):
                in_fence = not in_fence
                continue
            if in_fence:
                continue
            for target in LINK.findall(line):
                if re.match(r"^[a-z]+:", target):
                    continue  # http:, https:, mailto:
                path, _, anchor = target.partition("#")
                full = os.path.normpath(os.path.join(os.path.dirname(doc), path)) if path else doc
                if not os.path.exists(full):
                    print("%s:%d: broken link: %s" % (doc, n, target))
                    bad += 1
                elif anchor and full.endswith(".md") and anchor not in anchors(full):
                    print("%s:%d: no heading for anchor: %s" % (doc, n, target))
                    bad += 1
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
