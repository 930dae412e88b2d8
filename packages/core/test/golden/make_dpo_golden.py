#!/usr/bin/env python3
"""DPO reference values on the tiny-GPT-2 fixture, for dpo-golden.test.ts.

An independent float64 PyTorch implementation: GPT-2 written directly against
the Hugging Face tensor layout (Conv1D weights [in, out], tied LM head), the
PEFT LoRA adapter of the fixture (y += alpha/r * (x @ A^T) @ B^T), per-answer
log-probabilities computed one unpadded sequence at a time, and the DPO losses
as the DPO paper / TRL define them. Nothing here is shared with the TypeScript
code under test.

Two settings, each for every loss type and both reductions:
  * "full": the policy is the base model with every tensor trainable, the
    reference is the base model plus the LoRA adapter (an explicit reference).
  * "lora": the policy is the base model plus the LoRA adapter (only the
    adapter trains), the reference is the same model with the adapter off.

Run:  OPENBLAS_CORETYPE=SkylakeX /usr/bin/python3 packages/core/test/golden/make_dpo_golden.py \
        [--fixture /work/shared/fixtures/tiny-gpt2] [--out packages/core/test/golden/dpo-golden.json]
"""
import argparse
import json
import math
import os
import struct

import numpy as np
import torch

torch.set_default_dtype(torch.float64)

HERE = os.path.dirname(os.path.abspath(__file__))
IGNORE = -100


def read_safetensors(path):
    """name -> float64 tensor, parsed by hand (the format is a JSON header and raw little-endian data)."""
    with open(path, "rb") as f:
        size = struct.unpack("<Q", f.read(8))[0]
        header = json.loads(f.read(size))
        data = f.read()
    out = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        assert info["dtype"] == "F32", (name, info["dtype"])
        start, end = info["data_offsets"]
        array = np.frombuffer(data[start:end], dtype="<f4").reshape(info["shape"])
        out[name] = torch.tensor(array.astype(np.float64))
    return out


def layer_norm(x, weight, bias, eps):
    mean = x.mean(-1, keepdim=True)
    var = ((x - mean) ** 2).mean(-1, keepdim=True)
    return (x - mean) / torch.sqrt(var + eps) * weight + bias


def gelu_new(x):
    return 0.5 * x * (1.0 + torch.tanh(math.sqrt(2.0 / math.pi) * (x + 0.044715 * x ** 3)))


def gpt2_logits(p, config, ids, lora=None, scaling=0.0):
    """Logits [T, V] of one sequence; `lora` maps a module name to (A [r,in], B [out,r])."""
    n_head = config["n_head"]
    eps = config["layer_norm_epsilon"]
    T = len(ids)
    x = p["wte.weight"][torch.tensor(ids)] + p["wpe.weight"][:T]

    def linear(name, inp):
        y = inp @ p[name + ".weight"] + p[name + ".bias"]
        if lora is not None and name in lora:
            a, b = lora[name]
            y = y + scaling * (inp @ a.T) @ b.T
        return y

    mask = torch.triu(torch.ones(T, T, dtype=torch.bool), diagonal=1)
    for i in range(config["n_layer"]):
        pre = f"h.{i}."
        a = layer_norm(x, p[pre + "ln_1.weight"], p[pre + "ln_1.bias"], eps)
        qkv = linear(pre + "attn.c_attn", a)
        C = x.shape[-1]
        q, k, v = qkv[:, :C], qkv[:, C:2 * C], qkv[:, 2 * C:]
        d = C // n_head
        q = q.reshape(T, n_head, d).transpose(0, 1)
        k = k.reshape(T, n_head, d).transpose(0, 1)
        v = v.reshape(T, n_head, d).transpose(0, 1)
        scores = (q @ k.transpose(1, 2)) / math.sqrt(d)
        scores = scores.masked_fill(mask, float("-inf"))
        att = torch.softmax(scores, dim=-1) @ v  # [H, T, d]
        att = att.transpose(0, 1).reshape(T, C)
        x = x + linear(pre + "attn.c_proj", att)
        m = layer_norm(x, p[pre + "ln_2.weight"], p[pre + "ln_2.bias"], eps)
        x = x + linear(pre + "mlp.c_proj", gelu_new(linear(pre + "mlp.c_fc", m)))
    h = layer_norm(x, p["ln_f.weight"], p["ln_f.bias"], eps)
    return h @ p["wte.weight"].T


def answer_logprob(p, config, ids, prompt_len, reduction, lora=None, scaling=0.0):
    """Sum (or mean) over answer tokens j >= max(prompt_len, 1) of log p(ids[j] | ids[:j])."""
    logits = gpt2_logits(p, config, ids, lora, scaling)
    logp = torch.log_softmax(logits, dim=-1)
    picked = [logp[j - 1, ids[j]] for j in range(max(prompt_len, 1), len(ids))]
    total = torch.stack(picked).sum()
    return total / len(picked) if reduction == "mean" else total


def dpo_loss(pc, pr, rc, rr, beta, loss_type, label_smoothing):
    h = (pc - pr) - (rc - rr)
    if loss_type == "sigmoid":
        loss = -torch.nn.functional.logsigmoid(beta * h) * (1 - label_smoothing) - torch.nn.functional.logsigmoid(-beta * h) * label_smoothing
    elif loss_type == "hinge":
        loss = torch.relu(1 - beta * h)
    elif loss_type == "ipo":
        loss = (h - 1 / (2 * beta)) ** 2
    else:
        raise ValueError(loss_type)
    return loss, beta * (pc - rc), beta * (pr - rr)


