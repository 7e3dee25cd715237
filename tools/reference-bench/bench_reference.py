#!/usr/bin/env python3
"""Times the PyTorch reference (fairseq Mega / SeqBoat) on the configurations of `seqboat bench`.

Each configuration is the one `BenchShape.named` builds (Sources/Bench/BenchShape.swift): the
preset's arch function, the paper recipe's options (`PaperRecipeOptions`), the bench's own options
(chunk, dropout), the same vocabulary, classes, batch and sequence length.  The reference model is
built from those command-line words by its own parser and `register_model_architecture` function,
in float32, and timed the way `ModelBench` times ours:

* train: zero grads, forward in training mode (dropout on), the task's fairseq criterion divided by
  its sample size, backward, `clip_grad_norm_(…, 1)`, one AdamW step (lr 1e-5, betas (0.9, 0.98),
  eps 1e-8, weight decay 0.01: decoupled, as fairseq's Adam and ours apply it);
* forward: training-mode forward and loss under `torch.no_grad()` (ours: `training: true` without
  a graph).

Tokens per step are batch × length, as in `BenchResult`.  Wall time is `time.perf_counter`, CPU
time `time.process_time` (every thread of the process).

Usage:
    python3 tools/reference-bench/bench_reference.py --config mega_listops [--threads 1,2]
        [--steps 5] [--warmup 1] [--json] [--ref-mega DIR] [--ref-seqboat DIR]
"""

import argparse
import json
import os
import resource
import statistics
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "golden"))

from make_model_goldens import (  # noqa: E402  (tools/golden is not a package)
    DEFAULT_REFS,
    FIRST_WORD,
    REFERENCE_IDS,
    Reference,
    RouterRecorder,
    router_outputs,
)

# PaperRecipeOptions.words(arch) (Sources/Training/PaperRecipeOptions.swift).
SOFTMAX = ["--attention-activation-fn", "softmax"]
LAPLACE = ["--attention-activation-fn", "laplace"]
PRENORM = ["--encoder-normalize-before"]
NO_FFN = ["--encoder-ffn-embed-dim", "-1"]
LM = ["--normalize-before", "--no-affine-final-norm", "--rel-pos-bias", "rotary"]
RECIPES = {
    "mega_lra_listop": SOFTMAX + ["--norm-type", "layernorm"],
    "mega_lra_cifar10": LAPLACE + PRENORM,
    "mega_sc_raw_base": [],
    "mega_lm_enwik8_base": LM + ["--share-decoder-input-output-embed", "--truncation-length",
                                 "8192", "--max-target-positions", "10384"],
    "mega_lm_adaptive_big": LM + ["--truncation-length", "8192", "--max-target-positions", "8096"],
    "slag_lra_listop": SOFTMAX + NO_FFN + ["--norm-type", "layernorm"],
    "slag_lra_cifar10": NO_FFN + PRENORM + ["--add-apos", "--init-temp-scale", "0.4"],
    "slag_sc_raw_base": NO_FFN + ["--attention-activation-fn", "relu2", "--truncation-length",
                                  "4000", "--local-pos", "--init-temp-scale", "1"],
    "slag_lm_enwik8_base_v2": LM + ["--share-decoder-input-output-embed", "--max-target-positions",
                                    "10384", "--decoder-ffn-embed-dim", "-1",
                                    "--init-temp-scale", "1"],
}

