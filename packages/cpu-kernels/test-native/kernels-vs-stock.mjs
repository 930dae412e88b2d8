/**
 * The native kernels of one machine against tfjs's stock cpu kernels,
 * through the built package (dist/): `node test-native/kernels-vs-stock.mjs`.
 * Made for the arm64 binary under qemu-user (test-arm64.mjs runs it there,
 * where the vitest suites cannot run: vite's bundler has no arm64 binary
 * installed on this x86-64 machine), but runs anywhere. Every overridden
 * stock kernel on shapes with odd sizes, plus LayerNorm and GELU (ours)
 * against the same maths in stock ops; 1 and 3 threads. Prints one JSON
 * line; exit 1 on the first mismatch.
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { TunekitGelu, TunekitLayerNorm } from '@tunekit/backend-spec';
import { registerNativeCPUKernels, unregisterNativeCPUKernels } from '../dist/index.js';

await tf.setBackend('cpu');
tf.backend().firstUse = false; // no "install tfjs-node" banner
const rand = (shape, seed, offset = 0) => tf.randomUniform(shape, -1 + offset, 1 + offset, 'float32', seed);

/** name -> () => output tensor, built from inputs made once. */
const a = rand([37, 45], 1);
const b = rand([45, 29], 2);
const bt = rand([29, 45], 3);
const batched = rand([3, 17, 33], 4);
const batchedB = rand([33, 13], 5);
const row = rand([45], 6);
const positive = rand([37, 45], 7, 2);
const ids = tf.tensor1d([4, 0, 4, 2, 1, 0, 3, 4, 2, 1, 0, 3, 3, 2, 4, 1, 0, 2, 1, 3, 4, 0, 1, 2, 3, 4, 0, 1, 2, 3, 4, 0, 1, 2, 3, 4, 0], 'int32');
const gamma = rand([45], 8, 1);
const beta = rand([45], 9);
const CASES = {
  matMul: () => tf.matMul(a, b),
  matMulTransposeB: () => tf.matMul(a, bt, false, true),
  matMulTransposeA: () => tf.matMul(a, a, true, false),
  batchedMatMulBroadcast: () => tf.matMul(batched, batchedB),
  fusedMatMulBiasRelu: () => tf.fused.matMul({ a, b, bias: rand([29], 10), activation: 'relu' }),
  addBroadcast: () => tf.add(a, row),
  sub: () => tf.sub(a, positive),
  mul: () => tf.mul(a, row),
  div: () => tf.div(a, positive),
  exp: () => tf.exp(a),
  tanh: () => tf.tanh(a),
  rsqrt: () => tf.rsqrt(positive),
  sqrt: () => tf.sqrt(positive),
  log: () => tf.log(positive),
  square: () => tf.square(a),
  neg: () => tf.neg(a),
  reciprocal: () => tf.reciprocal(positive),
  floor: () => tf.floor(tf.mul(a, 5)),
  sumLastAxis: () => tf.sum(a, -1),
  sumFirstAxis: () => tf.sum(a, 0),
  max: () => tf.max(batched, 1),
  mean: () => tf.mean(a, -1),
  softmax: () => tf.softmax(batched),
  transpose: () => tf.transpose(batched, [0, 2, 1]),
  slice: () => tf.slice(a, [3, 5], [20, 31]),
  split: () => tf.concat(tf.split(a, [10, 20, 15], 1).reverse(), 1),
  unsortedSegmentSum: () => tf.unsortedSegmentSum(a, ids, 5),
};
// Ours, against the same maths in stock ops.
const OURS = {
  layerNorm: [
    () => tf.engine().runKernel(TunekitLayerNorm, { x: a, gamma, beta }, { epsilon: 1e-5 })[0],
    () => {
      const { mean, variance } = tf.moments(a, -1, true);
      return tf.add(tf.mul(tf.div(tf.sub(a, mean), tf.sqrt(tf.add(variance, 1e-5))), gamma), beta);
    },
  ],
  geluTanh: [
    () => tf.engine().runKernel(TunekitGelu, { x: a }, { approximate: true }),
    () => tf.mul(tf.mul(a, 0.5), tf.add(1, tf.tanh(tf.mul(Math.sqrt(2 / Math.PI), tf.add(a, tf.mul(0.044715, tf.pow(a, 3))))))),
  ],
};

function compare(name, got, want, threads) {
  const g = got.dataSync();
  const w = want.dataSync();
  if (g.length !== w.length) throw new Error(`${name}: ${g.length} vs ${w.length} values`);
  for (let i = 0; i < g.length; i++) {
    if (!(Math.abs(g[i] - w[i]) <= 1e-4 * Math.max(1, Math.abs(w[i])))) {
      console.error(`${name} (threads ${threads}) differs at ${i}: native ${g[i]} vs stock ${w[i]}`);
      process.exit(1);
    }
  }
}

const stock = Object.fromEntries(Object.entries(CASES).map(([name, f]) => [name, f()]));
const reference = Object.fromEntries(Object.entries(OURS).map(([name, [, f]]) => [name, f()]));
let checks = 0;
for (const threads of [1, 3]) {
  const info = registerNativeCPUKernels({ threads });
  if (!info.available) {
    console.error(`native kernels unavailable: ${info.reason}`);
    process.exit(1);
  }
  for (const [name, f] of Object.entries(CASES)) {
    const out = f();
    compare(name, out, stock[name], threads);
    out.dispose();
    checks++;
  }
  for (const [name, [f]] of Object.entries(OURS)) {
    const out = f();
    compare(name, out, reference[name], threads);
    out.dispose();
    checks++;
  }
  unregisterNativeCPUKernels();
}
const info = registerNativeCPUKernels();
console.log(JSON.stringify({ ok: true, arch: process.arch, isa: info.isa, binary: info.binary, checks }));
