// Measures tfjs matMul throughput on WebGPU in Node through this package's
// own API (build first: pnpm --filter @tunekit/backend-web build).
//   node scripts/measure-matmul.mjs swiftshader|opengl [sizes...]
// Each size: one warm-up product, then `reps` products queued back to back and
// a single read of the last one, so readback does not dominate the timing.
import * as tf from '@tensorflow/tfjs-core';
import { createWebBackend } from '@tunekit/backend-web';
import { createNodeWebGPU } from '@tunekit/backend-web/node';

const driver = process.argv[2] ?? 'swiftshader';
const sizes = process.argv.slice(3).map(Number);
const dawn = await createNodeWebGPU({ driver });
const backend = createWebBackend({ gpu: dawn.gpu, adapterOptions: dawn.adapterOptions, prefer: ['webgpu'], log: false });
await backend.doInit();
const limits = backend.gpuDevice().limits;
console.log(`${driver}: ${backend.doCapabilities().description}`);
console.log(`  maxStorageBufferBindingSize ${limits.maxStorageBufferBindingSize}, maxBufferSize ${limits.maxBufferSize}, ` +
  `maxComputeWorkgroupStorageSize ${limits.maxComputeWorkgroupStorageSize}, maxComputeInvocationsPerWorkgroup ${limits.maxComputeInvocationsPerWorkgroup}`);

for (const n of sizes.length ? sizes : [512, 1024]) {
  const a = tf.randomNormal([n, n]);
  const b = tf.randomNormal([n, n]);
  const warm = tf.matMul(a, b);
  await warm.data();
  warm.dispose();
  const reps = n <= 512 ? 8 : 3;
  const start = performance.now();
  let last;
  for (let i = 0; i < reps; i += 1) {
    last?.dispose();
    last = tf.matMul(a, b);
  }
  await last.data();
  const seconds = (performance.now() - start) / 1000 / reps;
  console.log(`  matMul ${n}x${n}: ${(seconds * 1000).toFixed(0)} ms, ${((2 * n ** 3) / seconds / 1e9).toFixed(2)} GFLOP/s`);
  tf.dispose([a, b, last]);
}
await backend.dispose();
dawn.release();