# BenchShape.named's table: arch, batch, length, the bench's own words.  `vocab` and `classes` are
# the presets' (Sources/Models/Presets.swift; 0 = real-valued input).
NO_ATTENTION_DROPOUT = ["--attention-dropout", "0"]
PIXELS = ["--dropout", "0"] + NO_ATTENTION_DROPOUT
CONFIGS = {
    "mega_listops": ("mega_lra_listop", 4, 2000, NO_ATTENTION_DROPOUT),
    "mega_listops_c128": ("mega_lra_listop", 4, 2048, NO_ATTENTION_DROPOUT + ["--chunk-size", "128"]),
    "mega_image": ("mega_lra_cifar10", 8, 1024, PIXELS),
    "mega_sc": ("mega_sc_raw_base", 2, 16000, []),
    "mega_enwik8": ("mega_lm_enwik8_base", 2, 1024, ["--decoder-chunk-size", "2048"]),
    "mega_wt103": ("mega_lm_adaptive_big", 1, 1024, ["--decoder-chunk-size", "1024"]),
    "seqboat_listops": ("slag_lra_listop", 4, 2000, NO_ATTENTION_DROPOUT + ["--chunk-size", "128"]),
    "seqboat_image": ("slag_lra_cifar10", 8, 1024, PIXELS + ["--chunk-size", "128"]),
    "seqboat_sc": ("slag_sc_raw_base", 2, 16000, ["--chunk-size", "128"]),
    "seqboat_enwik8": ("slag_lm_enwik8_base_v2", 2, 1024,
                       ["--decoder-chunk-size", "1024", "--dropout", "0.15"]),
}
VOCAB = {"lra_listop": 25, "lra_cifar10": 0, "sc_raw_base": 0, "lm_enwik8_base": 208,
         "lm_enwik8_base_v2": 208, "lm_adaptive_big": 267744}


def describe(name):
    """The reference's view of configuration `name`: a dict with family, model class, arch,
    input kind, vocabulary, batch, length and the command-line words."""
    arch, batch, length, bench_words = CONFIGS[name]
    family = "seqboat" if arch.startswith("slag_") else "mega"
    kind = arch.split("_", 1)[1]
    words = RECIPES[arch] + bench_words
    if kind.startswith("lra_"):
        model_class, inp = "LRAModel", "text" if kind == "lra_listop" else "image"
        words = words + ["--input-type", inp]  # the LRA task's option; ours knows it from the arch
    elif kind.startswith("sc_"):
        model_class, inp = "SCRawModel", "audio"
    else:
        model_class = "MegaLanguageModel" if family == "mega" else "SeqBoatLanguageModel"
        inp = "lm"
    return {"family": family, "model_class": model_class, "arch": arch, "input": inp,
            "task": {"vocab_size": VOCAB[kind]}, "batch": batch, "length": length,
            "words": words}


class BenchReference(Reference):
    """The reference code as written: imported like the golden generator does, without its
    float64 patches."""

    def __init__(self, family, root):
        self.family = family
        self.root = root
        self._import()

    def namespace_from_words(self, spec):
        """Parses `spec['words']` with the model's own parser (unset options stay absent, as in
        fairseq's model group), then applies the arch function."""
        cls = self.models[self.model_class(spec["model_class"])]
        parser = argparse.ArgumentParser(add_help=False, allow_abbrev=False)
        group = parser.add_argument_group("model", argument_default=argparse.SUPPRESS)
        cls.add_args(group)
        if spec["input"] == "lm":  # the language-modeling task's option
            group.add_argument("--max-target-positions", type=int)
        args = parser.parse_args(spec["words"])
        args.max_update = 0  # SeqBoat's router reads it only for a fixed temperature (unused)
        self.archs[spec["arch"]](args)
        # BenchShape: maxPositions = max(preset's, length).
        key = "max_target_positions" if spec["input"] == "lm" else "max_positions"
        setattr(args, key, max(getattr(args, key, None) or 1024, spec["length"]))
        return args

    def build_model(self, spec, args, seed):
        import copy

        self.torch.manual_seed(seed)
        cls = self.models[self.model_class(spec["model_class"])]
        return cls.build_model(copy.deepcopy(args), self.task(spec)).float()


