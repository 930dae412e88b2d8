/**
 * @packageDocumentation
 * `@tunekit/backend-web`: run `@tunekit/core` on WebGPU in browsers (and in
 * Node through Dawn, see `@tunekit/backend-web/node`), falling back to wasm or
 * plain JavaScript in a stated order; plus browser storage for checkpoints and
 * adapters (OPFS, IndexedDB) and downloads with progress and caching.
 */
export { createWebBackend, DEFAULT_WEB_PREFERENCE, webBackend, type WebBackend, type WebBackendKind, type WebBackendOptions } from './web-backend';
export { detectWebGPU, type DetectedWebGPU, type WebGPURequirements } from './webgpu/detect-webgpu';
export type {
  GPUAdapterInfoLike, GPUAdapterLike, GPUAdapterRequest, GPUDeviceLike, GPUDeviceLostInfoLike, GPUDeviceRequest, GPULike, GPULimitsLike,
  GPUUncapturedErrorEventLike,
} from './webgpu/webgpu-types';
export {
  BufferLimitError, DeviceLostError, FeatureUnsupportedError, FileNotFoundError, ShaderF16UnsupportedError, WebBackendError,
  WebBackendUnavailableError, WebGPUDeviceError, WebGPUNotAvailableError, type BackendAttempt,
} from './errors';

export { createBrowserFileIO, type BrowserFileIO, type BrowserFileIOOptions, type BrowserStorageKind } from './storage/browser-file-io';
export { createIndexedDBFileIO, type IndexedDBFileIOOptions } from './storage/indexeddb-file-io';
export {
  canWriteOPFS, createOPFSFileIO, type OPFSDirectoryHandleLike, type OPFSFileHandleLike, type OPFSFileIOOptions, type OPFSFileLike, type OPFSWritableLike,
} from './storage/opfs-file-io';
export { fetchWithProgress, type CacheLike, type CacheStorageLike, type FetchProgress, type FetchWithProgressOptions } from './storage/fetch-with-progress';
