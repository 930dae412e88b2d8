/**
 * Node's modules for the Node file access, imported on first use so that this
 * package's Node entry can sit in a browser bundle without pulling them in.
 */

// Type-only imports are erased from the output; the modules load lazily below.
import type * as NodeCryptoModule from 'node:crypto';
import type * as NodeFsModule from 'node:fs';
import type * as NodeFsPromisesModule from 'node:fs/promises';
import type * as NodeOsModule from 'node:os';
import type * as NodePathModule from 'node:path';

/** The Node modules the file access uses. */
export interface NodeModules {
  crypto: typeof NodeCryptoModule;
  fs: typeof NodeFsModule;
  fsp: typeof NodeFsPromisesModule;
  os: typeof NodeOsModule;
  path: typeof NodePathModule;
}

let modules: Promise<NodeModules> | undefined;

/** Node's `crypto`, `fs`, `fs/promises`, `os` and `path`, loaded once. */
export function nodeModules(): Promise<NodeModules> {
  // Specifiers in variables keep browser bundlers from trying to resolve them.
  const names = ['node:crypto', 'node:fs', 'node:fs/promises', 'node:os', 'node:path'];
  modules ??= Promise.all(names.map((name) => import(/* @vite-ignore */ name))).then(
    ([crypto, fs, fsp, os, path]) => ({ crypto, fs, fsp, os, path }) as NodeModules,
  );
  return modules;
}
