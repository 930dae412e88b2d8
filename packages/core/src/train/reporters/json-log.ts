/**
 * A JSON-lines log of a run: one object per line for the start, every
 * update, evaluation and checkpoint, and the end. The whole file is rewritten
 * atomically at each evaluation, checkpoint and at the end (and every
 * `flushEvery` updates), so it is never half-written; a resumed run starts
 * from the checkpoint's history.
 */
import type { FileIO } from '../../backend/backend-spec';
import { resolveFiles } from '../../backend/default-backend';
import type { TrainCallbacks } from '../events';

/** Options of {@link jsonLog}. */
export interface JSONLogOptions {
  /** File access. Default: the active backend's, else Node's file system. */
  files?: FileIO;
  /** Also rewrite the file every this many updates. Default 50. */
  flushEvery?: number;
}

/** Callbacks that write a JSONL log of every event to `path`. */
export function jsonLog(path: string, options: JSONLogOptions = {}): TrainCallbacks {
  const lines: string[] = [];
  const add = (type: string, event: object) => lines.push(JSON.stringify({ type, ...event }));
  const flush = () => resolveFiles(options.files).writeFileAtomic(path, lines.length ? `${lines.join('\n')}\n` : '');
  const every = options.flushEvery ?? 50;
  return {
    async onStart(event) {
      lines.length = 0;
      // A resumed run replays what the checkpoint recorded, in order.
      const history = [...event.history.steps.map((e) => ['step', e] as const), ...event.history.evals.map((e) => ['eval', e] as const)];
      history.sort((a, b) => a[1].step - b[1].step || (a[0] === 'step' ? -1 : 1));
      for (const [type, e] of history) add(type, e);
      const { history: _history, ...summary } = event;
      add('start', summary);
      await flush();
    },
    async onStep(event) {
      add('step', event);
      if (event.step % every === 0) await flush();
    },
    async onEval(event) {
      add('eval', event);
      await flush();
    },
    async onCheckpoint(event) {
      add('checkpoint', event);
      await flush();
    },
    async onEnd(result) {
      add('end', { step: result.step, stopReason: result.stopReason, checkpoint: result.checkpoint, tokensSeen: result.tokensSeen, elapsedMs: result.elapsedMs });
      await flush();
    },
  };
}