def make_batch(torch, spec, classes, seed):
    """Random inputs like `BenchShape.randomBatch`: ids from the non-special rows, N(0, 1) values,
    random classes (LM: random targets), no padding."""
    g = torch.Generator().manual_seed(seed)
    b, n, vocab = spec["batch"], spec["length"], spec["task"]["vocab_size"]
    if spec["input"] == "lm":
        src = torch.randint(FIRST_WORD, vocab, (b, n), generator=g)
        tgt = torch.randint(FIRST_WORD, vocab, (b, n), generator=g)
        lengths = torch.full((b,), n, dtype=torch.long)
        return {"net_input": {"src_tokens": src, "src_lengths": lengths}, "target": tgt,
                "ntokens": b * n, "nsentences": b}
    if spec["input"] == "text":
        src = torch.randint(FIRST_WORD, vocab, (b, n), generator=g)
    else:
        src = torch.randn(b, n, generator=g)
    return {"net_input": {"src_tokens": src, "src_lengths": torch.full((b,), n, dtype=torch.long)},
            "target": torch.randint(0, classes, (b,), generator=g), "ntokens": b * n,
            "nsentences": b}


def make_criterion(ref, spec, args):
    """The fairseq criterion the task trains with (sentence-averaged for classifiers)."""
    task = ref.task(spec)
    if spec["input"] != "lm":
        from fairseq.criterions.lra_cross_entropy import LRACrossEntropyCriterion

        return LRACrossEntropyCriterion(task, sentence_avg=True)
    if getattr(args, "adaptive_softmax_cutoff", None):
        from fairseq.criterions.adaptive_loss import AdaptiveLoss

        return AdaptiveLoss(task, sentence_avg=False)
    from fairseq.criterions.cross_entropy import CrossEntropyCriterion

    return CrossEntropyCriterion(task, sentence_avg=False)


def timed(steps, warmup, fn):
    """Median wall and CPU seconds of `steps` calls of `fn` after `warmup` untimed ones."""
    walls, cpus = [], []
    for i in range(warmup + steps):
        w0, c0 = time.perf_counter(), time.process_time()
        fn()
        w1, c1 = time.perf_counter(), time.process_time()
        if i >= warmup:
            walls.append(w1 - w0)
            cpus.append(c1 - c0)
    return statistics.median(walls), statistics.median(cpus)


def router_stats(ref, model, criterion, sample, spec):
    """SeqBoat: per layer run, the activated fraction of tokens and the executed compressed length
    over L of one training-mode forward (empty for Mega)."""
    torch = ref.torch
    recorder = RouterRecorder(model)
    if not recorder.handles:
        return [], []
    with torch.no_grad():
        criterion(model, sample)
    out, _ = router_outputs(recorder, [None] * len(recorder.calls), 0.0)
    recorder.remove()
    n, activated, compressed = spec["length"], [], []
    for i in range(len(recorder.calls)):
        key = "router/layer%d/" % i
        activated.append(float(out[key + "active"].mean()))
        sl = int(out[key + "compressed_length"])
        compressed.append(0.0 if sl == 0 else (sl if out[key + "compressed"] else n) / n)
    return activated, compressed


def measure(ref, spec, args, threads, steps, warmup):
    """One thread count: a fresh model and optimizer, timed training steps, then forward passes."""
    torch = ref.torch
    torch.set_num_threads(threads)
    model = ref.build_model(spec, args, seed=1)
    model.train()
    params = [p for p in model.parameters() if p.requires_grad]
    optimizer = torch.optim.AdamW(params, lr=1e-5, betas=(0.9, 0.98), eps=1e-8,
                                  weight_decay=0.01)
    criterion = make_criterion(ref, spec, args)
    classes = getattr(args, "sentence_class_num", 2)
    sample = make_batch(torch, spec, classes, seed=11)

    def train_step():
        optimizer.zero_grad(set_to_none=True)
        loss, sample_size, _ = criterion(model, sample)
        (loss / sample_size).backward()
        torch.nn.utils.clip_grad_norm_(params, 1.0)
        optimizer.step()

    def forward_step():
        with torch.no_grad():
            loss, sample_size, _ = criterion(model, sample)
            _ = loss / sample_size

    train_wall, train_cpu = timed(steps, warmup, train_step)
    fwd_wall, fwd_cpu = timed(steps, warmup, forward_step)
    activated, compressed = router_stats(ref, model, criterion, sample, spec)
    tokens = spec["batch"] * spec["length"]
    return {
        "config": spec["name"], "arch": spec["arch"], "reference": REFERENCE_IDS[spec["family"]],
        "torch": torch.__version__, "threads": threads, "interop_threads":
        torch.get_num_interop_threads(), "batch": spec["batch"], "length": spec["length"],
        "parameters": sum(p.numel() for p in model.parameters()),
        "train_ms": train_wall * 1e3, "train_tokens_per_s": tokens / train_wall,
        "train_cpu_ms": train_cpu * 1e3, "fwd_ms": fwd_wall * 1e3,
        "fwd_tokens_per_s": tokens / fwd_wall, "fwd_cpu_ms": fwd_cpu * 1e3,
        "activated_fraction": activated, "compressed_fraction": compressed,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "steps": steps, "warmup": warmup,
    }


