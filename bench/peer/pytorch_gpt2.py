"""PyTorch peer of `pnpm bench`: the same GPT-2 workloads, one JSON line each.

Run by bench/run.ts with `--peer pytorch` (alternating with tunekit's own
workload processes), or alone:

    OPENBLAS_CORETYPE=SkylakeX python3 bench/peer/pytorch_gpt2.py --workload full-ft-4x256 --steps 3 --warmup 1 --threads 2

The model is a plain GPT-2 written here (pre-LN blocks, tanh GELU, tied LM
head, dropout 0.1, random init std 0.02), fp32, trained with
torch.optim.AdamW (weight decay 0.1) after computing the global gradient
norm, as tunekit's train() does. Peak RSS is this process's own high-water
mark (getrusage ru_maxrss, KiB on Linux), the same measure the tunekit child
reports.
"""
import argparse
import json
import math
import os
import resource
import statistics
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

VOCAB = 50257


def blas_library():
    """The BLAS this process loaded (e.g. openblas-openmp/libblas.so.3), from /proc/self/maps."""
    try:
        with open("/proc/self/maps") as maps:
            paths = {line.split()[-1] for line in maps if "blas" in line and "/" in line}
    except OSError:
        return "BLAS unknown"
    names = sorted("/".join(path.split("/")[-2:]) for path in paths if "libblas" in path or "openblas" in path)
    return ", ".join(names[:2]) or "BLAS unknown"


def malloc_policy():
    """Whether glibc's malloc keeps freed memory (MALLOC_MMAP_MAX_=0), as bench/peer.ts sets it."""
    return "malloc keeps freed memory" if os.environ.get("MALLOC_MMAP_MAX_") == "0" else "default malloc"
PRESETS = {"gpt2": (768, 12, 12), "gpt2-medium": (1024, 24, 16)}  # (embedding, layers, heads)


class LoRALinear(nn.Module):
    """y = x W + b + (alpha / r) x A B, with the base frozen (A random, B zero, as tunekit's createLoRA)."""

    def __init__(self, base: nn.Linear, rank: int, alpha: float):
        super().__init__()
        self.base = base
        self.scale = alpha / rank
        self.a = nn.Parameter(torch.randn(base.in_features, rank) * (1 / math.sqrt(base.in_features)))
        self.b = nn.Parameter(torch.zeros(rank, base.out_features))

    def forward(self, x):
        return self.base(x) + (x @ self.a @ self.b) * self.scale


