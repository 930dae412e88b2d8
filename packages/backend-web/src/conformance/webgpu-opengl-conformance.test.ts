/**
 * The backend conformance suite on Dawn's OpenGL ES driver (Mesa llvmpipe),
 * whose storage bindings stop at 128 MiB: GPT-2's 50257 × 768 embedding/LM
 * head (154 MB) must be split by core to train here. All eight checks run at
 * tolerance 1e-3; every test must leave the device without a GPU validation
 * error (tfjs would otherwise return zeros silently), and the full-vocabulary
 * step must match tfjs's cpu backend. Without the driver the file is skipped
 * with the reason printed (a failure under TUNEKIT_REQUIRE_WEBGPU=1, as in CI).
 * One Dawn instance per test file.
 */
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { createCPUBackend } from '@tunekit/backend-cpu';
import { registerBackendConformance } from '@tunekit/core/testing';
import { startDawnForTests } from './dawn-for-tests';
import { runFullVocabularyStep, STEP_IDS, STEP_TOKENS } from './full-vocabulary-step';
import { watchedWebGPUBackend } from './watched-webgpu-backend';

const TOLERANCE = 1e-3;
const MiB = 2 ** 20;
const { dawn, skipReason } = await startDawnForTests('opengl', 'WebGPU conformance suite');

if (!dawn) {
  describe('backend conformance: webgpu (Dawn, opengl driver)', () => {
    it.skip(`skipped: ${skipReason}`, () => {});
  });
} else {
  describe('WebGPU in Node (Dawn, opengl driver, 128 MiB bindings)', () => {
    const { backend, gpuErrors, lost, log } = watchedWebGPUBackend(dawn, 'opengl');

    afterEach(async (context) => gpuErrors.close(context.task.name));

    it('binds at most 128 MiB, less than the 154 MB GPT-2 embedding', async () => {
      await backend.doInit();
      expect(backend.doCapabilities().maxBindingBytes).toBe(128 * MiB);
      expect(50257 * 768 * 4).toBeGreaterThan(128 * MiB);
    });

    registerBackendConformance({ describe, it, afterAll, skip: it.skip }, { backend, tolerance: TOLERANCE, log });

    it(`the full-vocabulary step (50257 × 768, ${STEP_TOKENS} tokens) matches tfjs's cpu backend`, async () => {
      const rows = [STEP_IDS[0] as number, STEP_IDS[1] as number, STEP_IDS[5] as number, 100, 25128, 25129, 50256];
      const gl = await runFullVocabularyStep(backend, rows);
      const cpu = await runFullVocabularyStep(createCPUBackend({ prefer: ['cpu'] }), rows); // pure-JS tfjs cpu

      let worstNorm = 0;
      for (const [name, expected] of Object.entries(cpu.gradNorms)) {
        worstNorm = Math.max(worstNorm, Math.abs((gl.gradNorms[name] as number) - expected) / expected);
      }
      const rowScale = Math.max(...Object.values(cpu.wteGradRows).flat().map(Math.abs));
      let worstRow = 0;
      for (const row of rows) {
        (gl.wteGradRows[row] as number[]).forEach((v, i) => (worstRow = Math.max(worstRow, Math.abs(v - (cpu.wteGradRows[row] as number[])[i]!))));
      }
      log(
        `full-vocabulary step: ${gl.wteChunks} wte chunks here, ${cpu.wteChunks} on cpu; loss ${gl.loss.toFixed(6)} vs cpu ${cpu.loss.toFixed(6)} ` +
          `(diff ${Math.abs(gl.loss - cpu.loss).toExponential(2)}); gradient norms max relative diff ${worstNorm.toExponential(2)}; ` +
          `wte gradient rows max abs diff ${worstRow.toExponential(2)} (largest value ${rowScale.toExponential(2)}); ` +
          `${gl.seconds.toFixed(1)} s here, ${cpu.seconds.toFixed(1)} s on tfjs cpu`,
      );

      expect(gl.wteChunks).toBe(2);
      expect(gl.finite && cpu.finite).toBe(true);
      expect(Math.abs(gl.loss - cpu.loss)).toBeLessThanOrEqual(TOLERANCE);
      expect(worstNorm).toBeLessThanOrEqual(10 * TOLERANCE);
      expect(worstRow).toBeLessThanOrEqual(10 * TOLERANCE * rowScale);
      // Non-zero where the step reaches: every parameter and the wte rows of
      // both chunks. Position t feeds the losses of positions ≥ t (causal
      // attention); the last position has no label, so the wpe gradient is
      // non-zero exactly at positions 0 … STEP_TOKENS − 2.
      for (const [name, value] of Object.entries(gl.gradNorms)) expect(value, name).toBeGreaterThan(0);
      for (const row of rows) expect(Math.max(...(gl.wteGradRows[row] as number[]).map(Math.abs)), `wte row ${row}`).toBeGreaterThan(0);
      const reached = (norms: number[]) => norms.map((n, t) => (n > 0 ? t : -1)).filter((t) => t >= 0);
      expect(reached(gl.wpeGradRowNorms)).toEqual(Array.from({ length: STEP_TOKENS - 1 }, (_, t) => t));
      expect(reached(cpu.wpeGradRowNorms)).toEqual(reached(gl.wpeGradRowNorms));
    });

    it('raised no GPU validation error in any test, and kept its device', () => {
      expect(gpuErrors.all(log)).toEqual([]);
      expect(lost).toEqual([]);
    });

    afterAll(async () => {
      await backend.dispose();
      dawn.release();
      await tf.setBackend('cpu');
    });
  });
}
