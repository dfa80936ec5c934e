#!/usr/bin/env python3
"""check-catalogue.py: every error message in the sources is catalogued.

Finds the text of every error and warning the tools can print: the string
literals in the arguments of the functions that make them (makeError,
usageError, createStringError, errnoError, writeError, Fail,
WithColor::error and ::warning, and the Error field of a library node) in
lib/*/*.cpp and tools/*/*.cpp. Each must appear in CATALOGUE (the lit test
test/reliability/error-catalogue.test) in a FileCheck pattern line (one
holding ':' after a check prefix) or in an "## UNTESTED: ..." line that says
why it cannot be triggered there.

  check-catalogue.py SOURCE_ROOT CATALOGUE [MORE_CATALOGUES...] [--list]

A tool with a catalogue of its own (test/wasm-auditwheel/bad-input.test)
is given as a further file; the pattern lines of all of them count.

Prints the messages that are missing (exit 1), or with --list every
literal found, by file.
"""
import glob
import os
import re
import sys

CALLS = re.compile(
    r"\b(makeError|usageError|createStringError|errnoError|writeError|Fail|"
    r"WithColor::error|WithColor::warning|Error\s*=)\s*[(\"]")
STRING = re.compile(r'"((?:[^"\\]|\\.)*)"')


def spans(text):
    """The source text of each error-making call, to its end."""
    for m in CALLS.finditer(text):
        start = m.end() - 1
        if m.group(1).startswith("WithColor") or m.group(1).startswith("Error"):
            # A stream chain or an assignment: up to the end of the statement.
            end = text.index(";", start)
        else:
            depth, i = 0, start
            while True:
                c = text[i]
                if c == '"':
                    i = STRING.match(text, i).end()
                    continue
                if c == "(":
                    depth += 1
                elif c == ")":
                    depth -= 1
                    if depth == 0:
                        break
                i += 1
            end = i
        yield text[start:end]


def literals(path):
    text = open(path).read()
    # Comments are not messages.
    text = re.sub(r"//[^\n]*", "", text)
    found = []
    for span in spans(text):
        for lit in STRING.findall(span):
            lit = bytes(lit, "utf-8").decode("unicode_escape").strip()
            # Punctuation and separators ("': ", "\n") are not messages.
            if sum(c.isalpha() for c in lit) >= 3:
                found.append(lit)
    return found


def main():
    root = sys.argv[1]
    catalogues = [a for a in sys.argv[2:] if a != "--list"]
    sources = sorted(glob.glob(os.path.join(root, "lib", "*", "*.cpp")) +
                     glob.glob(os.path.join(root, "tools", "*", "*.cpp")))
    lines = [l for c in catalogues for l in open(c).read().splitlines()]
    checked = [l for l in lines
               if re.match(r"#\s+[A-Z0-9-]+(-NEXT|-SAME|-NOT|-EMPTY)?:", l)
               or l.startswith("## UNTESTED:")]
    text = "\n".join(checked)
    missing = []
    for path in sources:
        rel = os.path.relpath(path, root)
        for lit in literals(path):
            if "--list" in sys.argv:
                print(f"{rel}: {lit}")
            elif lit not in text:
                missing.append(f"{rel}: {lit}")
    for m in missing:
        print("not in the catalogue: " + m)
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main())
