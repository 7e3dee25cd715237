#!/usr/bin/env python3
"""Prints the scalars of a TensorBoard log folder as TensorBoard itself reads them, as JSON.

Usage: tools/tensorboard/read_events.py DIR

DIR is a `seqboat train --tensorboard-logdir` folder. Every sub-folder holding event files (one
per split: train, valid, ...) is loaded with TensorBoard's EventAccumulator and printed as

  {"SPLIT": {"file_versions": ["brain.Event:2", ...],
             "scalars": {"TAG": [[STEP, VALUE], ...], ...}}, ...}

with one file version per event file (the first record's), in file-name order, and null for a
non-finite value (as --log-file writes one).

Exit status 2 when the `tensorboard` Python package is missing (pip install tensorboard), 1 when
DIR holds no event files.
"""
import json
import math
import os
import sys

try:
    from tensorboard.backend.event_processing import event_accumulator, event_file_loader
except ImportError as error:
    sys.stderr.write(
        "read_events.py: cannot import the tensorboard Python package "
        f"({error}); install it with: python3 -m pip install tensorboard\n")
    sys.exit(2)


def file_version(path):
    """The file_version of the first record of event file `path` (None when it has none)."""
    for event in event_file_loader.EventFileLoader(path).Load():
        return event.file_version if event.HasField("file_version") else None
    return None


def read_run(folder):
    """The event files' versions and the scalars (tag -> [[step, value]]) of one run folder."""
    accumulator = event_accumulator.EventAccumulator(
        folder, size_guidance={event_accumulator.SCALARS: 0})
    accumulator.Reload()
    scalars = {
        tag: [[event.step, event.value if math.isfinite(event.value) else None]
              for event in accumulator.Scalars(tag)]
        for tag in accumulator.Tags()[event_accumulator.SCALARS]
    }
    files = sorted(name for name in os.listdir(folder) if "tfevents" in name)
    versions = [file_version(os.path.join(folder, name)) for name in files]
    return {"file_versions": versions, "scalars": scalars}


def main():
    if len(sys.argv) != 2:
        sys.stderr.write("usage: read_events.py DIR\n")
        return 1
    root = sys.argv[1]
    runs = {}
    for name in sorted(os.listdir(root)):
        folder = os.path.join(root, name)
        if os.path.isdir(folder) and any("tfevents" in f for f in os.listdir(folder)):
            runs[name] = read_run(folder)
    if not runs:
        sys.stderr.write(f"read_events.py: {root}: no folder with event files\n")
        return 1
    json.dump(runs, sys.stdout, sort_keys=True)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
