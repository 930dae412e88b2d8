/**
 * matMul micro-benchmark on GPT-2 124M shapes: our native kernel vs the
 * stock tfjs cpu kernel (small shapes only: it runs at ~0.4 GFLOP/s) and,
 * with `--wasm`, tfjs-backend-wasm. One JSON line per case.
 *
 *   pnpm --filter @tunekit/bench bench:kernels [--threads N] [--wasm] [--no-stock] [--tokens 1024,2048] [--lora RANK]
 *
 * `--lora 16`: LoRA's rank-16 products (1024 tokens) instead, next to c_attn's forward.
 * `--width 1024 --tokens 736 --no-attention`: gpt2-medium's linear maps and LM head at 8×92 tokens.
 *
 * Times go through tfjs (`tf.matMul`), so they include the engine's
 * bookkeeping and the output allocation, as training sees them.
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { nativeKernelsInfo, registerNativeCPUKernels, unregisterNativeCPUKernels } from '@tunekit/cpu-kernels';
import { argValue, emit, medianMs, quietCpuBackend, round } from './bench-util';

interface Case {
  name: string;
  /** Operand shapes as passed to tf.matMul. */
  a: number[];
  b: number[];
  transposeA: boolean;
  transposeB: boolean;
}

/** Model width: 768 (124M) by default, `--width 1024` for gpt2-medium's shapes. */
const C = Number(argValue('width') ?? 768);
const VOCAB = 50257;
const HEADS = 12;
const HEAD_DIM = 64;

/** Linear layers of one block: forward x·W, weight grad xᵀ·dy (Aᵀ·B), input grad dy·Wᵀ (A·Bᵀ). */
function linearCases(tokens: number): Case[] {
  const layers: Array<[string, number, number]> = [
    ['c_attn', C, 3 * C],
    ['attn.c_proj', C, C],
    ['c_fc', C, 4 * C],
    ['mlp.c_proj', 4 * C, C],
  ];
  return layers.flatMap(([name, inDim, outDim]) => [
    { name: `${name} fwd`, a: [tokens, inDim], b: [inDim, outDim], transposeA: false, transposeB: false },
    { name: `${name} dW`, a: [tokens, inDim], b: [tokens, outDim], transposeA: true, transposeB: false },
    { name: `${name} dX`, a: [tokens, outDim], b: [inDim, outDim], transposeA: false, transposeB: true },
  ]);
}

/** The tied LM head: logits = h·Wteᵀ, dH = δ·Wte, dWte = δᵀ·h. */
function lmHeadCases(tokens: number): Case[] {
  return [
    { name: 'lm_head fwd', a: [tokens, C], b: [VOCAB, C], transposeA: false, transposeB: true },
    { name: 'lm_head dX', a: [tokens, VOCAB], b: [VOCAB, C], transposeA: false, transposeB: false },
    { name: 'lm_head dW', a: [tokens, VOCAB], b: [tokens, C], transposeA: true, transposeB: false },
  ];
}

/** Attention products on [B, H, T, D] (batch dims B×H): scores q·kᵀ, p·v, and their gradients. */
function attentionCases(batch: number, time: number): Case[] {
  const qkv = [batch, HEADS, time, HEAD_DIM];
  const scores = [batch, HEADS, time, time];
  const tag = `${batch}x${time}`;
  return [
    { name: `attn q·kᵀ ${tag}`, a: qkv, b: qkv, transposeA: false, transposeB: true },
    { name: `attn p·v ${tag}`, a: scores, b: qkv, transposeA: false, transposeB: false },
    { name: `attn dP=dO·vᵀ ${tag}`, a: qkv, b: qkv, transposeA: false, transposeB: true },
    { name: `attn dV=pᵀ·dO ${tag}`, a: scores, b: qkv, transposeA: true, transposeB: false },
    { name: `attn dK=dSᵀ·q ${tag}`, a: scores, b: qkv, transposeA: true, transposeB: false },
  ];
}

/**
 * LoRA's rank-r products on one adapted map (in → out): forward x·Aᵀ and
 * low·Bᵀ, backward dlow = dy·B, dB = dyᵀ·low, dx = dlow·A, dA = dlowᵀ·x
 * (what tf.matMul's gradients compute for lora.ts's two products).
 */
