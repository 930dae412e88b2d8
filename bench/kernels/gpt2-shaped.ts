/**
 * A GPT-2 training step built from the same tfjs ops, in the same order, as
 * @tunekit/core's model (model/layers.ts, attention.ts, transformer.ts),
 * loss (loss/lm-cross-entropy.ts) and optimizer (train/adamw.ts, clip.ts),
 * kept here so the kernel benchmarks do not depend on core's evolving API.
 * What matters for kernel work is the op mix and the tensor shapes.
 */
import * as tf from '@tensorflow/tfjs-core';

export interface Gpt2Shape {
  layers: number;
  dim: number;
  heads: number;
  vocab: number;
  context: number;
}

export const GPT2_124M: Gpt2Shape = { layers: 12, dim: 768, heads: 12, vocab: 50257, context: 1024 };

interface Linear {
  weight: tf.Variable;
  bias: tf.Variable;
}
interface Norm {
  weight: tf.Variable;
  bias: tf.Variable;
}
interface Block {
  ln1: Norm;
  cAttn: Linear;
  cProj: Linear;
  ln2: Norm;
  cFc: Linear;
  mlpProj: Linear;
  /** LoRA on c_attn (PEFT's default target for GPT-2), when enabled. */
  lora?: { a: tf.Variable; b: tf.Variable; scale: number };
}
export interface Gpt2Params {
  wte: tf.Variable;
  wpe: tf.Variable;
  blocks: Block[];
  lnF: Norm;
}

let seed = 1;
function randomVariable(shape: number[], scale: number, name: string, trainable = true): tf.Variable {
  return tf.tidy(() => tf.variable(tf.randomUniform(shape, -scale, scale, 'float32', seed++), trainable, name));
}
function constantVariable(shape: number[], value: number, name: string): tf.Variable {
  return tf.variable(tf.fill(shape, value), true, name);
}

export function createParams(s: Gpt2Shape, loraRank = 0): Gpt2Params {
  const d = s.dim;
  const linear = (inDim: number, outDim: number, name: string): Linear => ({
    weight: randomVariable([inDim, outDim], 0.035, `${name}.weight`),
    bias: constantVariable([outDim], 0, `${name}.bias`),
  });
  const norm = (name: string): Norm => ({ weight: constantVariable([d], 1, `${name}.weight`), bias: constantVariable([d], 0, `${name}.bias`) });
  const blocks: Block[] = [];
  for (let i = 0; i < s.layers; i++) {
    blocks.push({
      ln1: norm(`h.${i}.ln_1`),
      cAttn: linear(d, 3 * d, `h.${i}.attn.c_attn`),
      cProj: linear(d, d, `h.${i}.attn.c_proj`),
      ln2: norm(`h.${i}.ln_2`),
      cFc: linear(d, 4 * d, `h.${i}.mlp.c_fc`),
      mlpProj: linear(4 * d, d, `h.${i}.mlp.c_proj`),
      lora: loraRank > 0
        ? { a: randomVariable([d, loraRank], 0.03, `h.${i}.lora_A`), b: randomVariable([loraRank, 3 * d], 0.03, `h.${i}.lora_B`), scale: 2 }
        : undefined,
    });
  }
  return { wte: randomVariable([s.vocab, d], 0.035, 'wte'), wpe: randomVariable([s.context, d], 0.02, 'wpe'), blocks, lnF: norm('ln_f') };
}

/** Every variable by name. */
export function allVariables(p: Gpt2Params): tf.Variable[] {
  const list: tf.Variable[] = [p.wte, p.wpe, p.lnF.weight, p.lnF.bias];
  for (const b of p.blocks) {
    for (const part of [b.ln1, b.cAttn, b.cProj, b.ln2, b.cFc, b.mlpProj]) list.push(part.weight, part.bias);
    if (b.lora) list.push(b.lora.a, b.lora.b);
  }
  return list;
}

function layerNorm(x: tf.Tensor, n: Norm): tf.Tensor {
  const mean = tf.mean(x, -1, true);
  const centered = tf.sub(x, mean);
  const variance = tf.mean(tf.square(centered), -1, true);
  const normalized = tf.mul(centered, tf.rsqrt(tf.add(variance, 1e-5)));
  return tf.add(tf.mul(normalized, n.weight), n.bias);
}

const SQRT_2_OVER_PI = Math.sqrt(2 / Math.PI);
function gelu(x: tf.Tensor): tf.Tensor {
  const inner = tf.mul(tf.add(x, tf.mul(tf.mul(tf.mul(x, x), x), 0.044715)), SQRT_2_OVER_PI);
  return tf.mul(tf.mul(x, 0.5), tf.add(1, tf.tanh(inner)));
}

function linear(x: tf.Tensor, l: Linear, lora?: Block['lora']): tf.Tensor {
  const inDim = x.shape[x.rank - 1] as number;
  const outDim = l.weight.shape[1] as number;
  const x2d = tf.reshape(x, [-1, inDim]);
  let y = tf.add(tf.matMul(x2d, l.weight), l.bias);
  if (lora) y = tf.add(y, tf.mul(tf.matMul(tf.matMul(x2d, lora.a), lora.b), lora.scale));
  return tf.reshape(y, [...x.shape.slice(0, -1), outDim]);
}

function causalMask(t: number): tf.Tensor {
  const values = new Float32Array(t * t);
  for (let i = 0; i < t; i++) for (let j = i + 1; j < t; j++) values[i * t + j] = -1e9;
  return tf.tensor4d(values, [1, 1, t, t]);
}

