/**
 * Where the bytes of one full fine-tuning step go (GPT-2 124M, native
 * embedded backend): the distinct tensor buffers alive after the forward,
 * after the loss and at the high-water mark of the step, grouped by the
 * kernel that made them, and the process's peak RSS. One JSON line; see
 * docs/performance.md ("Where the GiB go").
 *
 *   npx tsx memory.ts [--batch 4] [--time 256] [--without TunekitBiasGelu,...]
 *                     [--backend native|wasm|cpu] [--lora 16] [--gradients lean|stock]
 *
 * `--lora R` trains LoRA rank R (alpha R) on the four linear maps of every
 * block instead of every weight (the `lora-r16-4x256` workload); `--backend`
 * picks the embedded backend's flavour (wasm and cpu run core's op path).
 * `--gradients stock` takes the gradients with tfjs's own `tf.variableGrads`
 * (which frees nothing until the backward ends) instead of the trainer's
 * `leanVariableGrads` (core's tf/lean-gradients.ts), for before/after lines.
 *
 * tf.memory().numBytes counts a buffer once per tensor that views it
 * (reshape, identity, the tape's saved copies), so it overstates memory;
 * this counts each data buffer once. Gradients and AdamW's m and v are
 * counted from the trainable parameters (the trainer makes one tensor of
 * each per variable).
 */
import * as tf from '@tensorflow/tfjs-core';
import { applyAdapter, createLoRA, createModel, lmCrossEntropy } from '@tunekit/core';
import { createCPUBackend, type CPUFlavor } from '@tunekit/backend-cpu';
// Not public API: the trainer's gradient function, from core's sources.
import { leanVariableGrads } from '../packages/core/src/tf/lean-gradients';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] !== undefined ? (process.argv[i + 1] as string) : fallback;
}

const MiB = 1024 * 1024;
const batch = Number(arg('batch', '4'));
const time = Number(arg('time', '256'));
const without = arg('without', '').split(',').filter(Boolean);
const flavor = arg('backend', 'native') as CPUFlavor;
const loraRank = Number(arg('lora', '0'));
const gradientsMode = arg('gradients', 'lean');
const variableGrads = gradientsMode === 'stock' ? tf.variableGrads : leanVariableGrads;

const backend = createCPUBackend({ prefer: [flavor] });
const model = await createModel('gpt2', { backend, seed: 0 });
for (const name of without) tf.unregisterKernel(name, tf.getBackend());
const peft = loraRank > 0
  ? applyAdapter({ model, adapter: createLoRA({ model, rank: loraRank, alpha: loraRank, targetModules: ['c_attn', 'attn.c_proj', 'mlp.c_fc', 'mlp.c_proj'] }) })
  : undefined;

/** Every data buffer seen, with its size and the kernel (and shape) that made it. */
const buffers = new Map<object, { bytes: number; origin: string; tracked?: boolean }>();
const engineInfo = (tf.engine() as unknown as { state: { tensorInfo: WeakMap<object, unknown> } }).state.tensorInfo;
const variables = [...(peft ?? model).parameters().values()].filter((v) => v.trainable);
for (const v of [...model.parameters().values(), ...variables]) buffers.set(v.dataId, { bytes: v.size * 4, origin: 'weights' });

function alive(): Map<string, number> {
  const byOrigin = new Map<string, number>();
  for (const [id, b] of buffers) {
    // A kernel's output is tracked by the engine only after the kernel returns.
    if (!engineInfo.has(id)) {
      if (b.tracked) buffers.delete(id);
      continue;
    }
    b.tracked = true;
    byOrigin.set(b.origin, (byOrigin.get(b.origin) ?? 0) + b.bytes);
  }
  return byOrigin;
}
const total = (m: Map<string, number>) => [...m.values()].reduce((s, v) => s + v, 0);

let high = 0;
let highAt = new Map<string, number>();
for (const config of tf.getKernelsForBackend(tf.getBackend())) {
  const inner = config.kernelFunc;
  tf.unregisterKernel(config.kernelName, config.backendName);
  tf.registerKernel({
    ...config,
    kernelFunc: (args) => {
      const out = inner(args);
      for (const t of Array.isArray(out) ? out : [out]) {
        if (!buffers.has(t.dataId)) buffers.set(t.dataId, { bytes: t.shape.reduce((a, b) => a * b, 1) * 4, origin: `${config.kernelName} [${t.shape.join(',')}]` });
      }
      const now = alive();
      if (total(now) > high) {
        high = total(now);
        highAt = now;
      }
      return out;
    },
  });
}

const trainable = variables.reduce((s, v) => s + v.size * 4, 0);
const ids = Array.from({ length: batch }, (_, b) => Array.from({ length: time + 1 }, (_, i) => (i * 7919 + b * 104729 + 13) % 50257));
let afterForward = new Map<string, number>();
let afterLoss = new Map<string, number>();
const { value, grads } = variableGrads(() => {
  const { hidden } = model.transformer(ids.map((row) => row.slice(0, time)), { training: true, seed: 1 });
  afterForward = alive();
  const loss = lmCrossEntropy(hidden, model.params.wte, ids.flatMap((row) => row.slice(1)));
  afterLoss = alive();
  return loss;
}, variables);
tf.dispose([value, ...Object.values(grads)]);

const mib = (bytes: number) => Math.round(bytes / MiB);
const top = (m: Map<string, number>) => Object.fromEntries([...m.entries()].filter(([k]) => k !== 'weights').sort((a, b) => b[1] - a[1]).slice(0, 14).map(([k, v]) => [k, mib(v)]));
const weights = afterForward.get('weights') ?? 0;
console.log(JSON.stringify({
  measure: 'memory-breakdown',
  shape: `${batch}x${time}`,
  ...(peft ? { lora: loraRank } : {}),
  ...(without.length ? { without } : {}),
  gradients: gradientsMode,
  weightsMiB: mib(weights),
  gradientsMiB: mib(trainable),
  adamwStateMiB: mib(2 * trainable),
  forwardKeptMiB: mib(total(afterForward) - weights),
  forwardKeptByKernel: top(afterForward),
  lossKeptMiB: mib(total(afterLoss) - total(afterForward)),
  stepHighWaterMiB: mib(high),
  stepHighWaterPlusAdamWMiB: mib(high + 2 * trainable),
  highWaterByKernel: top(highAt),
  peakRssMiB: Math.round(process.resourceUsage().maxRSS / 1024),
  backend: backend.doCapabilities().description,
}));
peft?.unload({ dispose: true });
model.dispose();
