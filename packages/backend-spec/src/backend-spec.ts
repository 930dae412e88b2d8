/**
 * The backend specification, version 1.
 *
 * Core never imports a backend package. A backend is a small object that
 * selects and initialises a tfjs engine backend (tfjs's own kernel registry
 * then does the dispatch), reports what the device can do, and optionally
 * provides file I/O. Call-ins carry the `do` prefix so that application code
 * reaches them only through core (`resolveBackend`).
 */

/** What a backend can do; read by core to size chunks and pick code paths. */
export interface BackendCapabilities {
  /** The tfjs engine backend that runs the kernels: `'cpu'`, `'wasm'`, `'webgpu'`, `'tensorflow'`, … */
  readonly tfjsBackend: string;
  /** Where the arithmetic happens. */
  readonly device: 'cpu' | 'gpu';
  /**
   * Largest single buffer binding, in bytes, that one kernel may read or
   * write (WebGPU `maxStorageBufferBindingSize`). Undefined when there is no
   * practical limit. Core splits vocabulary-sized tensors to respect it.
   */
  readonly maxBindingBytes?: number;
  /** Largest single buffer, in bytes (WebGPU `maxBufferSize`), when limited. */
  readonly maxBufferBytes?: number;
  /** Whether half-precision storage/arithmetic is available. */
  readonly supportsFloat16: boolean;
  /** Worker threads used by the CPU kernels, when known. */
  readonly threads?: number;
  /** One line for humans: which backend runs and why it was chosen. */
  readonly description: string;
}

/** Byte-level file access; backends supply the flavour that fits their platform. */
export interface FileIO {
  /** Reads a whole file. Rejects with `FileNotFoundError` (from `@tunekit/formats`, re-exported by core) naming the path when it is missing. */
  readFile(path: string): Promise<Uint8Array>;
  /**
   * Writes a whole file atomically: a temporary file in the same directory is
   * written, flushed and renamed over `path`, so a crash never leaves a half file.
   */
  writeFileAtomic(path: string, data: Uint8Array | string): Promise<void>;
  /** Whether a file or directory exists at `path`. */
  exists(path: string): Promise<boolean>;
  /** Creates a directory and its parents; succeeds when it already exists. */
  makeDirectory(path: string): Promise<void>;
  /** Names (not paths) of the entries of a directory; empty when it does not exist. */
  listDirectory(path: string): Promise<string[]>;
  /**
   * Renames a file or directory, replacing a file at `to`; what staged writes
   * (checkpoints) finish with. Rejects with `FileNotFoundError` when `from` is missing.
   */
  rename(from: string, to: string): Promise<void>;
  /** Removes a file or a directory tree; succeeds when nothing is there. */
  remove(path: string): Promise<void>;
  /**
   * Optional streaming read, for files too large to hold whole (a 1558M-parameter
   * checkpoint is 6 GB; one typed array holds at most 4 GiB).
   */
  openRead?(path: string): Promise<{ size: number; chunks: AsyncIterable<Uint8Array> }>;
  /** Optional streaming, atomic write of a file given as consecutive chunks. */
  writeChunksAtomic?(path: string, chunks: Iterable<Uint8Array>): Promise<void>;
}

/** A tunekit backend, specification version 1. */
export interface BackendV1 {
  readonly specificationVersion: 'v1';
  /** A stable identifier, e.g. `'embedded-cpu'`, `'webgpu'`, `'tensorflow-gpu'`. */
  readonly name: string;
  /** Selects the tfjs backend and waits until it is ready. Idempotent. */
  doInit(): Promise<void>;
  /** Capabilities of the initialised backend (call after `doInit`). */
  doCapabilities(): BackendCapabilities;
  /** File I/O for checkpoints and adapters, when the platform has a file system. */
  readonly files?: FileIO;
  /** Optional: releases device resources (GPU device, engine). The backend may be initialised again afterwards. */
  doDispose?(): Promise<void> | void;
}
