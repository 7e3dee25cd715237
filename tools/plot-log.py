#!/usr/bin/python3
"""Plot a seqboat JSON-lines training log as a PNG of loss and metric curves.

Usage: tools/plot-log.py LOG.jsonl [-o OUT.png] [--title TEXT]

The log holds one JSON object per line: per update {"update", "loss", "lr", ...} and per evaluation
{"split", "update", "loss", and "accuracy" (in %, as seqboat logs it) or "bpc"/"ppl"}. The figure has a loss panel (training
loss per update, lightly smoothed, plus each evaluation split), a metric panel (accuracy in %, bpc
or perplexity per split) and, when present, the learning rate. Lines that are not JSON objects, and
objects without an update number, are counted and skipped. Exit status 1 with one line on bad input.
"""

import argparse
import json
import math
import os
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402  (the backend must be chosen first)

SPLIT_COLORS = ("tab:orange", "tab:green", "tab:red", "tab:purple", "tab:brown")
METRICS = (("accuracy", "accuracy (%)"), ("bpc", "bits per character"), ("ppl", "perplexity"))


def fail(message):
    print(f"plot-log: {message}", file=sys.stderr)
    sys.exit(1)


def number(value):
    """The value as a finite float, or None."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    value = float(value)
    return value if math.isfinite(value) else None


def read_log(path):
    """Training records and evaluation records (by split), each sorted by update."""
    train, evals, skipped = [], {}, 0
    try:
        handle = open(path, encoding="utf-8")
    except OSError as error:
        fail(f"{path}: {error.strerror}")
    with handle:
        for line in handle:
            line = line.strip()
            if not line:
                continue
            try:
                record = json.loads(line)
            except json.JSONDecodeError:
                skipped += 1
                continue
            if not isinstance(record, dict) or number(record.get("update")) is None:
                skipped += 1
                continue
            if isinstance(record.get("split"), str):
                evals.setdefault(record["split"], []).append(record)
            else:
                train.append(record)
    if skipped:
        print(f"plot-log: {path}: skipped {skipped} line(s) without an update record", file=sys.stderr)
    train.sort(key=lambda r: r["update"])
    for records in evals.values():
        records.sort(key=lambda r: r["update"])
    return train, evals


def series(records, key):
    """(updates, values) of the records that carry a finite `key`."""
    xs, ys = [], []
    for record in records:
        value = number(record.get(key))
        if value is not None:
            xs.append(record["update"])
            ys.append(value)
    return xs, ys


def smooth(values, span):
    """Exponential moving average with the given span (1 = none)."""
    alpha, out, level = 2.0 / (span + 1.0), [], None
    for value in values:
        level = value if level is None else level + alpha * (value - level)
        out.append(level)
    return out


def plot(train, evals, title, out):
    metric = next((m for m in METRICS if any(series(r, m[0])[0] for r in evals.values())), None)
    _, lrs = series(train, "lr")
    panels = 1 + (metric is not None) + bool(lrs)
    fig, axes = plt.subplots(panels, 1, figsize=(8, 2.8 * panels + 0.6), sharex=True, squeeze=False)
    axes = [a[0] for a in axes]
    colors = {split: SPLIT_COLORS[i % len(SPLIT_COLORS)] for i, split in enumerate(sorted(evals))}

    loss = axes[0]
    xs, ys = series(train, "loss")
    if xs:
        span = max(1, len(ys) // 50)
        loss.plot(xs, ys, color="tab:blue", alpha=0.25, linewidth=0.8)
        loss.plot(xs, smooth(ys, span), color="tab:blue", label=f"train (EMA span {span})")
    for split, records in sorted(evals.items()):
        ex, ey = series(records, "loss")
        if ex:
            loss.plot(ex, ey, marker="o", markersize=3, color=colors[split], label=split)
    loss.set_ylabel("loss")
    loss.grid(alpha=0.3)
    loss.legend(loc="upper right", fontsize="small")

    row = 1
    if metric is not None:
        key, label = metric
        ax = axes[row]
        row += 1
        for split, records in sorted(evals.items()):
            ex, ey = series(records, key)
            if ex:
                ax.plot(ex, ey, marker="o", markersize=3, color=colors[split], label=split)
                best = max(ey) if key == "accuracy" else min(ey)
                ax.annotate(f"{best:.2f}", (ex[ey.index(best)], best), fontsize="small",
                            textcoords="offset points", xytext=(0, 6), ha="center")
        ax.set_ylabel(label)
        ax.margins(y=0.15)
        ax.grid(alpha=0.3)
        # Accuracy rises and bpc/perplexity fall: keep the legend in the corner the curves leave.
        ax.legend(loc="lower right" if key == "accuracy" else "upper right", fontsize="small")
    if lrs:
        ax = axes[row]
        lx, ly = series(train, "lr")
        ax.plot(lx, ly, color="tab:gray")
        ax.set_ylabel("learning rate")
        ax.ticklabel_format(axis="y", style="sci", scilimits=(-3, 3))
        ax.grid(alpha=0.3)
    axes[-1].set_xlabel("update")
    fig.suptitle(title)
    fig.tight_layout()
    fig.savefig(out, dpi=110)
    plt.close(fig)


def main():
    parser = argparse.ArgumentParser(description="Plot a seqboat JSON-lines training log.")
    parser.add_argument("log", help="JSON-lines log written by seqboat train --log-file")
    parser.add_argument("-o", "--output", help="PNG to write (default: LOG with .png)")
    parser.add_argument("--title", help="figure title (default: the log's file name)")
    args = parser.parse_args()
    train, evals = read_log(args.log)
    if not series(train, "loss")[0] and not any(series(r, "loss")[0] for r in evals.values()):
        fail(f"{args.log}: no record with both 'update' and 'loss'")
    out = args.output or os.path.splitext(args.log)[0] + ".png"
    plot(train, evals, args.title or os.path.basename(args.log), out)
    print(out)


if __name__ == "__main__":
    main()
