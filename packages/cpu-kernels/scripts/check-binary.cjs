/**
 * Loads one addon binary and checks that it computes: `node check-binary.cjs
 * <path.node> [isa]`. Exit 0 and one JSON line ({ isa, gemmKernel, ... })
 * when every matmul transpose combination of an odd shape (partial register
 * tiles, K across a cache block) matches a float64 reference; exit 1 with
 * the reason otherwise. Plain CommonJS with no imports from this package,
 * so the install script, the release script and an arm64 Node under
 * qemu-user can all run it.
 */
'use strict';

const path = process.argv[2];
const isa = process.argv[3];
if (!path) {
  console.error('usage: node check-binary.cjs <addon.node> [avx512|avx2|neon|scalar]');
  process.exit(2);
}

function fail(message) {
  console.error(message);
  process.exit(1);
}

let addon;
try {
  // process.dlopen is what require() does for a .node file, without the module cache.
  const module = { exports: {} };
  process.dlopen(module, path);
  addon = module.exports;
} catch (error) {
  fail(`cannot load ${path}: ${String(error && error.message).split('\n')[0]}`);
}
if (typeof addon.matmul !== 'function' || typeof addon.info !== 'function') fail(`${path} is not the tunekit addon`);
if (isa) addon.setIsa(isa);

function reference(a, b, m, n, k, ta, tb) {
  const out = new Float64Array(m * n);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let sum = 0;
      for (let p = 0; p < k; p++) sum += a[ta ? p * m + i : i * k + p] * b[tb ? j * k + p : p * n + j];
      out[i * n + j] = sum;
    }
  }
  return out;
}

const [m, n, k] = [37, 45, 300];
const a = new Float32Array(m * k).map((_, i) => Math.sin(i * 0.37));
const b = new Float32Array(k * n).map((_, i) => Math.cos(i * 0.11));
for (const threads of [1, 3]) {
  addon.setThreads(threads);
  for (const [ta, tb] of [[false, false], [true, false], [false, true], [true, true]]) {
    const out = new Float32Array(m * n);
    addon.matmul(a, b, out, 1, m, n, k, ta, tb, null, null);
    const expected = reference(a, b, m, n, k, ta, tb);
    for (let i = 0; i < out.length; i++) {
      if (!(Math.abs(out[i] - expected[i]) <= 1e-3)) {
        fail(`matmul mismatch (threads=${threads}, transposeA=${ta}, transposeB=${tb}, element ${i}: ${out[i]} vs ${expected[i]})`);
      }
    }
  }
}
console.log(JSON.stringify({ ...addon.info(), arch: process.arch, node: process.version }));
