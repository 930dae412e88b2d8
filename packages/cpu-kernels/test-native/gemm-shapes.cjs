/**
 * GEMM of one addon binary against a float64 reference over odd shapes:
 * `node gemm-shapes.cjs <addon.node>`. Every SIMD level the binary has
 * here (e.g. neon and the portable kernel on arm64), 1 and 3 threads, all
 * four transpose combinations, batches with a broadcast operand; shapes
 * chosen to hit partial register tiles (M, N not multiples of 8/12/14/16/32),
 * the small-M path (M <= 4), K across a 256-deep cache block, and N across
 * a 2040/2048-wide one. Plain CommonJS, no imports from the package, so an
 * arm64 Node under qemu-user can run it. Exit 1 on the first mismatch.
 */
'use strict';

const path = process.argv[2];
const loaded = { exports: {} };
process.dlopen(loaded, path); // what require() does for a .node file
const addon = loaded.exports;

// [batch, m, n, k]
const SHAPES = [
  [1, 1, 13, 300], [1, 3, 37, 70], [1, 5, 12, 1], [1, 8, 12, 256], [1, 9, 13, 257],
  [1, 17, 25, 33], [1, 37, 45, 300], [1, 64, 48, 513], [2, 23, 29, 130], [3, 7, 11, 5],
  [1, 263, 31, 19], [1, 6, 2051, 3], [1, 260, 2053, 2],
];

function random(seed) {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32 - 0.5;
  };
}

function check(isa, threads, [batch, m, n, k], ta, tb, broadcastB) {
  const next = random(batch * 7919 + m * 104729 + n * 31 + k);
  const a = Float32Array.from({ length: batch * m * k }, next);
  const bBatches = broadcastB ? 1 : batch;
  const b = Float32Array.from({ length: bBatches * k * n }, next);
  const out = new Float32Array(batch * m * n);
  const bIndex = broadcastB ? new Int32Array(batch) : null;
  addon.matmul(a, b, out, batch, m, n, k, ta, tb, null, bIndex);
  for (let bi = 0; bi < batch; bi++) {
    const ao = bi * m * k;
    const bo = (broadcastB ? 0 : bi) * k * n;
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        let sum = 0;
        let scale = 0;
        for (let p = 0; p < k; p++) {
          const term = a[ao + (ta ? p * m + i : i * k + p)] * b[bo + (tb ? j * k + p : p * n + j)];
          sum += term;
          scale += Math.abs(term);
        }
        const got = out[bi * m * n + i * n + j];
        // float32 accumulation over k terms: error grows with sum |a*b|, not with |sum|.
        if (!(Math.abs(got - sum) <= 2e-6 * scale * Math.sqrt(k) + 1e-6)) {
          console.error(`mismatch: isa=${isa} threads=${threads} shape=[${batch},${m},${n},${k}] ta=${ta} tb=${tb} broadcastB=${broadcastB} at [${bi},${i},${j}]: ${got} vs ${sum}`);
          process.exit(1);
        }
      }
    }
  }
}

const detected = addon.info().detectedIsa;
const levels = [...new Set([detected, ...(detected === 'avx512' ? ['avx2'] : []), 'scalar'])];
let products = 0;
for (const isa of levels) {
  if (addon.setIsa(isa) !== isa) throw new Error(`setIsa(${isa}) did not take`);
  for (const threads of [1, 3]) {
    addon.setThreads(threads);
    for (const shape of SHAPES) {
      for (const [ta, tb] of [[false, false], [true, false], [false, true], [true, true]]) {
        check(isa, threads, shape, ta, tb, false);
        products++;
      }
      if (shape[0] > 1) {
        check(isa, threads, shape, false, false, true);
        products++;
      }
    }
  }
}
addon.setIsa(detected);
console.log(JSON.stringify({ ok: true, arch: process.arch, levels, kernels: levels.map((l) => (addon.setIsa(l), addon.info().gemmKernel)), products }));
