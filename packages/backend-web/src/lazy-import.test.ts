/**
 * Importing the package must not touch WebGPU: a page that never calls
 * doInit (or picks wasm) should not request adapters or even read navigator.gpu.
 * Its own file, so no static import has loaded the package already.
 */
import { afterAll, expect, it } from 'vitest';

const scope = globalThis as { navigator?: unknown };
let reads = 0;
scope.navigator = {
  get gpu() {
    reads += 1;
    return undefined;
  },
};

afterAll(() => {
  delete scope.navigator;
});

it('reads navigator.gpu only in doInit', async () => {
  const { createWebBackend, webBackend } = await import('./index');
  expect(webBackend.name).toBe('web');
  expect(reads).toBe(0);
  await createWebBackend({ prefer: ['webgpu', 'cpu'], log: false }).doInit();
  expect(reads).toBeGreaterThan(0);
});