def lines(r):
    """The human-readable report of one thread count."""
    out = [
        "%s (reference %s, torch %s): %s, %d × %d, %d thread(s), %d inter-op" % (
            r["config"], r["reference"], r["torch"], r["arch"], r["batch"], r["length"],
            r["threads"], r["interop_threads"]),
        "parameters %d" % r["parameters"],
        "train    %.1f ms/step  %.0f tok/s  (CPU time: %.1f ms)" % (
            r["train_ms"], r["train_tokens_per_s"], r["train_cpu_ms"]),
        "forward  %.1f ms/step  %.0f tok/s  (CPU time: %.1f ms)" % (
            r["fwd_ms"], r["fwd_tokens_per_s"], r["fwd_cpu_ms"]),
    ]
    if r["activated_fraction"]:
        out.append("activated fraction per layer: "
                   + " ".join("%.3f" % x for x in r["activated_fraction"]))
        out.append("compressed length / L per layer: "
                   + " ".join("%.3f" % x for x in r["compressed_fraction"]))
    out.append("peak RSS %.0f MB" % r["peak_rss_mb"])
    return out


def thread_counts(text):
    try:
        counts = [int(x) for x in text.split(",")]
    except ValueError:
        counts = []
    if not counts or min(counts) < 1:
        raise argparse.ArgumentTypeError("--threads %r must be thread counts ≥ 1, e.g. 2 or 1,2"
                                         % text)
    return counts


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--config", required=True, choices=sorted(CONFIGS))
    p.add_argument("--threads", type=thread_counts, default=[1])
    p.add_argument("--steps", type=int, default=5)
    p.add_argument("--warmup", type=int, default=1)
    p.add_argument("--json", action="store_true", help="also print one JSON line per count")
    p.add_argument("--params-only", action="store_true",
                   help="build the model and print its parameter count; time nothing")
    p.add_argument("--ref-mega", default=DEFAULT_REFS["mega"])
    p.add_argument("--ref-seqboat", default=DEFAULT_REFS["seqboat"])
    opts = p.parse_args()
    if opts.steps < 1 or opts.warmup < 0:
        p.error("--steps must be ≥ 1 and --warmup ≥ 0")
    spec = describe(opts.config)
    spec["name"] = opts.config
    root = opts.ref_mega if spec["family"] == "mega" else opts.ref_seqboat
    if not os.path.isdir(os.path.join(root, "fairseq")):
        p.error("no fairseq checkout at %s (see tools/reference-bench/README.md)" % root)

    import torch
    import torch._dynamo  # noqa: F401  (torch.optim imports it; before the sklearn stand-ins,
    # which have no module spec, or its import-time scan of module names fails on them)

    torch.set_num_interop_threads(1)
    ref = BenchReference(spec["family"], root)
    args = ref.namespace_from_words(spec)
    if opts.params_only:
        model = ref.build_model(spec, args, seed=1)
        print("%s: %s parameters %d" % (opts.config, spec["arch"],
                                         sum(p.numel() for p in model.parameters())))
        return
    for n in opts.threads:
        r = measure(ref, spec, args, n, opts.steps, opts.warmup)
        print("\n".join(lines(r)), flush=True)
        if opts.json:
            print(json.dumps(r), flush=True)


if __name__ == "__main__":
    main()
