#!/usr/bin/env python3
"""report.py: the tables of bench/suite.sh, from hyperfine's JSON exports.

  report.py compare BASE RSS_TSV JSON...
      One row per command of the JSON files (in order): median wall time,
      the ratio to the median of the command named BASE, peak memory from
      RSS_TSV (lines "name<TAB>kilobytes").
  report.py batch FILES RSS_TSV JSON...
      Median wall time per command, files per second for FILES inputs.
  report.py scaling RSS_TSV JSON...
      Commands named "SIZE: what"; one row per SIZE, one column per what.
"""

import json
import sys


def load(paths):
    results = []
    for p in paths:
        with open(p) as f:
            results += json.load(f)["results"]
    return results


def load_rss(path):
    rss = {}
    with open(path) as f:
        for line in f:
            name, _, kb = line.rstrip("\n").rpartition("\t")
            rss[name] = int(kb)
    return rss


def ms(seconds):
    v = seconds * 1000
    return f"{v:.2f} ms" if v < 10 else f"{v:.1f} ms" if v < 100 else f"{v:.0f} ms"


def mib(kb):
    return "" if kb is None else f"{kb / 1024:.1f} MB"


def compare(base, rss_path, paths):
    results = load(paths)
    rss = load_rss(rss_path)
    ref = next(r["median"] for r in results if r["command"] == base)
    print("| command | median | × `cp` | min … max | peak RSS |")
    print("|---|---:|---:|---:|---:|")
    for r in results:
        print(f"| {r['command']} | {ms(r['median'])} | {r['median'] / ref:.2f}× "
              f"| {ms(r['min'])} … {ms(r['max'])} | {mib(rss.get(r['command']))} |")


def batch(files, rss_path, paths):
    results = load(paths)
    rss = load_rss(rss_path)
    print("| command | median | files/s | min … max | peak RSS |")
    print("|---|---:|---:|---:|---:|")
    for r in results:
        rate = f"{int(files) / r['median']:,.0f}" if r["command"].startswith("batch") else ""
        print(f"| {r['command']} | {ms(r['median'])} | {rate} "
              f"| {ms(r['min'])} … {ms(r['max'])} | {mib(rss.get(r['command']))} |")


def scaling(rss_path, paths):
    results = load(paths)
    rss = load_rss(rss_path)
    rows, cols, cell = [], [], {}
    for r in results:
        size, _, what = r["command"].partition(": ")
        if size not in rows:
            rows.append(size)
        if what not in cols:
            cols.append(what)
        cell[size, what] = (r["median"], rss.get(r["command"]))
    print("| input | " + " | ".join(f"{c} (time, peak RSS)" for c in cols) + " |")
    print("|---|" + "---:|" * len(cols))
    for size in rows:
        out = []
        for c in cols:
            t, kb = cell.get((size, c), (None, None))
            out.append("" if t is None else f"{ms(t)}, {mib(kb)}")
        print(f"| {size} | " + " | ".join(out) + " |")


if __name__ == "__main__":
    mode, args = sys.argv[1], sys.argv[2:]
    if mode == "compare":
        compare(args[0], args[1], args[2:])
    elif mode == "batch":
        batch(args[0], args[1], args[2:])
    elif mode == "scaling":
        scaling(args[0], args[1:])
    else:
        sys.exit(__doc__)
