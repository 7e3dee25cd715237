#!/usr/bin/env python3
"""Golden cases (schema `seqboat-golden` v1, see Tests/Fixtures/golden/README.md) for SeqBoat layers in
configurations the shared goldens do not cover: laplace attention (local window and global) and the
global (non-local, `chunk_size -1`) mode with softmax, relu2 and laplace, causal and bidirectional,
with padding.

The reference code (renll/SeqBoat) is imported unchanged from its checkout (REF_DIR, default
/tmp/ref/renll+SeqBoat); only the package `__init__` files, which pull in the whole of fairseq, are
bypassed.  Each case is run in float64 (the float32 casts inside the reference made no-ops, as in
the shared goldens) and once more in float32 for the tolerance hint.

    python3 tools/golden/seqboat_layer_cases.py OUT_DIR
"""

import json
import math
import os
import sys
import types

import h5py
import numpy as np
import torch
import torch.nn.functional as F

REF_DIR = os.environ.get("REF_DIR", "/tmp/ref/renll+SeqBoat")
REFERENCE = "renll/SeqBoat@5a34aed3c573858630ec64b0f2c4a22948962947"


def import_reference():
    """The reference layer classes, without running fairseq's package initialisers."""

    def package(name, path=None):
        m = types.ModuleType(name)
        if path is not None:
            m.__path__ = [os.path.join(REF_DIR, path)]
        sys.modules[name] = m
        return m

    package("fairseq", "fairseq")
    modules = package("fairseq.modules", "fairseq/modules")
    package("fairseq.data").iterators = None
    package("fairseq.logging")
    package("fairseq.logging.meters").safe_round = None
    package("fairseq.modules.multihead_attention").MultiheadAttention = object
    package("fairseq.modules.ssm")
    package("fairseq.modules.ssm.ss_kernel").SSKernel = object
    import fairseq.modules.gelu as gelu

    modules.gelu, modules.gelu_accurate = gelu.gelu, gelu.gelu_accurate
    from fairseq.modules.seqboat_layer import SeqBoatDecoderLayer
    from fairseq.modules.seqboat_sentence_encoder_layer import SeqBoatSentenceEncoderLayer

    return SeqBoatSentenceEncoderLayer, SeqBoatDecoderLayer


class Float64Run:
    """Makes the reference's float32 casts (`.float()`, softmax `dtype=float32`) no-ops."""

    def __enter__(self):
        self.float, self.softmax = torch.Tensor.float, F.softmax
        original_softmax = self.softmax
        torch.Tensor.float = lambda t: t if t.dtype == torch.float64 else self.float(t)
        F.softmax = lambda x, dim=None, dtype=None, **kw: original_softmax(x, dim=dim)
        return self

    def __exit__(self, *exc):
        torch.Tensor.float, F.softmax = self.float, self.softmax


# name, decoder?, attention, chunk, L, router target for sequence 0 ("few", "most", "all"), seed
CASES = [
    ("seqboat_layer_bidir_laplace_local_few_eval", False, "laplace", 5, 23, "few", 11),
    ("seqboat_layer_bidir_laplace_local_all_eval", False, "laplace", 4, 14, "all", 12),
    ("seqboat_layer_causal_laplace_local_few_eval", True, "laplace", 4, 18, "few", 13),
    ("seqboat_layer_causal_laplace_local_all_eval", True, "laplace", 4, 13, "all", 14),
    ("seqboat_layer_bidir_laplace_global_few_eval", False, "laplace", -1, 19, "few", 15),
    ("seqboat_layer_causal_laplace_global_most_eval", True, "laplace", -1, 20, "most", 16),
    ("seqboat_layer_bidir_relu2_global_most_eval", False, "relu2", -1, 20, "most", 17),
    ("seqboat_layer_causal_relu2_global_few_eval", True, "relu2", -1, 17, "few", 18),
    ("seqboat_layer_bidir_softmax_global_few_eval", False, "softmax", -1, 21, "few", 19),
    ("seqboat_layer_causal_softmax_global_most_eval", True, "softmax", -1, 20, "most", 20),
]

E, Z, H, N, M, B = 12, 8, 20, 3, 64, 2


def config_of(decoder, attention, chunk):
    if decoder:
        return {
            "activation_dropout": 0.0, "activation_fn": "silu",
            "attention_activation_fn": attention, "attention_dropout": 0.0,
            "decoder_chunk_size": chunk, "decoder_embed_dim": E, "decoder_ffn_embed_dim": -1,
            "decoder_hidden_dim": H, "decoder_n_dim": N, "decoder_z_dim": Z, "dropout": 0.0,
            "feature_dropout": False, "hidden_dropout": 0.0, "init_temp_scale": 0.3,
            "local_pos": False, "max_target_positions": M, "normalization_type": "layernorm",
            "normalize_before": True, "rel_pos_bias": "simple", "truncation_length": None,
        }
    return {
        "activation": "silu", "always_act": False, "attention_activation": attention,
        "attention_dropout": 0.0, "chunk_size": chunk, "dropout": 0.0, "embedding_dim": E,
        "export": False, "feature_dropout": False, "ffn_hidden_dim": -1, "hidden_dim": H,
        "hidden_dropout": 0.0, "init_temp_scale": 0.3, "local_pos": False, "max_positions": M,
        "max_steps": None, "n_dim": N, "norm_type": "layernorm", "prenorm": True,
        "rel_pos_bias": "simple", "truncation": None, "z_dim": Z,
    }


