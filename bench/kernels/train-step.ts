/**
 * A GPT-2 124M training step on the tfjs cpu backend with our native
 * kernels, with a per-kernel profile: which ops dominate once matMul is
 * fast. One JSON line per step and one per kernel (top N) at the end.
 *
 *   node kernels/run.mjs train-step [--mode full|lora|classify] [--batch B] [--time T] [--steps S] [--threads N] [--top 25] [--stock-kernels]
 *
 * Modes (PyTorch 1.13 on this machine in parentheses):
 *   full      1×1024, everything trainable            (10.5 s/step)
 *   lora      4×256, LoRA r16 on c_attn, base frozen  (5.3 s/step)
 *   classify  8×128, last block + ln_f trainable, a 2-way head on the last token (1.7 s/step)
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import { registerNativeCPUKernels } from '@tunekit/cpu-kernels';
import { argValue, emit, quietCpuBackend, round } from './bench-util';
import { AdamW, GPT2_124M, allVariables, createParams, globalNorm, lmLoss, transformer } from './gpt2-shaped';
import { profile, resetProfile, startProfiling } from './kernel-profiler';

type Mode = 'full' | 'lora' | 'classify';

async function main(): Promise<void> {
  const mode = (argValue('mode') ?? 'full') as Mode;
  const defaults = { full: [1, 1024], lora: [4, 256], classify: [8, 128] }[mode];
  const batch = Number(argValue('batch') ?? defaults[0]);
  const time = Number(argValue('time') ?? defaults[1]);
  const steps = Number(argValue('steps') ?? 3);
  const top = Number(argValue('top') ?? 25);
  const threads = argValue('threads') ? Number(argValue('threads')) : undefined;

  await tf.setBackend('cpu');
  quietCpuBackend();
  const info = argValue('stock-kernels') ? { available: false, isa: 'stock', threads: 1 } : registerNativeCPUKernels({ threads });
  if (argValue('stock-kernels') === undefined && !info.available) throw new Error('native kernels unavailable');
  startProfiling();

  const shape = GPT2_124M;
  const params = createParams(shape, mode === 'lora' ? 16 : 0);
  const head = mode === 'classify' ? tf.variable(tf.randomUniform([shape.dim, 2], -0.03, 0.03), true, 'score') : undefined;
  const everything = allVariables(params);
  let trainable: tf.Variable[];
  if (mode === 'full') trainable = everything;
  else if (mode === 'lora') trainable = params.blocks.flatMap((b) => (b.lora ? [b.lora.a, b.lora.b] : []));
  else {
    const last = params.blocks[shape.layers - 1] as (typeof params.blocks)[number];
    trainable = [...[last.ln1, last.cAttn, last.cProj, last.ln2, last.cFc, last.mlpProj].flatMap((p) => [p.weight, p.bias]), params.lnF.weight, params.lnF.bias, head as tf.Variable];
  }
  const optimizer = new AdamW(trainable);
  const ids = tf.tensor2d(Int32Array.from({ length: batch * time }, (_, i) => (i * 7919) % shape.vocab), [batch, time], 'int32');
  const targets = Int32Array.from({ length: batch * time }, (_, i) => (i * 104729 + 13) % shape.vocab);
  const classLabels = tf.oneHot(tf.tensor1d(Int32Array.from({ length: batch }, (_, i) => i % 2), 'int32'), 2);

  const lossFn = (): tf.Scalar => {
    if (mode === 'classify') {
      // Frozen blocks run outside the gradient tape in core's trainer; here the
      // tape simply has no trainable input before the last block.
      const hidden = transformer(params, shape, ids);
      const last = tf.reshape(tf.slice(hidden, [0, time - 1, 0], [batch, 1, shape.dim]), [batch, shape.dim]);
      return tf.losses.softmaxCrossEntropy(classLabels, tf.matMul(last, head as tf.Variable)) as tf.Scalar;
    }
    return lmLoss(transformer(params, shape, ids), params.wte, targets);
  };

  for (let step = 0; step < steps; step++) {
    if (step === 1) resetProfile(); // step 0 warms up JIT and the allocator
    const t0 = performance.now();
    const { value, grads } = tf.variableGrads(lossFn, trainable);
    const tGrad = performance.now();
    const gradList = trainable.map((v) => grads[v.name] as tf.Tensor);
    const norm = globalNorm(gradList);
    optimizer.apply(new Map(trainable.map((v, i) => [v, gradList[i] as tf.Tensor])));
    const loss = value.dataSync()[0] as number;
    tf.dispose([value, ...gradList]);
    const total = performance.now() - t0;
    emit({
      step, mode, batch, time, threads: info.threads, isa: info.isa,
      ms: round(total, 0), forwardBackwardMs: round(tGrad - t0, 0), optimizerMs: round(total - (tGrad - t0), 0),
      tokensPerS: round((batch * time) / (total / 1000), 1), loss: round(loss, 4), gradNorm: round(norm, 3), tensors: tf.memory().numTensors,
    });
  }

  const stats = profile();
  const kernelMs = stats.reduce((s, k) => s + k.ms, 0);
  const measured = Math.max(1, steps - 1);
  emit({ profile: 'kernel self time per step', steps: measured, kernelMsPerStep: round(kernelMs / measured, 0) });
  for (const k of stats.slice(0, top)) {
    emit({ kernel: k.kernel, callsPerStep: round(k.calls / measured, 1), msPerStep: round(k.ms / measured, 1), share: round(k.ms / kernelMs, 3) });
  }
}

await main();
