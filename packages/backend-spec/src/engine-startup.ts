/**
 * The one start-up path every backend shares: start once (a failed start may
 * be retried), re-select the started tfjs engine on every later init (another
 * model or the application may have switched tfjs away), and forget it all on
 * dispose. Each backend supplies only how it starts: which engines it tries,
 * in which order, and what it reports.
 */

/** The two tfjs engine functions start-up needs; passed in so that this package needs no tfjs. */
export interface EngineSelector {
  /** `tf.getBackend` */
  getBackend(): string;
  /** `tf.setBackend` */
  setBackend(name: string): Promise<boolean>;
}

/** A backend's start-up state, driven by its `doInit` and `doDispose`. */
export interface EngineStartup {
  /** Starts once (concurrent calls share one start), then makes the started engine the active tfjs backend. */
  init(): Promise<void>;
  /** Waits for a start in progress, then forgets it, so the next {@link EngineStartup.init} starts again. */
  reset(): Promise<void>;
}

/** Options of {@link engineStartup}. */
export interface EngineStartupOptions {
  /** Starts the backend: tries its engines in order, returns the name of the tfjs backend it selected; rejects when none could start. */
  start: () => Promise<string>;
  /** tfjs's engine selection (`import * as tf from '@tensorflow/tfjs-core'`). */
  tf: EngineSelector;
}

/**
 * Wraps a backend's `start` (tries its engines in order and returns the name
 * of the tfjs backend it selected) in the shared start-up path.
 */
export function engineStartup(options: EngineStartupOptions): EngineStartup {
  const { start, tf } = options;
  let starting: Promise<string> | undefined;
  return {
    async init() {
      starting ??= start().catch((error: unknown) => {
        starting = undefined;
        throw error;
      });
      const name = await starting;
      if (tf.getBackend() !== name && !(await tf.setBackend(name))) {
        throw new Error(`tfjs could not switch back to its ${name} backend`); // plain Error: backend-spec depends on no package, so it cannot extend TunekitError (an engine that vanished after a good start)
      }
    },
    async reset() {
      await starting?.catch(() => undefined);
      starting = undefined;
    },
  };
}
