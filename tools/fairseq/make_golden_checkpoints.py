#!/usr/bin/env python3
"""Writes fairseq-style checkpoints from generated golden files, for the importer's tests of
families the two reference fixtures do not cover. Needs PyTorch and h5py; the suite only reads
the results.

    tools/fairseq/make_golden_checkpoints.py OUT_DIR GOLDEN.h5[:legacy] ...

Each golden file's reference namespace (`config.args`, plus `arch` and the task its model class
trains with) becomes `args`, its `/params` (the reference state dict, including integer buffers
such as batch norm's `num_batches_tracked`) becomes `model`; `:legacy` writes torch's pre-1.6
stream instead of the zip format. A model that reads tokens gets OUT_DIR/NAME.dict.txt: the
dictionary's symbols w0, w1, ... with strictly decreasing counts, so seqboat's token order is
fairseq's.
"""
import argparse
import json
import os
import sys

import h5py
import torch

out = sys.argv[1]
for spec in sys.argv[2:]:
    path, _, form = spec.partition(":")
    name = os.path.basename(path)[:-3]
    golden = h5py.File(path, "r")
    config = json.loads(golden.attrs["config"])
    args = dict(config["args"], arch=config["arch"])
    model_class, rows = config["model_class"], config["task"]["vocab_size"]
    if model_class == "SCRawModel":
        args["task"] = "speech_commands"
    elif model_class == "LRAModel":
        args["task"] = "lra-text" if args.get("input_type", "text") == "text" else "lra-image"
    else:
        args["task"] = "language_modeling"
    state = {}
    golden["params"].visititems(
        lambda key, item: state.__setitem__(key, torch.as_tensor(item[()]).reshape(item.shape))
        if isinstance(item, h5py.Dataset) else None)
    checkpoint = {
        "args": argparse.Namespace(**args),
        "model": state,
        "optimizer_history": [{"criterion_name": "LRACrossEntropyCriterion",
                               "optimizer_name": "FairseqAdam",
                               "lr_scheduler_state": {"best": 50.0}, "num_updates": 7}],
        "extra_state": {"train_iterator": {"version": 2, "epoch": 2, "iterations_in_epoch": 1,
                                           "shuffle": True}},
    }
    torch.save(checkpoint, f"{out}/{name}.pt", _use_new_zipfile_serialization=form != "legacy")
    if rows > 0:
        symbols = rows - 4 - (1 if args["task"] == "lra-text" else 0)
        with open(f"{out}/{name}.dict.txt", "w") as f:
            f.writelines(f"w{i} {1000 - i}\n" for i in range(symbols))
