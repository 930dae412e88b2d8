/**
 * @packageDocumentation
 * The tunekit backend specification, version 1: what a backend package
 * implements and `@tunekit/core` calls, plus the start-up path every backend
 * shares. Its own package so that core and every backend (including the CPU
 * backend core loads by default) depend on it, and never on each other.
 */
export type { BackendCapabilities, BackendV1, FileIO, OptionalFileIOMember } from './backend-spec';
export { engineStartup, type EngineSelector, type EngineStartup, type EngineStartupOptions } from './engine-startup';
export { lazyFileIO, type LazyFileIOOptions } from './lazy-file-io';
export { isNodeRuntime } from './runtime';
