/**
 * The messages between the page and the training worker. The page sends
 * requests (each with an id) and a stop signal; the worker answers each
 * request with events while it runs and one final `done` or `failed`.
 * Everything here is plain data (structured-cloneable); the page imports only
 * these types, never core, so no tensor code runs on the main thread.
 */
import type { Conversation, RecordKind } from '@tunekit/formats';

/** Engines of `@tunekit/backend-web`, in the page's `?prefer=` order. */
export type EngineKind = 'webgpu' | 'wasm' | 'cpu';

/** Where the model comes from (File objects are structured-cloneable, so picked files travel as is). */
export type ModelChoice =
  | { kind: 'tiny'; seed: number }
  | { kind: 'files'; config: File; weights: File }
  | { kind: 'url'; url: string };

/** A data set read and checked on the page, ready for the worker to tokenise. */
export interface TrainingData {
  /** File name, or the sample's description. */
  name: string;
  kind: RecordKind;
  conversations: Conversation[];
  /** Where each conversation came from (1-based line), for messages. */
  lines: number[];
}

/** What a run uses; the page's form fields. */
export interface TrainingSettings {
  steps: number;
  batchSize: number;
  learningRate: number;
  /** LoRA rank r; alpha is 2r (scaling 2), a common choice. */
  rank: number;
  /** `target_modules`, e.g. `['c_attn']` (PEFT's default for GPT-2) or `'all-linear'`. */
  targetModules: string[] | 'all-linear';
  /** Seed of the LoRA initialisation, the batch order and dropout. */
  seed: number;
}

/** Sampling settings of a chat reply. */
export interface ChatSettings {
  maxNewTokens: number;
  /** 0 = greedy. A barely trained model repeats itself when greedy, so the page samples a little. */
  temperature: number;
  seed: number;
}

/** One optimizer update. */
export interface StepInfo {
  step: number;
  totalSteps: number;
  loss: number;
  /** Training time so far (sum of step times), ms. */
  elapsedMs: number;
  tokensPerSecond: number;
}

/** One file of the adapter, serialised. */
export interface AdapterFile {
  name: string;
  bytes: Uint8Array;
  type: string;
}

/** Each request, its events and its answer. */
export interface Requests {
  start: {
    args: { prefer?: EngineKind[]; wasmFolder: string };
    event: { gpuError: string };
    /** `threads`: the wasm engine's thread count (wasm only). */
    result: { kind: string; device: string; description: string; threads?: number; crossOriginIsolated: boolean };
  };
  loadModel: {
    args: { choice: ModelChoice; key: string };
    event: { file: string; loadedBytes: number; totalBytes?: number; fromCache: boolean };
    result: { description: string; parameters: number; reused: boolean };
  };
  train: {
    args: { data: TrainingData; template: string; maxTokens: number; records: number; settings: TrainingSettings };
    event: { examples: number; maxLength: number } | { step: StepInfo };
    result: { steps: number; stopReason: string; wallMs: number; trainable: string; firstLoss?: number; lastLoss?: number };
  };
  generate: {
    args: { message: string; template: string; settings: ChatSettings };
    event: { text: string };
    result: { text: string; tokens: number; finishReason: string; withAdapter: boolean };
  };
  adapterFiles: {
    args: Record<string, never>;
    event: never;
    result: AdapterFile[];
  };
}

export type RequestName = keyof Requests;

/** Page → worker. */
export type ToWorker =
  | { [N in RequestName]: { kind: 'request'; id: number; name: N; args: Requests[N]['args'] } }[RequestName]
  | { kind: 'stop' };

/** Worker → page. */
export type FromWorker =
  | { kind: 'event'; id: number; event: unknown }
  | { kind: 'done'; id: number; result: unknown }
  | { kind: 'failed'; id: number; message: string };
