/**
 * The page's side of the training worker: starts it as a module worker
 * (Vite bundles `worker/trainer-worker.ts` and its imports into their own
 * chunk) and turns requests into promises, with a callback for the events a
 * request reports while it runs.
 */
import type { FromWorker, RequestName, Requests, ToWorker } from './protocol';

interface Pending {
  onEvent: (event: never) => void;
  resolve: (result: never) => void;
  reject: (error: Error) => void;
}

export class WorkerClient {
  private readonly worker = new Worker(new URL('./worker/trainer-worker.ts', import.meta.url), { type: 'module', name: 'tunekit-trainer' });
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;

  constructor() {
    this.worker.addEventListener('message', (event: MessageEvent<FromWorker>) => this.receive(event.data));
    // A worker that fails to load (or crashes) fails every request waiting on it.
    this.worker.addEventListener('error', (event) => this.failAll(new Error(`The training worker failed: ${event.message || 'it could not be loaded'}`)));
  }

  /** Sends a request; `onEvent` receives its progress events. */
  request<N extends RequestName>(name: N, args: Requests[N]['args'], onEvent: (event: Requests[N]['event']) => void = () => undefined): Promise<Requests[N]['result']> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { onEvent, resolve, reject } as Pending);
      this.worker.postMessage({ kind: 'request', id, name, args } as ToWorker);
    });
  }

  /** Asks the running training to stop after its current step. */
  stop(): void {
    this.worker.postMessage({ kind: 'stop' } satisfies ToWorker);
  }

  private receive(message: FromWorker): void {
    const pending = this.pending.get(message.id);
    if (!pending) return;
    if (message.kind === 'event') {
      pending.onEvent(message.event as never);
      return;
    }
    this.pending.delete(message.id);
    if (message.kind === 'done') pending.resolve(message.result as never);
    else pending.reject(new Error(message.message));
  }

  private failAll(error: Error): void {
    for (const pending of this.pending.values()) pending.reject(error);
    this.pending.clear();
  }
}