function attention(x: tf.Tensor3D, b: Block, heads: number, mask: tf.Tensor): tf.Tensor3D {
  const [batch, time, dim] = x.shape;
  const qkv = linear(x, b.cAttn, b.lora);
  const [q, k, v] = tf.split(qkv, 3, -1) as [tf.Tensor, tf.Tensor, tf.Tensor];
  const split = (t: tf.Tensor) => tf.transpose(tf.reshape(t, [batch, time, heads, dim / heads]), [0, 2, 1, 3]);
  const scores = tf.add(tf.mul(tf.matMul(split(q), split(k), false, true), 1 / Math.sqrt(dim / heads)), mask);
  const probabilities = tf.softmax(scores, -1);
  const attended = tf.reshape(tf.transpose(tf.matMul(probabilities, split(v)), [0, 2, 1, 3]), [batch, time, dim]);
  return linear(attended, b.cProj) as tf.Tensor3D;
}

/** Hidden states after ln_f: [B, T, C]. */
export function transformer(p: Gpt2Params, s: Gpt2Shape, ids: tf.Tensor2D, firstBlock = 0): tf.Tensor3D {
  const [, time] = ids.shape;
  let x = tf.gather(p.wte, ids) as tf.Tensor3D;
  x = tf.add(x, tf.gather(p.wpe, tf.range(0, time, 1, 'int32')));
  const mask = causalMask(time);
  p.blocks.forEach((b, i) => {
    if (i < firstBlock) return;
    x = tf.add(x, attention(layerNorm(x, b.ln1) as tf.Tensor3D, b, s.heads, mask));
    x = tf.add(x, linear(gelu(linear(layerNorm(x, b.ln2), b.cFc)), b.mlpProj)) as tf.Tensor3D;
  });
  return layerNorm(x, p.lnF) as tf.Tensor3D;
}

/** Mean next-token cross-entropy with the hand-written gradient of core's chunked loss (one chunk). */
export function lmLoss(hidden: tf.Tensor3D, wte: tf.Variable, targets: Int32Array): tf.Scalar {
  const dim = hidden.shape[2];
  const flat = tf.reshape(hidden, [-1, dim]) as tf.Tensor2D;
  const rows = flat.shape[0];
  const vocab = wte.shape[0] as number;
  const targetTensor = tf.tensor1d(targets, 'int32');
  const op = tf.customGrad((...args: unknown[]) => {
    const [h, w] = args as [tf.Tensor2D, tf.Tensor2D];
    const save = args[2] as (t: tf.Tensor[]) => void;
    const logits = tf.matMul(h, w, false, true);
    const lse = tf.logSumExp(logits, 1);
    const flatIndex = tf.add(tf.mul(tf.range(0, rows, 1, 'int32'), tf.scalar(vocab, 'int32')), targetTensor);
    const picked = tf.gather(tf.reshape(logits, [-1]), flatIndex);
    // The backward pass may only read saved tensors (the rest is disposed with the forward scope).
    save([h, lse, logits, targetTensor]);
    return {
      value: tf.sum(tf.sub(lse, picked)),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [sh, sLse, sLogits, sTargets] = saved as [tf.Tensor2D, tf.Tensor1D, tf.Tensor2D, tf.Tensor1D];
        const probabilities = tf.exp(tf.sub(sLogits, tf.expandDims(sLse, 1)));
        const targetMask = tf.cast(tf.oneHot(sTargets, vocab), 'float32');
        const delta = tf.mul(tf.sub(probabilities, targetMask), dy) as tf.Tensor2D;
        return [tf.matMul(delta, w), tf.matMul(delta, sh, true, false)];
      },
    };
  });
  return tf.div(op(flat, wte), rows) as tf.Scalar;
}

/** core's AdamW update, op for op. */
export class AdamW {
  private step = 0;
  private readonly slots = new Map<tf.Variable, { m: tf.Variable; v: tf.Variable }>();
  constructor(variables: tf.Variable[], private readonly lr = 1e-4) {
    for (const variable of variables) {
      this.slots.set(variable, { m: tf.variable(tf.zerosLike(variable), false), v: tf.variable(tf.zerosLike(variable), false) });
    }
  }
  apply(gradients: Map<tf.Variable, tf.Tensor>): void {
    this.step++;
    const [beta1, beta2, eps, decay] = [0.9, 0.999, 1e-8, 0.01];
    const stepSize = this.lr / (1 - beta1 ** this.step);
    const correction2 = Math.sqrt(1 - beta2 ** this.step);
    for (const [variable, gradient] of gradients) {
      const slot = this.slots.get(variable) as { m: tf.Variable; v: tf.Variable };
      tf.tidy(() => {
        const m = tf.add(tf.mul(slot.m, beta1), tf.mul(gradient, 1 - beta1));
        const v = tf.add(tf.mul(slot.v, beta2), tf.mul(tf.square(gradient), 1 - beta2));
        const decayed = variable.rank >= 2 ? tf.mul(variable, 1 - this.lr * decay) : variable;
        const denominator = tf.add(tf.div(tf.sqrt(v), correction2), eps);
        variable.assign(tf.sub(decayed, tf.mul(tf.div(m, denominator), stepSize)));
        slot.m.assign(m);
        slot.v.assign(v);
      });
    }
  }
}

/** core's global-norm computation (clip.ts) — one reduction per gradient. */
export function globalNorm(gradients: tf.Tensor[]): number {
  const total = tf.tidy(() => tf.sqrt(tf.addN(gradients.map((g) => tf.sum(tf.square(g))))));
  const value = total.dataSync()[0] as number;
  total.dispose();
  return value;
}
