#!/usr/bin/env python3
"""Reference training run with an untied output head, for untied-head-golden.test.ts.

Chapter 7 of LLMs-from-scratch loads GPT-2 into a model whose `out_head` is a
separate nn.Linear, initialised with a copy of `wte`, and trains with
`torch.optim.AdamW(model.parameters(), ...)`, which decays every parameter.
This script does the same on the tiny-GPT-2 fixture in float64: its own GPT-2
forward pass written against the Hugging Face tensor layout (Conv1D weights
[in, out]), right-padded batches with targets shifted by one and padding
ignored (-100), mean cross-entropy over the counted targets, and
torch.optim.AdamW (lr 1e-3, weight decay 0.1, betas (0.9, 0.999), eps 1e-8).
Nothing here is shared with the TypeScript code under test.

It runs twice on the same batches: "untied" (lm_head starts as a copy of wte
and trains on its own) and "tied" (logits against wte itself), and writes the
per-step losses and summaries of the final wte and lm_head.

Run:  OPENBLAS_CORETYPE=SkylakeX /usr/bin/python3 packages/core/test/golden/make_untied_head_golden.py \
        [--fixture /work/shared/fixtures/tiny-gpt2] [--out packages/core/test/golden/untied-head-golden.json]
"""
import argparse
import json
import math
import os
import struct

import numpy as np
import torch
import torch.nn.functional as F

torch.set_default_dtype(torch.float64)

HERE = os.path.dirname(os.path.abspath(__file__))
PAD = 50256
IGNORE = -100
LEARNING_RATE = 1e-3
WEIGHT_DECAY = 0.1
BATCH_SIZE = 2

# Token rows of different lengths (ids of GPT-2 BPE words and <|endoftext|>),
# taken in order, BATCH_SIZE per update; each row ends with <|endoftext|>.
ROWS = [
    [464, 3797, 3332, 319, 262, 2603, 50256],
    [32, 3290, 4966, 287, 262, 3952, 50256],
    [464, 4252, 318, 3024, 1909, 50256],
    [40, 588, 4077, 8887, 257, 1256, 286, 640, 50256],
    [15496, 11, 995, 0, 50256],
    [8241, 318, 262, 3139, 286, 4881, 30, 50256],
    [464, 2068, 7586, 21831, 18045, 625, 262, 16931, 3290, 50256],
    [2061, 257, 4950, 1110, 50256],
    [1212, 318, 257, 1332, 13, 50256],
    [3666, 1438, 318, 3619, 290, 314, 2107, 994, 50256],
    [464, 6766, 318, 4171, 50256],
    [10248, 3329, 11, 703, 389, 345, 30, 50256],
]
STEPS = len(ROWS) // BATCH_SIZE


def read_safetensors(path):
    """Name (without any `transformer.` prefix) -> float64 tensor; the format is a JSON header and raw little-endian data."""
    with open(path, "rb") as f:
        header_size = struct.unpack("<Q", f.read(8))[0]
        header = json.loads(f.read(header_size))
        blob = f.read()
    tensors = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        start, end = info["data_offsets"]
        assert info["dtype"] == "F32", (name, info["dtype"])
        values = np.frombuffer(blob[start:end], dtype="<f4").reshape(info["shape"]).astype(np.float64)
        key = name[len("transformer."):] if name.startswith("transformer.") else name
        if key.endswith(".attn.bias") or key.endswith(".attn.masked_bias") or key == "lm_head.weight":
            continue  # causal-mask buffers; a tied copy of wte
        tensors[key] = torch.tensor(values)
    return tensors


def norm(x, w, b, eps):
    mu = x.mean(-1, keepdim=True)
    var = ((x - mu) ** 2).mean(-1, keepdim=True)
    return (x - mu) / torch.sqrt(var + eps) * w + b


def gelu_tanh(x):
    return 0.5 * x * (1.0 + torch.tanh(math.sqrt(2.0 / math.pi) * (x + 0.044715 * x.pow(3))))


