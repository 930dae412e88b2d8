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

  // The optional members below are what core's Hugging Face Hub cache needs
  // beyond whole-file access. `nodeFileIO` (`@tunekit/backend-cpu/node`, the
  // `files` of every backend in Node) implements all of them; the browser
  // FileIOs of `@tunekit/backend-web` implement none (in a browser core reads
  // the Hub's URLs directly and keeps no cache). Core names the missing one in
  // an `UnsupportedError` when a FileIO lacks what an operation needs.

  /**
   * Optional: the size in bytes of the file at `path`, following symbolic
   * links; undefined when no file is there (nothing, a directory, a dangling
   * link). The Hub cache compares it with the size the Hub announces.
   */
  fileSize?(path: string): Promise<number | undefined>;
  /**
   * Optional: appends `chunks` to the file at `path`, creating the file and
   * its folder when missing. Not atomic, on purpose: what was written before a
   * failure stays, so an interrupted download resumes from it. Every chunk is
   * written completely or the call rejects with a `FileWriteError`
   * (`disk_full` on a full disk; a short write is never taken as success); the
   * file is flushed to the device before the call resolves. An error thrown
   * by `chunks` itself passes through unchanged.
   */
  appendChunks?(path: string, chunks: AsyncIterable<Uint8Array>): Promise<void>;
  /**
   * Optional: the SHA-256 of the file at `path` as 64 lowercase hex digits,
   * read in chunks (the file may be larger than memory). The Hub cache checks
   * LFS downloads with it (their ETag is this hash).
   */
  sha256?(path: string): Promise<string>;
  /**
   * Optional: makes `link` a symbolic link to the existing file `target`,
   * holding the path of `target` relative to the folder of `link` (what
   * `huggingface_hub` writes into its cache's snapshots); creates the folder
   * of `link`. Rejects when something is already at `link`, or when the
   * platform refuses symbolic links (Windows without Developer Mode): callers
   * then copy the file instead.
   */
  symlink?(target: string, link: string): Promise<void>;
  /**
   * Optional: the absolute path that `path` names: a relative path is taken
   * from the working folder, and a leading `~` (alone or before a separator)
   * is the user's home folder. The Hub cache finds its default folder,
   * `~/.cache/huggingface/hub`, with it.
   */
  resolvePath?(path: string): Promise<string>;
}

/** The names of the optional members of {@link FileIO}. */
export type OptionalFileIOMember = 'openRead' | 'writeChunksAtomic' | 'fileSize' | 'appendChunks' | 'sha256' | 'symlink' | 'resolvePath';

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