def build(classes, decoder, config):
    if decoder:
        return classes[1](types.SimpleNamespace(**config), no_cross_attention=True)
    return classes[0](**config)


def unit_of(module, decoder):
    return module.slag_layer if decoder else module.mega_layer


def randomise(module, decoder, gen):
    """Noise on every parameter (larger on gamma/beta and the bias table, so that laplace sees
    scores on both sides of its centre)."""
    with torch.no_grad():
        for name, p in module.named_parameters():
            big = name.endswith(("gamma", "beta", "rel_pos_bias")) and ".move." not in name
            std = 0.5 if big or name.endswith(("move.delta", "move.alpha")) else 0.2
            if name.endswith("q_router.temp"):
                std = 0.1
            p.add_(torch.randn(p.shape, generator=gen, dtype=p.dtype) * std)
    unit = unit_of(module, decoder)
    unit.hx_proj.bias.data[:2] = 0.0


def inputs_of(decoder, attention, L, target, gen):
    x = torch.randn(L, B, E, generator=gen)
    pad = torch.zeros(B, L, dtype=torch.bool)
    pad[1, L - 3 :] = True  # sequence 0 is never padded: it can be fully active
    attn_mask = None
    if decoder:
        lower = torch.tril(torch.ones(L, L))
        if attention == "softmax":
            attn_mask = torch.zeros(L, L).masked_fill(lower == 0, float("-inf"))
        else:
            attn_mask = lower
    return x, pad, attn_mask


def call(module, decoder, x, pad, attn_mask):
    if decoder:
        return module(x, attn_mask=attn_mask, decoder_padding_mask=pad)[0]
    return module(x, pad, act_bias=0.0)[0]


def router_logit_gap(module, decoder, x, pad, attn_mask):
    """logit1 - logit0 per token (B, L) with the router bias at 0."""
    captured = {}
    unit = unit_of(module, decoder)
    hook = unit.q_router.register_forward_hook(lambda m, a, kw: captured.update(u=a[0]))
    with torch.no_grad():
        call(module, decoder, x, pad, attn_mask)
    hook.remove()
    u = captured["u"][:, 0]
    return (u[..., 1] - u[..., 0]).double()


def force_router(module, decoder, target, x, pad, attn_mask):
    """Shift hx_proj.bias[1] so that sequence 0 (unpadded) activates about 30 % ("few"), all but
    one or two ("most", still >= 90 %) or all ("all") of its tokens, halfway between two logit gaps."""
    gap = router_logit_gap(module, decoder, x, pad, attn_mask)
    L = gap.shape[1]
    d0 = torch.sort(gap[0]).values
    keep = {"few": max(2, round(0.3 * L)), "most": L - 1 if L < 20 else L - 2, "all": L}[target]
    if keep == L:
        shift = -d0[0].item() + 0.5
    else:
        cut = L - keep
        shift = -0.5 * (d0[cut - 1] + d0[cut]).item()
    unit_of(module, decoder).hx_proj.bias.data[1] += shift
    return gap + shift


def forward_backward(module, decoder, x, pad, attn_mask, cot):
    """Outputs, router outputs, scalar and gradients of one run in the module's dtype."""
    unit = unit_of(module, decoder)
    unit.move._kernel = None  # eval mode caches the EMA kernel: start from a fresh module
    captured = {}
    hook = unit.q_router.register_forward_hook(
        lambda m, a, out: captured.update(u=a[0], probs=out["probs"])
    )
    x = x.clone().requires_grad_(True)
    module.zero_grad()
    out = call(module, decoder, x, pad, attn_mask)
    hook.remove()
    scalar = (out * cot).sum()
    scalar.backward()
    u, probs = captured["u"][:, 0], captured["probs"][:, 0]
    active = (probs.argmax(-1) == 1) & ~pad
    max_sl = int(active.sum(-1).max())
    router = {
        "logits": u.detach(), "probs": probs.detach(), "active": active,
        "compressed_length": max_sl,
        "compressed": max_sl / active.shape[-1] < unit.density_threshold,
    }
    grads = {"inputs/x": x.grad}
    grads.update(
        {f"params/{n}": torch.zeros_like(p) if p.grad is None else p.grad
         for n, p in module.named_parameters()}
    )
    return out.detach(), router, scalar.item(), grads


def write_string(obj, name, text):
    data = text.encode() + b"\0"
    t = h5py.h5t.C_S1.copy()
    t.set_size(len(data))
    t.set_strpad(h5py.h5t.STR_NULLPAD)
    t.set_cset(h5py.h5t.CSET_UTF8)
    space = h5py.h5s.create(h5py.h5s.SCALAR)
    attr = h5py.h5a.create(obj.id, name.encode(), t, space)
    attr.write(np.array(data, dtype=f"S{len(data)}"), mtype=t)