function loraCases(tokens: number, rank: number): Case[] {
  const maps: Array<[string, number, number]> = [['c_attn', C, 3 * C], ['c_fc', C, 4 * C], ['mlp.c_proj', 4 * C, C]];
  return maps.flatMap(([name, inDim, outDim]) => [
    { name: `lora ${name} x·Aᵀ`, a: [tokens, inDim], b: [rank, inDim], transposeA: false, transposeB: true },
    { name: `lora ${name} low·Bᵀ`, a: [tokens, rank], b: [outDim, rank], transposeA: false, transposeB: true },
    { name: `lora ${name} dlow=dy·B`, a: [tokens, outDim], b: [outDim, rank], transposeA: false, transposeB: false },
    { name: `lora ${name} dB=dyᵀ·low`, a: [tokens, outDim], b: [tokens, rank], transposeA: true, transposeB: false },
    { name: `lora ${name} dx=dlow·A`, a: [tokens, rank], b: [rank, inDim], transposeA: false, transposeB: false },
    { name: `lora ${name} dA=dlowᵀ·x`, a: [tokens, rank], b: [tokens, inDim], transposeA: true, transposeB: false },
  ]);
}

function flopsOf(c: Case): number {
  const rank = c.a.length;
  const m = (c.transposeA ? c.a[rank - 1] : c.a[rank - 2]) as number;
  const k = (c.transposeA ? c.a[rank - 2] : c.a[rank - 1]) as number;
  const n = (c.transposeB ? c.b[rank - 2] : c.b[rank - 1]) as number;
  const batch = c.a.slice(0, -2).reduce((x, y) => x * y, 1);
  return 2 * batch * m * n * k;
}

function timeMatMul(c: Case, budgetMs: number, reps: number): number {
  const a = tf.randomUniform(c.a, -1, 1);
  const b = tf.randomUniform(c.b, -1, 1);
  const ms = medianMs(() => tf.matMul(a, b, c.transposeA, c.transposeB).dispose(), { warmup: 1, reps, budgetMs });
  tf.dispose([a, b]);
  return ms;
}

async function main(): Promise<void> {
  const threads = argValue('threads') ? Number(argValue('threads')) : undefined;
  const withStock = argValue('no-stock') === undefined;
  const withWasm = argValue('wasm') !== undefined;
  const tokenList = (argValue('tokens') ?? '1024,2048').split(',').map(Number);
  const stockLimit = Number(argValue('stock-max-gflop') ?? 0.8) * 1e9;

  await tf.setBackend('cpu');
  quietCpuBackend();
  const info = registerNativeCPUKernels({ threads });
  if (!info.available) throw new Error(`native kernels unavailable: ${info.reason ?? nativeKernelsInfo().reason}`);

  const loraRank = argValue('lora') ? Number(argValue('lora')) : undefined;
  const cases: Case[] = loraRank ? [...linearCases(1024).slice(0, 1), ...loraCases(1024, loraRank)] : [
    ...tokenList.flatMap(linearCases).map((c) => ({ ...c, name: `${c.name} N=${c.a[0] === C || c.a[0] === 4 * C ? c.b[0] : c.a[0]}` })),
    ...lmHeadCases(tokenList[0] ?? 1024),
    ...(argValue('no-attention') === undefined ? [...attentionCases(1, 1024), ...attentionCases(8, 256)] : []),
  ];

  const results: Array<Record<string, unknown>> = [];
  for (const c of cases) {
    const flops = flopsOf(c);
    registerNativeCPUKernels({ threads });
    const ms = timeMatMul(c, 3000, 7);
    const record: Record<string, unknown> = {
      name: c.name,
      shape: `[${c.a}]x[${c.b}]`,
      transposes: `${c.transposeA ? 'T' : 'N'}${c.transposeB ? 'T' : 'N'}`,
      ms: round(ms),
      gflops: round(flops / ms / 1e6, 1),
      threads: info.threads,
      isa: info.isa,
    };
    if (withStock && flops <= stockLimit) {
      unregisterNativeCPUKernels();
      const stockMs = timeMatMul(c, 1, 2);
      record.stockMs = round(stockMs);
      record.stockGflops = round(flops / stockMs / 1e6, 2);
      record.speedup = round(stockMs / ms, 0);
    }
    results.push(record);
    emit(record);
  }

  if (withWasm) {
    unregisterNativeCPUKernels();
    const wasmSpecifier = '@tensorflow/tfjs-backend-wasm';
    await import(wasmSpecifier);
    if (!(await tf.setBackend('wasm'))) throw new Error('wasm backend failed to start');
    for (const [i, c] of cases.entries()) {
      const flops = flopsOf(c);
      const ms = timeMatMul(c, 2000, 3);
      const record = results[i] as Record<string, unknown>;
      record.wasmMs = round(ms);
      record.wasmGflops = round(flops / ms / 1e6, 1);
      emit({ name: c.name, shape: record.shape, transposes: record.transposes, wasmMs: record.wasmMs, wasmGflops: record.wasmGflops, threads: 1, isa: 'wasm-simd' });
    }
  }
}

await main();
