/**
 * Peak tensor bytes of the LM loss alone at GPT-2 124M scale (V = 50,257,
 * C = 768, 4×255 counted tokens, trainable tied table): one forward and
 * backward of lmCrossEntropy on the native backend, with the fused softmax
 * cross-entropy kernels and with them unregistered (the op path). One JSON
 * line; see docs/performance.md. Independent of load. Also the fused path
 * with the op path's 64 MiB token chunks, to show what its larger default
 * chunk (one chunk here, so no per-chunk table-gradient partials) buys.
 *
 *   npx tsx loss-peak.ts
 *
 * tf.profile's peakBytes counts a buffer once per tensor viewing it (the
 * tape's saved copies of the kept logits count twice), the same way in both
 * runs, so the difference is what the fused path saves.
 */
import * as tf from '@tensorflow/tfjs-core';
import { createCPUBackend } from '@tunekit/backend-cpu';
import { EmbeddingTable, lmCrossEntropy, resolveBackend } from '@tunekit/core';

const MiB = 1024 * 1024;
const VOCAB = 50257;
const DIM = 768;
const ROWS = 4 * 255;

await resolveBackend(createCPUBackend({ prefer: ['native'] }));
const values = new Float32Array(VOCAB * DIM);
for (let i = 0; i < values.length; i++) values[i] = Math.sin(i) * 0.02;
const table = EmbeddingTable.fromValues(values, VOCAB, DIM);
const hidden = tf.randomNormal([ROWS, DIM], 0, 1, 'float32', 1);
const labels = Array.from({ length: ROWS }, (_, i) => (i * 7919) % VOCAB);

async function peakMiB(tokenChunk?: number): Promise<number> {
  const baseline = tf.memory().numBytes;
  const info = await tf.profile(() => {
    const { value, grads } = tf.variableGrads(() => lmCrossEntropy(tf.mul(hidden, 1), table, labels, { tokenChunk }), table.chunks);
    tf.dispose([value, ...Object.values(grads)]);
  });
  return Math.round((info.peakBytes - baseline) / MiB);
}

const names = ['TunekitSoftmaxCrossEntropy', 'TunekitSoftmaxCrossEntropyGrad'];
const fused = await peakMiB();
// The fused kernels with the op path's 64 MiB chunks (333 rows): what the larger default chunk buys.
const fusedSmallChunks = await peakMiB(Math.floor((64 * MiB) / (VOCAB * 4)));
const configs = names.map((name) => tf.getKernel(name, tf.getBackend()));
if (configs.some((c) => c === undefined)) throw new Error('the fused loss kernels are not registered: build @tunekit/cpu-kernels');
for (const name of names) tf.unregisterKernel(name, tf.getBackend());
const opPath = await peakMiB();
console.log(JSON.stringify({ measure: 'lm-loss-peak', rows: ROWS, vocab: VOCAB, dim: DIM, fusedPeakMiB: fused, fusedOpPathChunksPeakMiB: fusedSmallChunks, opPathPeakMiB: opPath }));