def make_case(classes, out_dir, name, decoder, attention, chunk, L, target, seed):
    gen = torch.Generator().manual_seed(seed)
    torch.manual_seed(seed)
    config = config_of(decoder, attention, chunk)
    module = build(classes, decoder, config).eval()
    randomise(module, decoder, gen)
    x, pad, attn_mask = inputs_of(decoder, attention, L, target, gen)
    gap = force_router(module, decoder, target, x, pad, attn_mask)
    margin = gap[~pad].abs().min().item()
    cot = torch.randn(L, B, E, generator=gen)
    cot[pad.t()] = 0.0
    params32 = {n: p.detach().clone() for n, p in module.state_dict().items()}

    with Float64Run():
        m64 = module.double()
        am64 = None if attn_mask is None else attn_mask.double()
        out, router, scalar, grads = forward_backward(m64, decoder, x.double(), pad, am64, cot.double())
    m32 = build(classes, decoder, config).eval()
    m32.load_state_dict(params32)
    out32, router32, _, grads32 = forward_backward(m32, decoder, x, pad, attn_mask, cot)
    assert torch.equal(router32["active"], router["active"]), name

    def rel(a, b):
        scale = b.abs().max().item()
        diff = (a.double() - b).abs().max().item()
        return diff / scale if scale > 0 else diff

    errs = {"outputs/out": rel(out32, out)}
    errs.update({f"grads/{k}": rel(grads32[k], v) for k, v in grads.items()})
    f32_out = max(v for k, v in errs.items() if k.startswith("outputs/"))
    f32_grad = max(v for k, v in errs.items() if k.startswith("grads/"))
    hint = {
        "float32_torch_max_rel_err_grads": f32_grad,
        "float32_torch_max_rel_err_outputs": f32_out,
        "grads_atol_rel": max(1e-4, 20 * f32_grad),
        "outputs_atol_rel": max(1e-5, 20 * f32_out),
        "rtol": 1e-3,
        "rule": "max|got-ref| <= atol_rel * max|ref| per tensor (norm-relative); elementwise "
        "|got-ref| <= atol + rtol*|ref| with atol = atol_rel*max|ref|",
    }
    prefix = "slag_layer." if decoder else "mega_layer."
    path = os.path.join(out_dir, name + ".h5")
    with h5py.File(path, "w") as f:
        attrs = {
            "schema": "seqboat-golden", "case": name,
            "kind": "seqboat_decoder_layer" if decoder else "seqboat_encoder_layer",
            "module": "SeqBoatDecoderLayer" if decoder else "SeqBoatSentenceEncoderLayer",
            "reference": REFERENCE, "config": json.dumps(config, sort_keys=True),
            "forward_args": "{}", "mode": "eval", "dtype": "float32", "compute_dtype": "float64",
            "loss": "sum over differentiated outputs n of sum(outputs/n * cotangents/n)  (float64)",
            "differentiated_outputs": '["out"]', "tolerance_hint": json.dumps(hint, sort_keys=True),
            "float32_torch_rel_err": json.dumps(errs, sort_keys=True),
        }
        for k, v in attrs.items():
            write_string(f, k, v)
        f.attrs["schema_version"] = np.int64(1)
        f.attrs["seed"] = np.int64(seed)
        f.attrs["scalar"] = np.float64(scalar)
        f.attrs["router_min_margin"] = np.float64(margin)
        for n, p in params32.items():
            f[f"params/{n}"] = p.numpy().astype(np.float32)
        f["inputs/x"] = x.numpy().astype(np.float32)
        f["inputs/padding_mask"] = pad.numpy().astype(np.uint8)
        if attn_mask is not None:
            f["inputs/attn_mask"] = attn_mask.numpy().astype(np.float32)
        f["cotangents/out"] = cot.numpy().astype(np.float32)
        f["outputs/out"] = out.numpy()
        r = "outputs/router/layer0/"
        f[r + "logits"] = router["logits"].numpy()
        f[r + "probs"] = router["probs"].numpy()
        f[r + "active"] = router["active"].numpy().astype(np.uint8)
        f[r + "compressed_length"] = np.int64(router["compressed_length"])
        f[r + "compressed"] = np.uint8(router["compressed"])
        for k, g in grads.items():
            f[f"grads/{k}"] = g.numpy()
    active = router["active"].sum(-1).tolist()
    print(f"{name}: active {active} of L={L}, compressed {router['compressed']}, "
          f"margin {margin:.3g}, f32 err out {f32_out:.2g} grads {f32_grad:.2g}, "
          f"{os.path.getsize(path) // 1024} KB")


def main():
    out_dir = sys.argv[1]
    os.makedirs(out_dir, exist_ok=True)
    classes = import_reference()
    for case in CASES:
        make_case(classes, out_dir, *case)


if __name__ == "__main__":
    main()
