#!/usr/bin/env python3
"""Model golden files from the PyTorch reference code of Mega and SeqBoat.

Writes HDF5 files of the `seqboat-golden` schema (version 1, kinds `model_lra`, `model_sc`,
`model_lm`; see Tests/Fixtures/golden/README.md) for model configurations drawn at random, or given in a
JSON file.  The reference code is imported unchanged from its own fairseq copy: each family runs in
its own Python process (the two repositories are separate fairseq copies with the same module
names).

How one case is made (README *Conventions*):

1. The argument namespace (explicit values + the architecture function + `build_model`) builds the
   model with the reference's own `build_model`; the parser of the model class (`add_args`)
   checks every value that has a fixed set of choices.
2. The parameters are re-randomised (noise on every tensor, EMA `delta`/`alpha` noise std 0.5,
   batchnorm running statistics redrawn) and stored as float32.
3. A fresh model in float32 runs forward + loss + backward (for `float32_torch_rel_err` and the
   tolerances), then a fresh model in float64 with the reference's float32 casts made no-ops and
   the rotary tables recomputed in float64 (the stored values).
4. SeqBoat router outputs come from hooks on each `SeqBoatUnit` (`hx_proj`, `q_router`), one
   per encoder/decoder layer run (retrieval: layers 0..N-1 on `src_tokens`, then N..2N-1 on `src1_tokens`); a case whose router decisions differ between float32 and float64, or lie too close to a
   tie, gets new parameter noise.

Usage:
    python3 make_model_goldens.py --random 40 --seed 1 --out DIR      # sample and write
    python3 make_model_goldens.py --specs cases.json --out DIR         # explicit case list
    python3 make_model_goldens.py --random 40 --seed 1 --dry-run       # print the sampled specs
    python3 make_model_goldens.py --verify DIR --report FILE [--control F.h5]

A case spec is a JSON object: `case`, `family` (mega|seqboat), `model_class`, `arch`, `task`
(`vocab_size`, `padding_idx`, `eos_idx`), `args` (explicit namespace values), `input`
(text|retrieval|image|audio|lm), `batch`, `length`, `mode` (eval|train), `seed`.
"""

import argparse
import json
import math
import os
import subprocess
import sys
import tempfile
import time
import traceback

DEFAULT_REFS = {
    "mega": "/tmp/ref/facebookresearch+mega",
    "seqboat": "/tmp/ref/renll+SeqBoat",
}
REFERENCE_IDS = {
    "mega": "facebookresearch/mega@aeaa4b44592cd1d60a9a34554e359eda2a62b03b",
    "seqboat": "renll/SeqBoat@5a34aed3c573858630ec64b0f2c4a22948962947",
}
PAD, EOS = 1, 2
FIRST_WORD = 4  # Dictionary(): <s>=0, <pad>=1, </s>=2, <unk>=3

LOSS_TEXT = {
    "lra": "lra_cross_entropy with --sentence-avg: sum over the batch of -log_softmax(logits)[target], "
    "divided by the batch size; gradients are of this scalar (outputs/loss)",
    "lm": "cross_entropy criterion: sum over non-pad targets of -log_softmax(logits)[target] "
    "(ignore_index=pad=1), divided by the number of non-pad targets; gradients are of this scalar "
    "(outputs/loss)",
    "adaptive": "adaptive_loss criterion: sum over non-pad targets of the adaptive-softmax NLL "
    "(head + tail cross entropies, ignore_index=pad), divided by the number of non-pad targets; "
    "gradients are of this scalar (outputs/loss)",
}
TOLERANCE_RULE = (
    "max|got-ref| <= atol_rel * max|ref| per tensor (norm-relative); elementwise |got-ref| <= atol + "
    "rtol*|ref| with atol = atol_rel*max|ref|"
)
DEFAULT_OUTPUTS_ATOL_REL = 1e-5
DEFAULT_GRADS_ATOL_REL = 1e-4
MIN_ROUTER_MARGIN = 1e-4  # relative to max |logit|; below it the case gets new noise


# ---------------------------------------------------------------------------------------------
# Sampler (plain Python: no torch needed)
# ---------------------------------------------------------------------------------------------

# The kinds drawn in turn, so that any N >= 12 covers every family.
KINDS = [
    ("mega", "text"), ("seqboat", "text"), ("mega", "retrieval"), ("seqboat", "retrieval"),
    ("mega", "image"), ("seqboat", "image"), ("mega", "audio"), ("seqboat", "audio"),
    ("mega", "lm"), ("seqboat", "lm"), ("mega", "lm_adaptive"), ("mega", "lm"),
]
ACTIVATIONS = ["silu", "gelu", "relu", "gelu_accurate", "linear", "gelu_fast"]
ATTENTIONS = ["softmax", "relu2", "laplace"]
NORMS = ["layernorm", "scalenorm", "rmsnorm", "batchnorm"]
LM_NORMS = ["layernorm", "scalenorm"]  # the LM parsers' choices


def pick(rng, values, weights=None):
    """One element of `values` (optionally weighted)."""
    return rng.choices(values, weights=weights, k=1)[0]


PARAM_BUDGET = 12000  # parameters per file: float32 values + float64 gradients stay < 300 KB


def layer_params(d):
    """About the parameter count of one Mega/SeqBoat layer with sizes `d` (an upper bound)."""
    e, h, z = d["embed"], d["hidden"], d["z"]
    return e * (z + h + 2 * e + 2) + 2 * e * h + 6 * e * d["n"] + 2 * e * d["ffn"] + 8 * e + 128


def sample_dims(rng, extra=0):
    """Embedding, hidden, z, n and FFN sizes (small; z and E even for rotary/sinusoids), drawn
    until the layers and `extra(embed)` (embeddings, classifier) fit `PARAM_BUDGET`."""
    for _ in range(50):
        d = {
            "embed": pick(rng, [16, 20, 24, 32]),
            "hidden": pick(rng, [16, 24, 32]),
            "z": pick(rng, [8, 12, 16]),
            "n": pick(rng, [2, 3, 4]),
            "ffn": pick(rng, [16, 24, 32]),
            "layers": pick(rng, [1, 2, 3], [3, 5, 2]),
        }
        total = d["layers"] * layer_params(d) + (extra(d["embed"]) if extra else 0)
        if total <= PARAM_BUDGET:
            return d
    return {"embed": 16, "hidden": 16, "z": 8, "n": 2, "ffn": 16, "layers": 1}