def make_pairs():
    """Two pairs of different lengths (so the TS side pads), with ids from a fixed generator; 50256 appears as an answer token."""
    g = np.random.default_rng(12)
    pairs = []
    for prompt_len, chosen_len, rejected_len in [(6, 5, 8), (9, 4, 3)]:
        prompt = g.integers(0, 50257, prompt_len).tolist()
        chosen = g.integers(0, 50257, chosen_len - 1).tolist() + [50256]
        rejected = g.integers(0, 50257, rejected_len - 1).tolist() + [50256]
        pairs.append({"prompt_length": prompt_len, "chosen": prompt + chosen, "rejected": prompt + rejected})
    return pairs


def run_case(p, config, lora, scaling, pairs, setting, loss_type, reduction, beta, label_smoothing):
    if setting == "full":
        params = {k: v.clone().requires_grad_(True) for k, v in p.items()}
        trainable = params
        policy_lora, ref_params, ref_lora = None, p, lora
    else:
        params = p
        trainable = {k: (a.clone().requires_grad_(True), b.clone().requires_grad_(True)) for k, (a, b) in lora.items()}
        policy_lora, ref_params, ref_lora = trainable, p, None
    losses, chosen_rewards, rejected_rewards, logps = [], [], [], []
    for pair in pairs:
        n = pair["prompt_length"]
        pc = answer_logprob(params, config, pair["chosen"], n, reduction, policy_lora, scaling)
        pr = answer_logprob(params, config, pair["rejected"], n, reduction, policy_lora, scaling)
        with torch.no_grad():
            rc = answer_logprob(ref_params, config, pair["chosen"], n, reduction, ref_lora, scaling)
            rr = answer_logprob(ref_params, config, pair["rejected"], n, reduction, ref_lora, scaling)
        loss, cr, rj = dpo_loss(pc, pr, rc, rr, beta, loss_type, label_smoothing)
        losses.append(loss)
        chosen_rewards.append(cr.item())
        rejected_rewards.append(rj.item())
        logps.append({"policy_chosen": pc.item(), "policy_rejected": pr.item(), "reference_chosen": rc.item(), "reference_rejected": rr.item()})
    loss = torch.stack(losses).mean()
    loss.backward()
    grads = {}
    if setting == "full":
        for name, t in trainable.items():
            grads[name] = t.grad
    else:
        prefix = "base_model.model.transformer."
        for name, (a, b) in trainable.items():
            grads[f"{prefix}{name}.lora_A.weight"] = a.grad
            grads[f"{prefix}{name}.lora_B.weight"] = b.grad
    return {
        "setting": setting, "loss_type": loss_type, "reduction": reduction, "beta": beta, "label_smoothing": label_smoothing,
        "loss": loss.item(), "pair_losses": [l.item() for l in losses], "chosen_rewards": chosen_rewards, "rejected_rewards": rejected_rewards,
        "log_probs": logps,
        "grad_norms": {k: g.norm().item() for k, g in grads.items()},
        "grad_first4": {k: g.reshape(-1)[:4].tolist() for k, g in grads.items()},
        "grad_sums": {k: g.sum().item() for k, g in grads.items()},
    }


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--fixture", default="/work/shared/fixtures/tiny-gpt2")
    parser.add_argument("--out", default=os.path.join(HERE, "dpo-golden.json"))
    args = parser.parse_args()
    config = json.load(open(os.path.join(args.fixture, "config.json")))
    p = read_safetensors(os.path.join(args.fixture, "model.safetensors"))
    lora_config = json.load(open(os.path.join(args.fixture, "lora", "adapter_config.json")))
    raw = read_safetensors(os.path.join(args.fixture, "lora", "adapter_model.safetensors"))
    prefix = "base_model.model.transformer."
    lora = {}
    for name in raw:
        if name.endswith(".lora_A.weight"):
            module = name[len(prefix):-len(".lora_A.weight")]
            lora[module] = (raw[name], raw[f"{prefix}{module}.lora_B.weight"])
    scaling = lora_config["lora_alpha"] / lora_config["r"]

    # Sanity check against the fixture's own golden: the "hello" next-token loss.
    golden = json.load(open(os.path.join(args.fixture, "golden.json")))
    hello = next(s for s in golden["sequences"] if s["name"] == "hello")
    logits = gpt2_logits(p, config, hello["ids"])
    hello_loss = torch.nn.functional.cross_entropy(logits[:-1], torch.tensor(hello["ids"][1:])).item()

    pairs = make_pairs()
    cases = []
    for setting in ["full", "lora"]:
        for loss_type in ["sigmoid", "ipo", "hinge"]:
            for reduction in ["sum", "mean"]:
                cases.append(run_case(p, config, lora, scaling, pairs, setting, loss_type, reduction, 0.1, 0.0))
        cases.append(run_case(p, config, lora, scaling, pairs, setting, "sigmoid", "sum", 0.1, 0.1))
    out = {
        "description": "DPO loss, rewards and gradients on the tiny-GPT-2 fixture (float64 PyTorch reference); see make_dpo_golden.py",
        "generator": f"make_dpo_golden.py, torch {torch.__version__}, float64",
        "answer_rule": "an answer token j (j >= prompt_length) contributes log p(ids[j] | ids[:j]); 'mean' divides the sum by the answer length",
        "checks": {"hello_loss": hello_loss, "hello_loss_fixture_golden": hello["loss"], "hello_loss_abs_diff": abs(hello_loss - hello["loss"])},
        "pairs": pairs,
        "cases": cases,
    }
    with open(args.out, "w") as f:
        json.dump(out, f, indent=1)
        f.write("\n")
    print(f"wrote {args.out}: {len(cases)} cases; hello loss diff vs fixture golden {out['checks']['hello_loss_abs_diff']:.2e}")


if __name__ == "__main__":
    main()