class Block(nn.Module):
    def __init__(self, c: int, heads: int, dropout: float):
        super().__init__()
        self.heads = heads
        self.ln_1 = nn.LayerNorm(c, eps=1e-5)
        self.c_attn = nn.Linear(c, 3 * c)
        self.attn_proj = nn.Linear(c, c)
        self.ln_2 = nn.LayerNorm(c, eps=1e-5)
        self.c_fc = nn.Linear(c, 4 * c)
        self.mlp_proj = nn.Linear(4 * c, c)
        self.drop = nn.Dropout(dropout)

    def attention(self, x, cache):
        b, t, c = x.shape
        h = self.heads
        q, k, v = self.c_attn(x).split(c, dim=2)
        q = q.view(b, t, h, c // h).transpose(1, 2)
        k = k.view(b, t, h, c // h).transpose(1, 2)
        v = v.view(b, t, h, c // h).transpose(1, 2)
        if cache is not None:
            if cache.get("k") is not None:
                k = torch.cat([cache["k"], k], dim=2)
                v = torch.cat([cache["v"], v], dim=2)
            cache["k"], cache["v"] = k, v
        s = k.shape[2]
        scores = (q @ k.transpose(-2, -1)) * (1.0 / math.sqrt(c // h))
        # Causal over the last t of s positions (s > t with a KV cache).
        mask = torch.ones(t, s, dtype=torch.bool).tril(diagonal=s - t)
        scores = scores.masked_fill(~mask, float("-inf"))
        p = self.drop(F.softmax(scores, dim=-1))
        y = (p @ v).transpose(1, 2).contiguous().view(b, t, c)
        return self.attn_proj(y)

    def forward(self, x, cache=None):
        x = x + self.drop(self.attention(self.ln_1(x), cache))
        return x + self.drop(self.mlp_proj(F.gelu(self.c_fc(self.ln_2(x)), approximate="tanh")))


class GPT2(nn.Module):
    def __init__(self, preset: str, dropout: float = 0.1):
        super().__init__()
        c, layers, heads = PRESETS[preset]
        self.wte = nn.Embedding(VOCAB, c)
        self.wpe = nn.Embedding(1024, c)
        self.drop = nn.Dropout(dropout)
        self.h = nn.ModuleList(Block(c, heads, dropout) for _ in range(layers))
        self.ln_f = nn.LayerNorm(c, eps=1e-5)
        for m in self.modules():
            if isinstance(m, (nn.Linear, nn.Embedding)):
                nn.init.normal_(m.weight, std=0.02)
            if isinstance(m, nn.Linear):
                nn.init.zeros_(m.bias)

    def hidden(self, ids, caches=None, offset=0):
        pos = torch.arange(offset, offset + ids.shape[1])
        x = self.drop(self.wte(ids) + self.wpe(pos))
        for i, block in enumerate(self.h):
            x = block(x, None if caches is None else caches[i])
        return self.ln_f(x)

    def logits(self, hidden):
        return hidden @ self.wte.weight.t()  # tied LM head


def token_ids(count: int, salt: int):
    """The same deterministic ids as bench/workloads.ts."""
    return [(i * 7919 + salt * 104729 + 13) % VOCAB for i in range(count)]


def peak_rss_mib() -> int:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)


def train_steps(model, params, step_fn, steps: int, warmup: int, lr: float):
    opt = torch.optim.AdamW(params, lr=lr, weight_decay=0.1)
    times, losses = [], []
    for _ in range(warmup + steps):
        t0 = time.perf_counter()
        opt.zero_grad(set_to_none=True)
        loss = step_fn()
        loss.backward()
        # tunekit's train() always computes the global norm (for its step events).
        torch.norm(torch.stack([p.grad.norm() for p in params if p.grad is not None]))
        opt.step()
        times.append((time.perf_counter() - t0) * 1000)
        losses.append(loss.item())
    measured = times[warmup:]
    return measured, losses[-1]


def causal_lm(model, batch: int, time_: int):
    data = torch.tensor([token_ids(time_ + 1, i) for i in range(batch)])
    inputs, targets = data[:, :-1], data[:, 1:]

    def step():
        logits = model.logits(model.hidden(inputs))
        return F.cross_entropy(logits.reshape(-1, VOCAB), targets.reshape(-1))

    return step


def run(workload: str, steps: int, warmup: int) -> dict:
    torch.manual_seed(0)
    row = {}
    if workload.startswith("full-ft") or workload.startswith("lora"):
        medium = "medium" in workload
        model = GPT2("gpt2-medium" if medium else "gpt2")
        model.train()
        dims = workload.rsplit("-", 1)[1]  # e.g. 4x256
        batch, time_ = (int(d) for d in dims.split("x"))
        lr = 5e-5
        if workload.startswith("lora"):
            for p in model.parameters():
                p.requires_grad_(False)
            for block in model.h:
                for name in ("c_attn", "attn_proj", "c_fc", "mlp_proj"):
                    setattr(block, name, LoRALinear(getattr(block, name), 16, 16))
            lr = 2e-4
        params = [p for p in model.parameters() if p.requires_grad]
        row["trainableParameters"] = sum(p.numel() for p in params)
        measured, loss = train_steps(model, params, causal_lm(model, batch, time_), steps, warmup, lr)
        tokens = batch * time_
    elif workload == "classify-8x128":
        model = GPT2("gpt2")
        model.train()
        head = nn.Linear(768, 2, bias=False)
        nn.init.normal_(head.weight, std=0.02)
        for p in model.parameters():
            p.requires_grad_(False)
        for p in list(model.h[-1].parameters()) + list(model.ln_f.parameters()):
            p.requires_grad_(True)
        params = [p for p in list(model.parameters()) + list(head.parameters()) if p.requires_grad]
        ids = torch.tensor([token_ids(128, i) for i in range(8)])
        labels = torch.tensor([i % 2 for i in range(8)])

        def step():
            return F.cross_entropy(head(model.hidden(ids)[:, -1, :]), labels)

        measured, loss = train_steps(model, params, step, steps, warmup, 5e-5)
        tokens = 8 * 128
    elif workload == "generate-64":
        model = GPT2("gpt2")
        model.eval()
        prompt = torch.tensor([token_ids(32, 7)])
        runs = []
        with torch.no_grad():
            for i in range(warmup + steps):
                caches = [dict() for _ in model.h]
                stamps = []
                t0 = time.perf_counter()
                ids, offset = prompt, 0
                for _ in range(64):
                    logits = model.logits(model.hidden(ids, caches, offset)[:, -1, :])
                    offset += ids.shape[1]
                    ids = logits.argmax(-1, keepdim=True)
                    stamps.append(time.perf_counter())
                if i >= warmup:
                    per_token = [(b - a) * 1000 for a, b in zip(stamps, stamps[1:])]
                    runs.append({"total": (stamps[-1] - t0) * 1000, "first": (stamps[0] - t0) * 1000, "perToken": statistics.median(per_token)})
        per_token = statistics.median(r["perToken"] for r in runs)
        return {
            "msPerStep": round(statistics.median(r["total"] for r in runs)),
            "msPerToken": round(per_token, 1),
            "tokensPerS": round(1000 / per_token, 1),
            "firstTokenMs": round(statistics.median(r["first"] for r in runs)),
            "newTokens": 64,
            "stepsMeasured": len(runs),
        }
    else:
        raise SystemExit(f"unknown workload {workload}")
    ms = statistics.median(measured)
    return {
        **row,
        "msPerStep": round(ms),
        "tokensPerS": round(tokens * 1000 / ms, 1),
        "stepsMeasured": len(measured),
        "stepMs": [round(t) for t in measured],
        "loss": round(loss, 3),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--workload", required=True)
    parser.add_argument("--steps", type=int, default=3)
    parser.add_argument("--warmup", type=int, default=1)
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    t0 = time.perf_counter()
    cpu0 = time.process_time()
    row = run(args.workload, args.steps, args.warmup)
    wall = time.perf_counter() - t0
    print(json.dumps({
        "workload": args.workload,
        **row,
        "peakRssMiB": peak_rss_mib(),
        "wallS": round(wall, 1),
        "avgCoresBusy": round((time.process_time() - cpu0) / wall, 2),
        "loadAverage": round(os.getloadavg()[0], 1),
        "backend": f"pytorch {torch.__version__} ({torch.get_num_threads()} threads, {blas_library()}, {os.environ.get('OPENBLAS_CORETYPE', 'default')} OpenBLAS core, {malloc_policy()})",
        "threads": torch.get_num_threads(),
    }), flush=True)


if __name__ == "__main__":
    sys.exit(main())
