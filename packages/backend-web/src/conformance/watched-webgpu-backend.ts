/**
 * The WebGPU backend a conformance test file runs on: Dawn's device, with
 * every GPU error filed under the test that raised it and every device loss
 * kept, so that the file's last test can require none (tfjs carries on after
 * a validation error with zeros or a stale buffer, and a check may still pass).
 */
import { createWebBackend, type DeviceLostError, type WebBackend } from '../index';
import type { NodeWebGPU } from '../node';
import { GPUErrorLog } from './gpu-error-log';

/** The backend and what it has reported. */
export interface WatchedWebGPUBackend {
  backend: WebBackend;
  gpuErrors: GPUErrorLog;
  lost: DeviceLostError[];
  /** Prints a line tagged with the driver. */
  log: (message: string) => void;
}

/** A WebGPU-only backend on `dawn` that records GPU errors and device losses. */
export function watchedWebGPUBackend(dawn: NodeWebGPU, tag: string): WatchedWebGPUBackend {
  const gpuErrors = new GPUErrorLog();
  const lost: DeviceLostError[] = [];
  const backend = createWebBackend({
    gpu: dawn.gpu,
    adapterOptions: dawn.adapterOptions,
    prefer: ['webgpu'],
    log: (line) => console.log(line),
    onGPUError: gpuErrors.report,
    onDeviceLost: (error) => lost.push(error),
  });
  return { backend, gpuErrors, lost, log: (message) => console.log(`[${tag}] ${message}`) };
}
