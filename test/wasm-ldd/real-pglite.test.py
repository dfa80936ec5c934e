"""real-pglite.test.py BEFORE_DIR AFTER_DIR WASM_SECTIONS_PY: compares each
module before and after wasm-set-rpath with the independent reader
wasm-sections.py: every section but dylink.0 and the added rpath.0 is
byte-identical, and dylink.0 keeps each subsection (type 6 included) with
one RUNTIME_PATH (type 5) added. Prints a summary; exits 1 on a difference."""
import glob
import importlib.util
import os
import sys

spec = importlib.util.spec_from_file_location("ws", sys.argv[3])
ws = importlib.util.module_from_spec(spec)
spec.loader.exec_module(ws)


def parts(path):
    data = open(path, "rb").read()
    secs, subs = [], []
    for sid, name, whole, payload in ws.sections(data):
        if name == "dylink.0":
            pos = 0
            while pos < len(payload):
                t = payload[pos]
                size, p = ws.uleb(payload, pos + 1)
                subs.append((t, payload[pos:p + size]))
                pos = p + size
        elif name != "rpath.0":
            secs.append(whole)
    return secs, subs


bad, type6 = [], 0
files = sorted(glob.glob(os.path.join(sys.argv[1], "*.so")))
for f in files:
    s1, d1 = parts(f)
    s2, d2 = parts(os.path.join(sys.argv[2], os.path.basename(f)))
    if s1 != s2:
        bad.append(f + ": sections differ")
    if [x for x in d2 if x[0] != 5] != d1 or sum(x[0] == 5 for x in d2) != 1:
        bad.append(f + ": dylink.0 subsections differ")
    type6 += any(t == 6 for t, _ in d2)
for b in bad:
    print(b)
print(f"{len(files)} modules: sections kept, dylink.0 subsections kept, "
      f"type 6 in {type6}")
sys.exit(1 if bad else 0)
