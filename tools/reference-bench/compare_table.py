#!/usr/bin/env python3
"""Prints the side-by-side table of `compare.sh` from the JSON lines it collected.

Usage: compare_table.py DIR CONFIG...   (DIR/CONFIG.ours and DIR/CONFIG.ref hold the JSON lines of
`seqboat bench --json` and `bench_reference.py --json`, one per thread count)
"""

import json
import os
import sys


def by_threads(path):
    """The JSON objects of `path` keyed by their thread count."""
    out = {}
    with open(path) as fh:
        for line in fh:
            line = line.strip()
            if line.startswith("{"):
                r = json.loads(line)
                out[r["threads"]] = r
    return out


def cell(rows, threads, key, digits=0):
    r = rows.get(threads)
    return "-" if r is None or key not in r else "%.*f" % (digits, r[key])


def ratio(a, b, threads, key, invert=False):
    if threads not in a or threads not in b:
        return "-"
    x, y = a[threads][key], b[threads][key]
    if invert:
        x, y = y, x
    return "%.2f" % (x / y) if y else "-"


def mean(values):
    return "%.3f" % (sum(values) / len(values)) if values else "-"


def main():
    folder, configs = sys.argv[1], sys.argv[2:]
    phases = [("train", "train_tokens_per_s", "train_cpu_ms"),
              ("forward", "fwd_tokens_per_s", "fwd_cpu_ms")]
    header = ("%-18s %12s %12s | %9s %9s | %9s %9s | %8s | %10s %10s | %10s %10s | %8s"
              % ("config", "params ours", "params ref", "ours 1t", "ours 2t", "ref 1t", "ref 2t",
                 "ours/ref", "ours cpu1", "ours cpu2", "ref cpu1", "ref cpu2", "ref/ours"))
    notes = []
    for phase, tps, cpu in phases:
        print("%s: tokens/s at 1 and 2 threads, ratio of tokens/s at 2 threads; CPU time per step "
              "(ms) at 1 and 2 threads, ratio of CPU time per step at 2 threads" % phase)
        print(header)
        for c in configs:
            ours = by_threads(os.path.join(folder, c + ".ours"))
            ref = by_threads(os.path.join(folder, c + ".ref"))
            print("%-18s %12s %12s | %9s %9s | %9s %9s | %8s | %10s %10s | %10s %10s | %8s" % (
                c, cell(ours, 1, "parameters"), cell(ref, 1, "parameters"),
                cell(ours, 1, tps), cell(ours, 2, tps), cell(ref, 1, tps), cell(ref, 2, tps),
                ratio(ours, ref, 2, tps), cell(ours, 1, cpu, 1), cell(ours, 2, cpu, 1),
                cell(ref, 1, cpu, 1), cell(ref, 2, cpu, 1), ratio(ours, ref, 2, cpu, invert=True)))
            if phase == "train" and ref.get(2, {}).get("activated_fraction"):
                notes.append("%s: mean activated fraction ours %s, reference %s" % (
                    c, mean(ours.get(2, {}).get("activated_fraction", [])),
                    mean(ref[2]["activated_fraction"])))
        print()
    for n in notes:
        print(n)


if __name__ == "__main__":
    main()