def sample_chunk(rng, length, must_divide, p_none=0.35):
    """-1 (probability `p_none`), a chunk shorter than `length` (a divisor if `must_divide`), or
    rarely one >= length.  (SeqBoat: the local-attention window; -1 = its non-local mode.)"""
    r = rng.random()
    if r < p_none:
        return -1
    r = 0.35 + (r - p_none) * 0.65 / (1 - p_none)  # the rest as with p_none = 0.35
    if must_divide:
        divisors = [c for c in range(4, length) if length % c == 0]
        if r < 0.9 and divisors:
            return pick(rng, divisors)
        return length if r < 0.95 else length + pick(rng, [0, 4, 8])
    if r < 0.9:
        return pick(rng, [c for c in (4, 6, 8, 12, 16) if c < length] or [length])
    return length + pick(rng, [0, 3, 8])


def sample_truncation(rng, length):
    """None or a truncation length of the EMA kernel (shorter or longer than L)."""
    return pick(rng, [None, max(2, length // 3), length // 2, 1024], [3, 2, 2, 3])


def classifier_args(rng, in_dim, sc):
    """classifier_layers/out_dim/activation; 0 layers needs out_dim == in_dim (LRA)."""
    layers = pick(rng, [0, 1, 2], [1, 6, 3])
    out_dim = pick(rng, [16, 24, 32])
    if layers == 0 and not sc:
        out_dim = in_dim
    return {
        "classifier_layers": layers,
        "classifier_out_dim": out_dim,
        "classifier_activation_fn": pick(rng, ACTIVATIONS[:5]),
    }


def seqboat_extras(rng, lm=False):
    """The SeqBoat-only namespace values."""
    extras = {
        "init_temp_scale": pick(rng, [0.3, 0.5, 1.0, 0.2]),
        "local_pos": rng.random() < 0.35,
    }
    if not lm:
        extras.update({
            "act_bias": pick(rng, [0.0, 0.0, 0.0, 0.25, -0.375]),  # exact in float32
            "add_apos": rng.random() < 0.3,
            "always_act": False,
            "max_update": 0,
        })
    return extras


def sample_classifier_case(rng, family, inp):
    """An LRAModel (text, retrieval, image) or SCRawModel (audio) case."""
    d = sample_dims(rng, extra=lambda e: 32 * e + 4 * e * 32 + 32 * 32)
    sc = inp == "audio"
    length = pick(rng, [12, 16, 20, 24, 30, 32, 37, 40, 48] if inp in ("text", "retrieval")
                  else [16, 24, 32, 36, 48, 64])
    real = inp in ("image", "audio")
    mega_real = real and family == "mega"
    chunk = sample_chunk(rng, length, must_divide=mega_real,
                         p_none=0.35 if family == "mega" else 0.15)
    if family == "mega" and chunk > length:
        chunk = length  # MegaSentenceEncoderLayer asserts L % chunk == 0 when L < chunk
    if sc and family == "mega" and chunk > 0 and length % chunk != 0:
        chunk = -1  # MegaSCRawEncoder asserts L % chunk == 0
    prenorm = rng.random() < 0.5
    args = {
        "act_dropout": 0.0, "attention_dropout": 0.0, "dropout": 0.0, "feature_dropout": False,
        "activation_fn": pick(rng, ACTIVATIONS),
        "attention_activation_fn": pick(rng, ATTENTIONS),
        "chunk_size": chunk,
        "encoder_embed_dim": d["embed"],
        "encoder_hidden_dim": d["hidden"],
        "encoder_ffn_embed_dim": pick(rng, [d["ffn"], -1], [4, 1]) if family == "mega"
        else pick(rng, [-1, d["ffn"]], [3, 2]),
        "encoder_layers": d["layers"],
        "encoder_normalize_before": prenorm,
        "max_positions": pick(rng, [64, 80]) if length <= 64 else 2 * length,
        "n_dim": d["n"],
        "z_dim": d["z"],
        "norm_type": pick(rng, NORMS),
        "rel_pos_bias": pick(rng, ["simple", "rotary"]),
        "sen_rep_type": "mp" if real else pick(rng, ["mp", "cls"]),
        "sentence_class_num": pick(rng, [2, 3, 5, 10]),
        "truncation_length": sample_truncation(rng, length),
    }
    if not sc:
        args.update({
            "encoder_layerdrop": 0.0, "input_type": "image" if real else "text", "use_p": False,
            "normalize_embedding": (not prenorm) and rng.random() < 0.3,
        })
    if family == "seqboat":
        args.update(seqboat_extras(rng))
        if sc:
            args.pop("add_apos")  # the SC encoder always adds positions; its parser lacks the flag
        if inp == "retrieval":
            args["use_nli"] = rng.random() < 0.5
        elif not sc:
            args["use_nli"] = False
    in_dim = d["embed"] * (1 if inp != "retrieval" else (4 if args.get("use_nli") else 2))
    args.update(classifier_args(rng, in_dim, sc))
    if inp == "retrieval":
        args["classifier_in_dim"] = in_dim
    prefix = "slag" if family == "seqboat" else "mega"
    arch = {
        "text": prefix + pick(rng, ["_lra_listop", "_lra_imdb"]),
        "retrieval": prefix + "_lra_aan",
        "image": prefix + "_lra_cifar10",
        "audio": prefix + "_sc_raw_base",
    }[inp]
    return {
        "family": family, "model_class": "SCRawModel" if sc else "LRAModel", "arch": arch,
        "task": {"vocab_size": 0 if real else pick(rng, [20, 24, 32]), "padding_idx": PAD,
                 "eos_idx": EOS},
        "args": args, "input": inp, "batch": pick(rng, [2, 3]), "length": length,
    }


def sample_lm_case(rng, family, adaptive):
    """A MegaLanguageModel or SeqBoatLanguageModel case."""
    d = sample_dims(rng, extra=lambda e: 2 * 60 * e)
    length = pick(rng, [12, 16, 20, 24, 32])
    prenorm = rng.random() < 0.6
    vocab = pick(rng, [40, 48]) if not adaptive else 60
    variant = "adaptive" if adaptive else pick(rng, ["tied", "tied", "untied", "project_in"])
    input_dim = d["embed"]
    if variant == "project_in":
        input_dim = pick(rng, [x for x in (12, 16, 24) if x != d["embed"]])
    args = {
        "activation_dropout": 0.0, "attention_dropout": 0.0, "dropout": 0.0, "hidden_dropout": 0.0,
        "feature_dropout": False, "adaptive_softmax_dropout": 0.0,
        "activation_fn": pick(rng, ACTIVATIONS),
        "attention_activation_fn": pick(rng, ATTENTIONS),
        "decoder_chunk_size": sample_chunk(rng, length, must_divide=False,
                                           p_none=0.35 if family == "mega" else 0.15),
        "decoder_embed_dim": d["embed"],
        "decoder_input_dim": input_dim,
        "decoder_hidden_dim": d["hidden"],
        "decoder_ffn_embed_dim": pick(rng, [d["ffn"], -1], [4, 1]) if family == "mega"
        else pick(rng, [-1, d["ffn"]], [3, 2]),
        "decoder_layers": d["layers"],
        "decoder_n_dim": d["n"],
        "decoder_z_dim": d["z"],
        "max_target_positions": 64,
        "normalization_type": pick(rng, LM_NORMS),
        "normalize_before": prenorm,
        "normalize_embedding": (not prenorm) and rng.random() < 0.3,
        "no_affine_final_norm": rng.random() < 0.5,
        "no_scale_embedding": rng.random() < 0.3,
        "rel_pos_bias": pick(rng, ["simple", "rotary"]),
        "truncation_length": sample_truncation(rng, length),
        "share_decoder_input_output_embed": variant == "tied",
        "adaptive_input": adaptive,
        "tie_adaptive_weights": adaptive,
        "tie_adaptive_proj": adaptive,
        "adaptive_input_cutoff": "20,40" if adaptive else None,
        "adaptive_softmax_cutoff": "20,40" if adaptive else None,
        "adaptive_input_factor": pick(rng, [2, 4]) if adaptive else 4,
    }
    args["adaptive_softmax_factor"] = args["adaptive_input_factor"]
    if family == "seqboat":
        args.update(seqboat_extras(rng, lm=True))
    arch = {"mega": "mega_lm_enwik8_base", "seqboat": "slag_lm_enwik8_base_v2"}[family]
    if adaptive:
        arch = "mega_lm_adaptive_big"
    return {
        "family": family,
        "model_class": "MegaLanguageModel" if family == "mega" else "SeqBoatLanguageModel",
        "arch": arch, "task": {"vocab_size": vocab, "padding_idx": PAD, "eos_idx": EOS},
        "args": args, "input": "lm", "batch": pick(rng, [2, 3]), "length": length,
        "variant": variant,
    }


def case_stem(index, spec):
    """A descriptive file stem: kind, family and the values that distinguish the case."""
    a = spec["args"]
    parts = [f"gen{index:02d}", spec["input"], spec["family"]]
    if spec["input"] == "lm":
        parts.append(spec.get("variant", "lm"))
        chunk, norm, pre = a["decoder_chunk_size"], a["normalization_type"], a["normalize_before"]
    else:
        chunk, norm, pre = a["chunk_size"], a["norm_type"], a["encoder_normalize_before"]
        parts.append(a["sen_rep_type"])
        if a.get("use_nli"):
            parts.append("nli")
    parts += [a["attention_activation_fn"], norm, "pre" if pre else "post", a["rel_pos_bias"],
              "c%d" % chunk if chunk > 0 else "nochunk", a["activation_fn"]]
    if a.get("local_pos"):
        parts.append("localpos")
    if spec["mode"] == "train":
        parts.append("train")
    return "_".join(str(p) for p in parts)


def sample_specs(count, seed, start_index=0):
    """`count` case specs drawn with `random.Random(seed)`, kinds taken in turn."""
    import random

    rng = random.Random(seed * 1000003 + start_index)
    specs = []
    for i in range(count):
        family, inp = KINDS[(start_index + i) % len(KINDS)]
        if inp == "lm":
            spec = sample_lm_case(rng, family, adaptive=False)
        elif inp == "lm_adaptive":
            spec = sample_lm_case(rng, family, adaptive=True)
        else:
            spec = sample_classifier_case(rng, family, inp)
        spec["mode"] = "train" if rng.random() < 0.15 else "eval"
        spec["seed"] = seed * 1000 + start_index + i
        spec["case"] = case_stem(start_index + i, spec)
        specs.append(spec)
    return specs


# ---------------------------------------------------------------------------------------------
# Worker: runs the reference (imports torch and one family's fairseq)
# ---------------------------------------------------------------------------------------------

class Reference:
    """The imported reference code of one family and the float64 patches."""

    def __init__(self, family, root):
        self.family = family
        self.root = root
        self._import()
        self._patch_float32_casts()

    def _import(self):
        """Imports fairseq from `root`; modules only its data loaders need are stubbed."""
        import types

        import numpy as np

        for alias, value in [("float", float), ("int", int), ("bool", bool), ("object", object),
                             ("long", int)]:
            if alias not in np.__dict__:
                setattr(np, alias, value)  # removed NumPy aliases used by fairseq's data modules

        class _Stub(types.ModuleType):
            def __getattr__(self, name):
                if name.startswith("__"):
                    raise AttributeError(name)
                return _Stub(self.__name__ + "." + name)

        for name in ["sklearn", "sklearn.model_selection", "fairseq.data.token_block_utils_fast",
                     "fairseq.data.data_utils_fast"]:
            sys.modules.setdefault(name, _Stub(name))
        sys.path.insert(0, self.root)
        import fairseq.criterions  # noqa: F401  (registers criteria)
        import fairseq.models  # noqa: F401  (registers models and architectures)
        import torch

        self.torch = torch
        self.fairseq = fairseq
        from fairseq.data import Dictionary
        from fairseq.models import ARCH_CONFIG_REGISTRY, MODEL_REGISTRY

        self.Dictionary = Dictionary
        self.archs = ARCH_CONFIG_REGISTRY
        self.models = MODEL_REGISTRY
        torch.set_num_threads(1)

    def _patch_float32_casts(self):
        """Makes `.float()` and float32 softmax/log_softmax dtypes no-ops on float64 tensors.

        Both are identities for float32 tensors, so the float32 run is the reference as written.
        """
        torch = self.torch
        functional = torch.nn.functional
        original_float = torch.Tensor.float

        def float_(self, *args, **kwargs):
            if self.dtype == torch.float64 and not args and not kwargs:
                return self
            return original_float(self, *args, **kwargs)

        torch.Tensor.float = float_

        def keep_float64(original):
            def wrapped(input, dim=None, _stacklevel=3, dtype=None):
                if dtype == torch.float32 and input.dtype == torch.float64:
                    dtype = None
                return original(input, dim=dim, _stacklevel=_stacklevel, dtype=dtype)

            return wrapped

        functional.softmax = keep_float64(functional.softmax)
        functional.log_softmax = keep_float64(functional.log_softmax)

    # -- model building ----------------------------------------------------------------------

    def model_class(self, name):
        return {
            "LRAModel": "lra", "SCRawModel": "sc_raw", "MegaLanguageModel": "mega_lm",
            "SeqBoatLanguageModel": "slag_lm",
        }[name]

    def task(self, spec):
        """A stand-in task: the dictionary of `vocab_size` rows (4 for pixel/audio models)."""
        from types import SimpleNamespace

        d = self.Dictionary()
        for i in range(max(spec["task"]["vocab_size"], len(d)) - len(d)):
            d.add_symbol("w%d" % i)
        assert d.pad() == PAD and d.eos() == EOS
        return SimpleNamespace(dictionary=d, source_dictionary=d, target_dictionary=d)

    def check_choices(self, cls, args):
        """Refuses values outside the model parser's `choices` (what the command line accepts)."""
        parser = argparse.ArgumentParser(add_help=False)
        cls.add_args(parser)
        for action in parser._actions:
            value = getattr(args, action.dest, None)
            if action.choices is not None and value is not None and value not in action.choices:
                raise ValueError("--%s %r is not among the parser's choices %s"
                                 % (action.dest.replace("_", "-"), value, list(action.choices)))

    def namespace(self, spec):
        """The complete namespace: explicit values, the architecture function, `build_model`."""
        args = argparse.Namespace(**spec["args"])
        cls = self.models[self.model_class(spec["model_class"])]
        self.check_choices(cls, args)
        self.archs[spec["arch"]](args)
        cls.build_model(args, self.task(spec))  # adds max_source_positions etc.
        return args

    def build(self, spec, args):
        import copy

        cls = self.models[self.model_class(spec["model_class"])]
        return cls.build_model(copy.deepcopy(args), self.task(spec))


def rerandomise(ref, model, generator):
    """Noise on every parameter and batchnorm statistic (README *Conventions*)."""
    torch = ref.torch
    nn = torch.nn
    norms = (nn.LayerNorm, nn.BatchNorm1d)
    seen = set()
    with torch.no_grad():
        for module_name, module in model.named_modules():
            for leaf, p in module.named_parameters(recurse=False):
                if id(p) in seen:
                    continue
                seen.add(id(p))
                full = (module_name + "." + leaf) if module_name else leaf
                kind = type(module).__name__
                if leaf in ("delta", "alpha") and kind == "MultiHeadEMA":
                    std = 0.5
                elif full.endswith("q_router.temp"):
                    std = 0.05
                elif full.endswith("pos_emb.scale"):
                    std = 0.05
                elif (isinstance(module, norms) or kind in ("ScaleNorm", "RMSNorm")) and leaf in (
                        "weight", "scalar"):
                    std = 0.15
                elif leaf == "bias":
                    std = 0.1
                elif isinstance(module, nn.Linear) and leaf == "weight":
                    std = 0.5 / math.sqrt(p.shape[1])
                elif p.numel() > 1 and float(p.std()) < 0.05:
                    std = 0.2
                else:
                    std = 0.1
                p.add_(torch.randn(p.shape, generator=generator, dtype=p.dtype) * std)
            if isinstance(module, nn.BatchNorm1d) and module.running_mean is not None:
                module.running_mean.copy_(
                    torch.randn(module.running_mean.shape, generator=generator) * 0.2)
                module.running_var.copy_(
                    torch.rand(module.running_var.shape, generator=generator) * 1.5 + 0.5)
                module.num_batches_tracked.zero_()
        for name, buf in model.named_buffers():
            if name.endswith("_float_tensor"):
                buf.zero_()  # uninitialised dtype marker


def state_arrays(model):
    """`state_dict` names -> (numpy float32/int64 array, is_parameter, tied_to or None)."""
    import torch

    out = {}
    first_name = {}
    for name, t in model.state_dict(keep_vars=True).items():
        is_param = isinstance(t, torch.nn.Parameter)
        tied = first_name.get(id(t))
        if tied is None:
            first_name[id(t)] = name
        a = t.detach().cpu().numpy().copy()
        out[name] = (a, is_param, tied)
    return out


def make_inputs(spec, rng):
    """Token ids / real values, lengths and targets (numpy; pads at the end, 1 = pad)."""
    import numpy as np

    b, length, inp = spec["batch"], spec["length"], spec["input"]
    vocab = spec["task"]["vocab_size"]
    classes = spec["args"].get("sentence_class_num", 2)

    def lengths():
        if rng.random() < 0.3:
            return np.full(b, length, dtype=np.int64)
        ls = rng.integers(max(2, length // 2), length + 1, size=b)
        ls[0] = length
        return ls.astype(np.int64)

    def tokens(ls):
        t = rng.integers(FIRST_WORD, vocab, size=(b, length)).astype(np.int64)
        for i, n in enumerate(ls):
            t[i, n:] = PAD
        return t

    inputs = {}
    if inp in ("text", "retrieval"):
        ls = lengths()
        inputs["src_tokens"], inputs["src_lengths"] = tokens(ls), ls
        if inp == "retrieval":
            ls1 = lengths()
            inputs["src1_tokens"], inputs["src1_lengths"] = tokens(ls1), ls1
        inputs["target"] = rng.integers(0, classes, size=b).astype(np.int64)
    elif inp in ("image", "audio"):
        inputs["src_tokens"] = rng.standard_normal((b, length)).astype(np.float32)
        inputs["src_lengths"] = np.full(b, length, dtype=np.int64)
        inputs["target"] = rng.integers(0, classes, size=b).astype(np.int64)
    else:  # lm: next-token targets; padded rows have pad in both
        stream = rng.integers(FIRST_WORD, vocab, size=(b, length + 1)).astype(np.int64)
        src, tgt = stream[:, :-1].copy(), stream[:, 1:].copy()
        if rng.random() < 0.35:
            for i in range(1, b):
                n = int(rng.integers(length // 2, length))
                src[i, n:] = PAD
                tgt[i, n:] = PAD
        inputs["src_tokens"], inputs["target"] = src, tgt
    return inputs


class RouterRecorder:
    """Records the router of every `SeqBoatUnit` call: logits `u`, probs, the unit."""

    def __init__(self, model):
        self.calls = []
        self.handles = []
        for module in model.modules():
            if type(module).__name__ == "SeqBoatUnit" and getattr(module, "latent_conf", False):
                self.handles.append(module.hx_proj.register_forward_hook(self._hx(module)))
                self.handles.append(module.q_router.register_forward_hook(self._router))

    def _hx(self, unit):
        def hook(_module, _inputs, output):
            self.calls.append({"unit": unit, "u": output[..., :unit.opt_dim].detach().clone()})

        return hook

    def _router(self, _module, _inputs, output):
        self.calls[-1]["probs"] = output["probs"].detach().clone()

    def remove(self):
        for h in self.handles:
            h.remove()


def router_outputs(recorder, pad_masks, act_bias):
    """`router/layer{i}/*` arrays (README *SeqBoat router outputs*) and the smallest margin."""
    import numpy as np

    out = {}
    margin = math.inf
    for i, call in enumerate(recorder.calls):
        u = call["u"].cpu().numpy()
        b = u.shape[0]
        u = u.reshape(b, -1, u.shape[-1])
        probs = call["probs"].cpu().numpy().reshape(u.shape)
        length = u.shape[1]
        pad = pad_masks[i] if pad_masks[i] is not None else np.zeros((b, length), dtype=bool)
        active = (probs.argmax(-1) == 1) & ~pad
        max_sl = int(active.sum(-1).max())
        compressed = max_sl / length < call["unit"].density_threshold
        key = "router/layer%d/" % i
        out[key + "logits"] = u.astype(np.float64)
        out[key + "probs"] = probs.astype(np.float64)
        out[key + "active"] = active.astype(np.uint8)
        out[key + "compressed_length"] = np.array(max_sl, dtype=np.int64)
        out[key + "compressed"] = np.array(int(compressed), dtype=np.uint8)
        gap = np.abs(u[..., 1] - u[..., 0] - act_bias)[~pad]
        if gap.size:
            margin = min(margin, float(gap.min()))
    return out, margin


def float64_tables(ref, model):
    """Recomputes the rotary sin/cos (Mega) and RoPE frequencies (SeqBoat) in float64."""
    torch = ref.torch
    for module in model.modules():
        kind = type(module).__name__
        if kind == "RotaryRelativePositionalBias":
            half = module.embed_dim // 2
            scale = math.log(10000) / half
            freqs = torch.exp(torch.arange(half, dtype=torch.float64) * -scale)
            angles = torch.arange(module.max_positions, dtype=torch.float64)[:, None] * freqs[None]
            module.sine, module.cosine = torch.sin(angles), torch.cos(angles)
        elif kind == "SeqBoatUnit" and hasattr(module, "freqs_cis"):
            dim, end = module.zdim, module.max_pos
            freqs = 1.0 / (10000.0 ** (torch.arange(0, dim, 2)[: dim // 2].double() / dim))
            angles = torch.outer(torch.arange(end, dtype=torch.float64), freqs)
            module.freqs_cis = torch.polar(torch.ones_like(angles), angles)


def dtype_guard(ref, model, dtype):
    """Hooks that fail if a module returns a floating tensor of another dtype than `dtype`."""
    torch = ref.torch
    complex_of = {torch.float64: torch.complex128, torch.float32: torch.complex64}[dtype]

    def check(module, _inputs, output):
        items = output if isinstance(output, (tuple, list)) else [output]
        if isinstance(output, dict):
            items = list(output.values())
        for t in items:
            if torch.is_tensor(t) and (t.is_floating_point() or t.is_complex()):
                if t.dtype not in (dtype, complex_of):
                    raise RuntimeError("%s returned %s in a %s run" % (
                        type(module).__name__, t.dtype, dtype))

    return [m.register_forward_hook(check) for m in model.modules()]


def no_downcast_mode(ref):
    """A torch function mode that fails on any op taking a float64 (complex128) tensor and
    returning a float32 (complex64) one: proof that the float64 run has no float32 step left."""
    import torch
    from torch.overrides import TorchFunctionMode
    from torch.utils._pytree import tree_leaves

    wide, narrow = (torch.float64, torch.complex128), (torch.float32, torch.complex64)

    class NoDowncast(TorchFunctionMode):
        def __torch_function__(self, func, types, args=(), kwargs=None):
            out = func(*args, **(kwargs or {}))
            ins = [t for t in tree_leaves((args, kwargs or {})) if torch.is_tensor(t)]
            if any(t.dtype in wide for t in ins):
                for t in tree_leaves(out):
                    if torch.is_tensor(t) and t.dtype in narrow:
                        raise RuntimeError("float32 step in the float64 run: %s" % func)
            return out

    return NoDowncast()


def run_reference(ref, spec, args, state, inputs, dtype):
    """Builds a fresh model, loads `state`, runs forward + criterion + backward in `dtype`.

    Returns (outputs, grads_inputs, grads_params, scalar); outputs include the router arrays
    and `router_min_margin` (SeqBoat) under the key `_margin`.
    """
    import numpy as np

    torch = ref.torch
    model = ref.build(spec, args)
    model.load_state_dict({k: torch.from_numpy(v[0].copy()) for k, v in state.items()})
    if dtype == torch.float64:
        model.double()
        float64_tables(ref, model)
    model.train(spec["mode"] == "train")
    guards = dtype_guard(ref, model, dtype)
    recorder = RouterRecorder(model)
    task = ref.task(spec)

    t = {}
    for k, v in inputs.items():
        t[k] = torch.from_numpy(v.copy())
        if v.dtype == np.float32:
            t[k] = t[k].to(dtype).requires_grad_(True)
    captured = {}

    def capture(_module, _inputs, output):
        captured.setdefault("out", output)

    model.register_forward_hook(capture)

    if spec["model_class"] in ("LRAModel", "SCRawModel"):
        from fairseq.criterions.lra_cross_entropy import LRACrossEntropyCriterion

        sample = {"net_input": {"src_tokens": t["src_tokens"], "src_lengths": t["src_lengths"]},
                  "target": t["target"], "ntokens": int(inputs["src_lengths"].sum())}
        if "src1_tokens" in t:
            sample["net_input1"] = {"src_tokens": t["src1_tokens"],
                                    "src_lengths": t["src1_lengths"]}
        criterion = LRACrossEntropyCriterion(task, sentence_avg=True)
    else:
        ntokens = int((inputs["target"] != PAD).sum())
        lengths = torch.from_numpy((inputs["src_tokens"] != PAD).sum(1).astype(np.int64))
        sample = {"net_input": {"src_tokens": t["src_tokens"], "src_lengths": lengths},
                  "target": t["target"], "ntokens": ntokens}
        if spec["args"].get("adaptive_softmax_cutoff"):
            from fairseq.criterions.adaptive_loss import AdaptiveLoss

            criterion = AdaptiveLoss(task, sentence_avg=False)
        else:
            from fairseq.criterions.cross_entropy import CrossEntropyCriterion

            criterion = CrossEntropyCriterion(task, sentence_avg=False)

    import contextlib

    guard = no_downcast_mode(ref) if dtype == torch.float64 else contextlib.nullcontext()
    with guard:
        loss_sum, sample_size, _ = criterion(model, sample)
        loss = loss_sum / sample_size
    loss.backward()
    for h in guards:
        h.remove()

    outputs = {}
    net = captured["out"]
    if isinstance(net, dict):
        outputs["logits"] = net["encoder_out"].detach()
    elif model.decoder.adaptive_softmax is not None:
        features = net[0].detach()
        outputs["features"] = features
        with torch.no_grad():
            outputs["lprobs"] = model.decoder.adaptive_softmax.get_log_prob(features, None).view(
                features.shape[0], features.shape[1], -1)
    else:
        outputs["logits"] = net[0].detach()
    outputs["loss"] = loss.detach().reshape(())
    outputs = {k: v.cpu().numpy().astype(np.float64) for k, v in outputs.items()}

    if recorder.calls:
        pads = router_pad_masks(spec, inputs, len(recorder.calls))
        routers, margin = router_outputs(recorder, pads, float(spec["args"].get("act_bias", 0.0)))
        outputs.update(routers)
        outputs["_margin"] = margin
    recorder.remove()

    grads_inputs = {k: v.grad.detach().cpu().numpy().astype(np.float64)
                    for k, v in t.items() if v.is_floating_point() and v.grad is not None}
    grads_params = {}
    sd = model.state_dict(keep_vars=True)
    for name, (arr, is_param, _tied) in state.items():
        if is_param:
            g = sd[name].grad
            grads_params[name] = (np.zeros(arr.shape) if g is None
                                  else g.detach().cpu().numpy().astype(np.float64))
    return outputs, grads_inputs, grads_params, float(loss.detach())


def router_pad_masks(spec, inputs, calls):
    """Padding mask (B, L) of each recorded router call (retrieval: the encoder runs on src_tokens,
    layers 0..N-1, then on src1_tokens, layers N..2N-1)."""
    if spec["input"] in ("image", "audio"):
        return [None] * calls
    if spec["input"] == "retrieval":
        half = calls // 2
        return [inputs["src_tokens"] == PAD] * half + [inputs["src1_tokens"] == PAD] * half
    return [inputs["src_tokens"] == PAD] * calls


def rel_err(got, ref):
    """max|got - ref| / max|ref| (max|got - ref| for an all-zero reference)."""
    import numpy as np

    diff = float(np.max(np.abs(got - ref))) if ref.size else 0.0
    scale = float(np.max(np.abs(ref))) if ref.size else 0.0
    return diff / scale if scale > 0 else diff


def make_case(ref, spec, max_tries=6):
    """Runs one case; returns the record to write (or raises with the reference's error)."""
    import numpy as np

    torch = ref.torch
    args = ref.namespace(spec)
    rng = np.random.default_rng(spec["seed"])
    inputs = make_inputs(spec, rng)
    for attempt in range(max_tries):
        torch.manual_seed(spec["seed"])
        model = ref.build(spec, args)
        generator = torch.Generator().manual_seed(spec["seed"] * 31 + attempt)
        rerandomise(ref, model, generator)
        state = state_arrays(model)
        out32, gi32, gp32, _ = run_reference(ref, spec, args, state, inputs, torch.float32)
        out64, gi64, gp64, scalar = run_reference(ref, spec, args, state, inputs, torch.float64)
        if "_margin" in out64:
            same = all(np.array_equal(out32[k], out64[k]) for k in out64
                       if k.endswith("/active") or k.endswith("/compressed_length"))
            scale = max(float(np.abs(out64[k]).max()) for k in out64 if k.endswith("/logits"))
            if not same or out64["_margin"] < MIN_ROUTER_MARGIN * scale:
                continue  # new noise: decisions too close to a tie
            idle = any(int(out64[k]) == 0 for k in out64 if k.endswith("/compressed_length"))
            if idle and attempt < max_tries - 1:
                continue  # new noise: a layer with no active token does not test attention
        break
    else:
        raise RuntimeError("router decisions differ between float32 and float64 in every try")

    errs = {}
    for k, v in out64.items():
        if k.startswith("_") or v.dtype != np.float64 or k.endswith("/compressed_length"):
            continue
        if k.endswith("/active") or k.endswith("/compressed"):
            continue
        errs["outputs/" + k] = rel_err(out32[k], v)
    for k, v in gi64.items():
        errs["grads/inputs/" + k] = rel_err(gi32[k], v)
    for k, v in gp64.items():
        errs["grads/params/" + k] = rel_err(gp32[k], v)
    return {
        "args": vars(args), "state": state, "inputs": inputs, "outputs": out64,
        "grads_inputs": gi64, "grads_params": gp64, "scalar": scalar, "errs": errs,
    }


# ---------------------------------------------------------------------------------------------
# HDF5 writer
# ---------------------------------------------------------------------------------------------

def set_string(obj, name, text):
    """A fixed-length, NUL-terminated UTF-8 string attribute (size = bytes + 1)."""
    import h5py
    import numpy as np

    data = text.encode("utf-8") + b"\0"
    tid = h5py.h5t.C_S1.copy()
    tid.set_size(len(data))
    tid.set_strpad(h5py.h5t.STR_NULLPAD)
    tid.set_cset(h5py.h5t.CSET_UTF8)
    obj.attrs.create(name, np.array(data, dtype="S%d" % len(data)), dtype=h5py.Datatype(tid))


def write_case(path, spec, record):
    """Writes the golden file of one model case."""
    import h5py
    import numpy as np

    kind = {"LRAModel": "model_lra", "SCRawModel": "model_sc"}.get(spec["model_class"], "model_lm")
    if kind == "model_lm":
        loss_text = LOSS_TEXT["adaptive" if spec["args"].get("adaptive_softmax_cutoff") else "lm"]
    else:
        loss_text = LOSS_TEXT["lra"]
    errs = record["errs"]
    out_errs = [v for k, v in errs.items() if k.startswith("outputs/")]
    grad_errs = [v for k, v in errs.items() if k.startswith("grads/")]
    max_out, max_grad = max(out_errs, default=0.0), max(grad_errs, default=0.0)
    hint = {
        "float32_torch_max_rel_err_grads": max_grad,
        "float32_torch_max_rel_err_outputs": max_out,
        "grads_atol_rel": max(DEFAULT_GRADS_ATOL_REL, 20 * max_grad),
        "outputs_atol_rel": max(DEFAULT_OUTPUTS_ATOL_REL, 20 * max_out),
        "rtol": 1e-3,
        "rule": TOLERANCE_RULE,
    }
    config = {"model_class": spec["model_class"], "arch": spec["arch"], "task": spec["task"],
              "args": record["args"]}
    with h5py.File(path, "w") as f:
        set_string(f, "schema", "seqboat-golden")
        f.attrs.create("schema_version", np.int64(1))
        set_string(f, "case", spec["case"])
        set_string(f, "kind", kind)
        set_string(f, "module", spec["model_class"])
        set_string(f, "reference", REFERENCE_IDS[spec["family"]])
        set_string(f, "config", json.dumps(config, sort_keys=True))
        set_string(f, "forward_args", "{}")
        set_string(f, "mode", spec["mode"])
        set_string(f, "dtype", "float32")
        set_string(f, "compute_dtype", "float64")
        set_string(f, "loss", loss_text)
        set_string(f, "tolerance_hint", json.dumps(hint, sort_keys=True))
        set_string(f, "float32_torch_rel_err", json.dumps(errs, sort_keys=True))
        f.attrs.create("seed", np.int64(spec["seed"]))
        set_string(f, "differentiated_outputs", '["loss"]')
        f.attrs.create("scalar", np.float64(record["scalar"]))
        if "_margin" in record["outputs"]:
            f.attrs.create("router_min_margin", np.float64(record["outputs"]["_margin"]))
        for name, (arr, _is_param, tied) in record["state"].items():
            ds = f.create_dataset("params/" + name, data=stored_dtype(arr))
            if tied:
                set_string(ds, "tied_to", tied)
        for name, arr in record["inputs"].items():
            f.create_dataset("inputs/" + name, data=arr)
        for name, arr in record["outputs"].items():
            if not name.startswith("_"):
                f.create_dataset("outputs/" + name, data=arr)
        f.create_group("cotangents")
        grads = f.create_group("grads")
        for name, arr in record["grads_inputs"].items():
            grads.create_dataset("inputs/" + name, data=arr)
        for name, arr in record["grads_params"].items():
            ds = grads.create_dataset("params/" + name, data=arr)
            tied = record["state"][name][2]
            if tied:
                set_string(ds, "tied_to", tied)


def stored_dtype(arr):
    """float32 for floating state, int64 for integer buffers."""
    import numpy as np

    return arr.astype(np.float32) if arr.dtype.kind == "f" else arr.astype(np.int64)


def worker_main(family, root, spec_path, out_dir):
    """Runs every spec of `spec_path` (one family); prints one JSON line per case."""
    ref = Reference(family, root)
    with open(spec_path) as fh:
        specs = json.load(fh)
    for spec in specs:
        start = time.time()
        try:
            record = make_case(ref, spec)
            path = os.path.join(out_dir, spec["case"] + ".h5")
            write_case(path, spec, record)
            result = {"case": spec["case"], "ok": True, "path": path,
                      "bytes": os.path.getsize(path), "seconds": round(time.time() - start, 2)}
        except Exception as exc:  # the reference refused or crashed: report, go on
            where = traceback.extract_tb(exc.__traceback__)[-1]
            text = (str(exc) or repr(exc)).splitlines()[0][:300]
            result = {"case": spec["case"], "ok": False,
                      "error": "%s: %s (%s:%d)" % (type(exc).__name__, text,
                                                   os.path.basename(where.filename), where.lineno)}
        print(json.dumps(result), flush=True)


# ---------------------------------------------------------------------------------------------
# Driver and verifier
# ---------------------------------------------------------------------------------------------

def run_workers(specs, out_dir, refs):
    """One worker process per family (in parallel); returns the result dicts."""
    procs = []
    tmp = tempfile.mkdtemp(prefix="goldens-")
    for family in ("mega", "seqboat"):
        todo = [s for s in specs if s["family"] == family]
        if not todo:
            continue
        spec_path = os.path.join(tmp, family + ".json")
        with open(spec_path, "w") as fh:
            json.dump(todo, fh)
        cmd = [sys.executable, os.path.abspath(__file__), "--worker", family, "--ref", refs[family],
               "--specs", spec_path, "--out", out_dir]
        procs.append(subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True))
    results = []
    for p in procs:
        for line in p.stdout:
            line = line.strip()
            if line.startswith("{"):
                r = json.loads(line)
                print(("ok   %(case)s (%(bytes)d bytes, %(seconds)ss)" % r) if r["ok"]
                      else ("SKIP %(case)s: %(error)s" % r), flush=True)
                results.append(r)
        p.wait()
    return results


def generate(count, seed, out_dir, refs, rounds=3):
    """Samples and runs cases until `count` files are written (replacing refused ones)."""
    os.makedirs(out_dir, exist_ok=True)
    written, refused = [], []
    next_index = 0
    for _ in range(rounds):
        need = count - len(written)
        if need <= 0:
            break
        specs = sample_specs(need, seed, start_index=next_index)
        next_index += need
        for r in run_workers(specs, out_dir, refs):
            (written if r["ok"] else refused).append(r)
    return written, refused


def verify(paths, binary, report_path, control=None):
    """Runs `seqboat verify-golden` on each file; writes a table of results to `report_path`."""
    rows = []
    for path in ([control] if control else []) + sorted(paths):
        proc = subprocess.run([binary, "verify-golden", path], capture_output=True, text=True)
        lines = (proc.stdout + proc.stderr).splitlines()
        fails = [l for l in lines if "FAIL" in l
                 or (" err=" not in l and " ok (" not in l and "passed," not in l)]
        status = "pass" if proc.returncode == 0 and not fails else "FAIL"
        if proc.returncode < 0 or any("Program crashed" in l for l in lines):
            crash = [l.strip() for l in lines if "Program crashed" in l]
            frames = [l.strip() for l in lines if "Sources/" in l][:2]
            fails = crash + frames + [l for l in fails if "Sources" not in l and l.strip()][:0]
            status = "FAIL"
        rows.append((os.path.basename(path), status, proc.returncode, fails[:6]))
    with open(report_path, "w") as fh:
        fh.write("verify-golden results (%s)\n" % time.strftime("%Y-%m-%d %H:%M:%S"))
        fh.write("binary: %s\n\n" % binary)
        fh.write("%-90s %-5s %s\n" % ("file", "status", "rc"))
        for name, status, rc, _ in rows:
            fh.write("%-90s %-5s %d\n" % (name, status, rc))
        fh.write("\n%d files, %d pass, %d fail\n\nFirst failing lines:\n"
                 % (len(rows), sum(r[1] == "pass" for r in rows),
                    sum(r[1] != "pass" for r in rows)))
        for name, status, _, fails in rows:
            if status != "pass":
                fh.write("\n== %s\n" % name)
                for line in fails:
                    fh.write("   %s\n" % line[:400])
    return rows


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--random", type=int, metavar="N", help="sample N cases")
    p.add_argument("--seed", type=int, default=1, help="sampler seed")
    p.add_argument("--specs", help="JSON list of case specs (instead of --random)")
    p.add_argument("--out", default="Tests/Fixtures/golden-generated", help="output folder")
    p.add_argument("--dry-run", action="store_true", help="print the specs and stop")
    p.add_argument("--ref-mega", default=DEFAULT_REFS["mega"])
    p.add_argument("--ref-seqboat", default=DEFAULT_REFS["seqboat"])
    p.add_argument("--verify", metavar="DIR", help="run the Swift verifier on DIR/*.h5")
    p.add_argument("--binary", default=".build/release/seqboat")
    p.add_argument("--report", default="tools/golden/last-report.txt")
    p.add_argument("--control", help="an existing golden file verified first (must pass)")
    p.add_argument("--worker", choices=["mega", "seqboat"], help=argparse.SUPPRESS)
    p.add_argument("--ref", help=argparse.SUPPRESS)
    a = p.parse_args()
    refs = {"mega": a.ref_mega, "seqboat": a.ref_seqboat}

    if a.worker:
        worker_main(a.worker, a.ref, a.specs, a.out)
        return
    if a.verify:
        import glob

        rows = verify(glob.glob(os.path.join(a.verify, "*.h5")), a.binary, a.report, a.control)
        print("%d files, %d fail; table in %s" % (len(rows), sum(r[1] != "pass" for r in rows),
                                                  a.report))
        return
    if a.dry_run:
        print(json.dumps(sample_specs(a.random or 12, a.seed), indent=1))
        return
    start = time.time()
    if a.specs:
        os.makedirs(a.out, exist_ok=True)
        with open(a.specs) as fh:
            specs = json.load(fh)
        results = run_workers(specs, a.out, refs)
        written = [r for r in results if r["ok"]]
        refused = [r for r in results if not r["ok"]]
    else:
        written, refused = generate(a.random or 40, a.seed, a.out, refs)
    print("%d written, %d refused by the reference, %.0f s" % (len(written), len(refused),
                                                                 time.time() - start))


if __name__ == "__main__":
    main()
