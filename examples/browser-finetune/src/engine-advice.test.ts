import { describe, expect, it } from 'vitest';
import { engineAdvice, fallbackReason } from './engine-advice';

const FALLBACK = 'webgpu unavailable: navigator.gpu is undefined: this browser has no WebGPU → using wasm (SIMD, 1 thread)';

describe('engineAdvice', () => {
  it('on a fallback: the reason without the "→ using" tail, how to get WebGPU, the threads, the expected speed', () => {
    expect(fallbackReason(FALLBACK)).toBe('webgpu unavailable: navigator.gpu is undefined: this browser has no WebGPU');
    const text = engineAdvice({ kind: 'wasm', description: FALLBACK, threads: 1, crossOriginIsolated: false });
    expect(text).toContain('Running on wasm with 1 thread (the page is not cross-origin isolated, so no threads), not on WebGPU.');
    expect(text).toContain('Why: webgpu unavailable: navigator.gpu is undefined');
    expect(text).toMatch(/Chrome or Edge 113\+.*chrome:\/\/flags\/#enable-unsafe-webgpu/s);
    expect(text).toMatch(/Expected speed: wasm runs the tiny model/);
  });

  it('on WebGPU: no advice to get it, only the adapter and the speed', () => {
    const text = engineAdvice({ kind: 'webgpu', description: 'webgpu on google swiftshader (binding 1024 MiB)', crossOriginIsolated: true });
    expect(text).toMatch(/^Running on WebGPU: google swiftshader/);
    expect(text).not.toContain('chrome://flags');
    expect(fallbackReason('webgpu on google swiftshader')).toBeUndefined();
  });
});
