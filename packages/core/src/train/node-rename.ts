/** Renaming a directory on Node (the commit step of a checkpoint); loaded lazily so browsers never see `node:fs`. */
import type * as NodeFsPromises from 'node:fs/promises';
import { isNodeRuntime } from '../io/node-file-io';

/** `fs.rename`, or undefined outside Node. */
export function nodeRename(): ((from: string, to: string) => Promise<void>) | undefined {
  if (!isNodeRuntime()) return undefined;
  return async (from, to) => {
    // A specifier in a variable keeps browser bundlers from resolving it.
    const name = 'node:fs/promises';
    const fsp = (await import(/* @vite-ignore */ name)) as typeof NodeFsPromises;
    await fsp.rename(from, to);
  };
}
