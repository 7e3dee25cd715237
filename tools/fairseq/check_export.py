#!/usr/bin/env python3
"""Checks `seqboat export-fairseq` output with PyTorch and the reference code (not run by the
suite, which needs neither).

    tools/fairseq/check_export.py --reference PATH/TO/facebookresearch-mega \
        --fixtures Tests/Fixtures/fairseq NAME=EXPORTED.pt ...

For each NAME (a fixture: NAME.pt, NAME.dict.txt, NAME.expected.h5) it
  1. torch.load()s the export and the fixture and compares every state-dict entry, its dtype and
     shape, which names share a storage, and the Adam state;
  2. runs fairseq's checkpoint_utils.load_checkpoint_to_cpu on the export, builds the reference
     model from the exported args and the dictionary alone, loads the state dict with
     strict=True and compares its forward pass on the fixture's batch with the expected outputs.
The reference package imports optional modules (sklearn, torchaudio, ...) at start-up; those
not installed are replaced by empty stand-ins, and numpy aliases it still uses are restored.
"""
import argparse
import importlib.util
import sys
import types

import h5py
import numpy as np
import torch

parser = argparse.ArgumentParser()
parser.add_argument("--reference", required=True)
parser.add_argument("--fixtures", required=True)
parser.add_argument("pairs", nargs="+", help="NAME=EXPORTED.pt")
opts = parser.parse_args()

for alias, kind in [("float", float), ("int", int), ("bool", bool), ("long", int)]:
    setattr(np, alias, kind)


class StandIn(types.ModuleType):
    def __getattr__(self, name):
        if name.startswith("__"):
            raise AttributeError(name)
        return StandIn(f"{self.__name__}.{name}")


sys.path.insert(0, opts.reference)
for name in ["sklearn", "sklearn.model_selection", "torchaudio", "torchaudio.transforms",
             "scipy", "scipy.io", "scipy.io.wavfile", "fairseq.libbleu",
             "fairseq.data.data_utils_fast", "fairseq.data.token_block_utils_fast"]:
    top = name.split(".")[0]
    if name.startswith("fairseq.") or top in sys.modules or importlib.util.find_spec(top) is None:
        sys.modules[name] = StandIn(name)

from fairseq import checkpoint_utils, models  # noqa: E402
from fairseq.data import Dictionary  # noqa: E402

torch.serialization.add_safe_globals([argparse.Namespace])
failed = False
for pair in opts.pairs:
    name, exported = pair.split("=", 1)
    original = torch.load(f"{opts.fixtures}/{name}.pt", map_location="cpu", weights_only=False)
    ours = torch.load(exported, map_location="cpu", weights_only=False)
    a, b = original["model"], ours["model"]
    same_keys = set(a) == set(b)
    diff = max(float((a[k].double() - b[k].double()).abs().max()) for k in a if k in b)
    same_types = all(k in b and a[k].dtype == b[k].dtype and a[k].shape == b[k].shape for k in a)

    def shared(state):
        groups = {}
        for key, value in state.items():
            groups.setdefault(value.untyped_storage().data_ptr(), []).append(key)
        return sorted(sorted(g) for g in groups.values() if len(g) > 1)

    oa, ob = original["last_optimizer_state"]["state"], ours["last_optimizer_state"]["state"]
    moment_diff = max(float((oa[i][k] - ob[i][k]).abs().max())
                      for i in oa for k in ("exp_avg", "exp_avg_sq"))
    steps_equal = all(oa[i]["step"] == ob[i]["step"] for i in oa) and len(oa) == len(ob)
    print(f"{name}: torch.load: {len(b)} entries, same names {same_keys}, max |diff| {diff:g}, "
          f"same dtypes/shapes {same_types}, same tied groups {shared(a) == shared(b)} "
          f"({len(shared(b))}), Adam states {len(ob)}, max |moment diff| {moment_diff:g}, "
          f"steps equal {steps_equal}")

    state = checkpoint_utils.load_checkpoint_to_cpu(exported)
    args = state["args"]
    dictionary = Dictionary.load(f"{opts.fixtures}/{name}.dict.txt")
    if args.task == "lra-text":
        dictionary.add_symbol("<CLS>")
    task = types.SimpleNamespace(dictionary=dictionary, source_dictionary=dictionary,
                                 target_dictionary=dictionary, args=args)
    model = models.ARCH_MODEL_REGISTRY[args.arch].build_model(args, task)
    model.load_state_dict(state["model"], strict=True)
    model.eval()
    fixture = h5py.File(f"{opts.fixtures}/{name}.expected.h5", "r")
    tokens = torch.from_numpy(fixture["inputs/src_tokens"][:])
    with torch.no_grad():
        if args.task == "lra-text":
            lengths = torch.from_numpy(fixture["inputs/src_lengths"][:])
            got = model({"net_input": {"src_tokens": tokens, "src_lengths": lengths}})
            got, key = got["encoder_out"], "logits"
        else:
            got, key = model(tokens, None)[0], "features"
    expected = torch.from_numpy(fixture[f"outputs/float32/{key}"][:])
    forward = float((got - expected).abs().max())
    print(f"{name}: load_checkpoint_to_cpu + {type(model).__name__}.load_state_dict(strict=True)"
          f" ok; forward {key} max |got - expected| {forward:g}")
    failed |= not (same_keys and same_types and diff == 0 and moment_diff == 0 and forward == 0)
sys.exit(1 if failed else 0)
