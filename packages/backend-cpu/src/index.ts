/**
 * @packageDocumentation
 * The CPU backend: what `@tunekit/core` loads, lazily, when no backend is
 * given, and what `@tunekit/backend-web` falls back to. Flavours, tried in
 * order: `native` (tfjs cpu + `@tunekit/cpu-kernels`, Node), `wasm`
 * (tfjs-backend-wasm), `cpu` (pure JavaScript).
 */
export { createCPUBackend, cpuBackend, type CPUBackendOptions, type CPUFlavor } from './cpu-backend';
