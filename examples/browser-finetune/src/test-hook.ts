/**
 * The page's state as plain data on `window.__tunekit` (and the phase on
 * `<body data-phase>`), so the end-to-end test, and anyone in the devtools
 * console, can see what ran without scraping the DOM.
 */

/** Where the page is in its workflow. */
export type DemoPhase = 'starting' | 'ready' | 'loading-model' | 'training' | 'stopping' | 'trained' | 'generating' | 'error';

/** One optimizer update, as the trainer reported it. */
export interface StepRecord {
  step: number;
  loss: number;
  elapsedMs: number;
  tokensPerSecond: number;
}

/** Everything the page exposes. */
export interface DemoState {
  phase: DemoPhase;
  /** The engine that runs (`webgpu`, `wasm`, `cpu`) and the backend's one-line reason. */
  backend?: { kind: string; description: string; gpuErrors: number; threads?: number; crossOriginIsolated: boolean };
  /** The model being trained. */
  model?: { description: string; parameters: number; trainable?: string };
  /** The data set chosen. */
  data?: { name: string; kind: string; records: number; examples?: number };
  /** Every step of the last training run. */
  steps: StepRecord[];
  /** Wall time of the last training run, including the first-step shader compilation. */
  trainMs?: number;
  /** Steps the page had received when Stop was clicked (the run must end within one more). */
  stopAtStep?: number;
  /** How the last run ended (`completed`, `aborted` after Stop) and its steps. */
  run?: { stopReason: string; steps: number };
  /** The model download's last progress report (URL models), and whether it came from the cache. */
  download?: { file: string; loadedBytes: number; totalBytes?: number; fromCache: boolean };
  /** Every button click: ms from the input event to the first task after the next frame was painted. */
  clicks: { id: string; ms: number }[];
  /** The last chat reply: its text, its token count and how many streamed updates drew it. */
  chat: { prompt: string; text: string; tokens: number; updates: number; done: boolean };
  /** Adapter files prepared for download: names and sizes. */
  adapterFiles: { name: string; bytes: number }[];
  /** The last error message, if any. */
  error?: string;
}

declare global {
  interface Window {
    __tunekit: DemoState;
  }
}

const state: DemoState = {
  phase: 'starting',
  steps: [],
  chat: { prompt: '', text: '', tokens: 0, updates: 0, done: false },
  adapterFiles: [],
  clicks: [],
};
window.__tunekit = state;

/** Merges `patch` into the published state. */
export function publish(patch: Partial<DemoState>): void {
  Object.assign(state, patch);
  document.body.dataset.phase = state.phase;
}

/** The published state (the same object as `window.__tunekit`). */
export function demoState(): DemoState {
  return state;
}

/**
 * Measures, for every button click, the time from the input event (its
 * `timeStamp`, taken when the browser received the click) until the frame
 * after the handlers ran has been painted: the first task after the next
 * animation frame. A busy main thread delays both the handler and that frame,
 * so this is what a user feels as lag.
 */
export function measureClicks(): void {
  document.addEventListener('click', (event) => {
    const target = event.target instanceof Element ? event.target.closest('button') : null;
    if (!target) return;
    const clickedAt = event.timeStamp;
    requestAnimationFrame(() => {
      const channel = new MessageChannel();
      channel.port1.onmessage = () => {
        state.clicks.push({ id: target.id, ms: performance.now() - clickedAt });
        channel.port1.close();
      };
      channel.port2.postMessage(undefined);
    });
  }, { capture: true });
}