def hidden_states(p, cfg, ids):
    """Final hidden states [B, T, C] of right-padded rows (causal attention: padding never reaches real tokens)."""
    B, T = ids.shape
    C, H = cfg["n_embd"], cfg["n_head"]
    D = C // H
    eps = cfg["layer_norm_epsilon"]
    x = p["wte.weight"][ids] + p["wpe.weight"][:T].unsqueeze(0)
    future = torch.triu(torch.ones(T, T, dtype=torch.bool), 1)
    for layer in range(cfg["n_layer"]):
        h = f"h.{layer}."
        a = norm(x, p[h + "ln_1.weight"], p[h + "ln_1.bias"], eps)
        qkv = a @ p[h + "attn.c_attn.weight"] + p[h + "attn.c_attn.bias"]
        q, k, v = (t.reshape(B, T, H, D).transpose(1, 2) for t in qkv.split(C, dim=-1))
        scores = (q @ k.transpose(-1, -2)) / math.sqrt(D)
        scores = scores.masked_fill(future, float("-inf"))
        att = torch.softmax(scores, -1) @ v
        att = att.transpose(1, 2).reshape(B, T, C)
        x = x + att @ p[h + "attn.c_proj.weight"] + p[h + "attn.c_proj.bias"]
        m = norm(x, p[h + "ln_2.weight"], p[h + "ln_2.bias"], eps)
        m = gelu_tanh(m @ p[h + "mlp.c_fc.weight"] + p[h + "mlp.c_fc.bias"])
        x = x + m @ p[h + "mlp.c_proj.weight"] + p[h + "mlp.c_proj.bias"]
    return norm(x, p["ln_f.weight"], p["ln_f.bias"], eps)


def batch(rows):
    width = max(len(r) for r in rows) - 1
    inputs = [r[:-1] + [PAD] * (width - len(r) + 1) for r in rows]
    targets = [r[1:] + [IGNORE] * (width - len(r) + 1) for r in rows]
    return torch.tensor(inputs), torch.tensor(targets)


def run(base, cfg, untied):
    p = {name: t.clone().requires_grad_(True) for name, t in base.items()}
    if untied:
        # Chapter 7: out_head.weight = wte.weight (a copy that trains on its own).
        p["lm_head.weight"] = base["wte.weight"].clone().requires_grad_(True)
    optimizer = torch.optim.AdamW(list(p.values()), lr=LEARNING_RATE, weight_decay=WEIGHT_DECAY, betas=(0.9, 0.999), eps=1e-8)
    losses = []
    for step in range(STEPS):
        ids, targets = batch(ROWS[step * BATCH_SIZE:(step + 1) * BATCH_SIZE])
        hidden = hidden_states(p, cfg, ids)
        head = p["lm_head.weight"] if untied else p["wte.weight"]
        logits = hidden @ head.T
        loss = F.cross_entropy(logits.reshape(-1, logits.shape[-1]), targets.reshape(-1), ignore_index=IGNORE)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    head = p["lm_head.weight"] if untied else p["wte.weight"]
    summary = lambda t: {"sum": t.detach().sum().item(), "sumSquares": (t.detach() ** 2).sum().item(), "row464": t.detach()[464, :8].tolist()}
    return {"losses": losses, "wte": summary(p["wte.weight"]), "lmHead": summary(head)}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--fixture", default=os.path.join(HERE, "../../../../../shared/fixtures/tiny-gpt2"))
    parser.add_argument("--out", default=os.path.join(HERE, "untied-head-golden.json"))
    args = parser.parse_args()
    with open(os.path.join(args.fixture, "config.json")) as f:
        cfg = json.load(f)
    assert cfg["attn_pdrop"] == cfg["embd_pdrop"] == cfg["resid_pdrop"] == 0.0, "the reference has no dropout"
    base = read_safetensors(os.path.join(args.fixture, "model.safetensors"))
    result = {
        "note": "make_untied_head_golden.py: float64 PyTorch, torch.optim.AdamW over every parameter",
        "torch": torch.__version__,
        "learningRate": LEARNING_RATE,
        "weightDecay": WEIGHT_DECAY,
        "batchSize": BATCH_SIZE,
        "rows": ROWS,
        "untied": run(base, cfg, untied=True),
        "tied": run(base, cfg, untied=False),
    }
    with open(args.out, "w") as f:
        json.dump(result, f, indent=1)
        f.write("\n")
    print("untied losses", ["%.6f" % l for l in result["untied"]["losses"]])
    print("tied   losses", ["%.6f" % l for l in result["tied"]["losses"]])


if __name__ == "__main__":
    main()
