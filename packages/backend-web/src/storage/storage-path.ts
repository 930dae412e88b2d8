/**
 * Paths in browser storage. OPFS and IndexedDB have no working directory and
 * no `..`, so a path is a list of names: `models/gpt2/config.json` and
 * `/models//gpt2/./config.json` name the same file and `''` is the root.
 */
import { InvalidArgumentError } from '@tunekit/core';

/** Splits a path into its names; rejects `..` (there is nothing above the root to go to). */
export function pathSegments(path: string): string[] {
  const segments = path.replaceAll('\\', '/').split('/').filter((segment) => segment !== '' && segment !== '.');
  if (segments.includes('..')) throw new InvalidArgumentError(`Browser storage paths cannot contain "..": ${path}`, { fix: 'Use paths inside the storage, without ".." segments.' });
  return segments;
}

/** The canonical form of a path: names joined with `/`, no leading slash. */
export function normalizePath(path: string): string {
  return pathSegments(path).join('/');
}

/** Every ancestor of a canonical path, outermost first, without the root: `a/b/c` → `a`, `a/b`. */
export function ancestorsOf(path: string): string[] {
  const segments = pathSegments(path);
  return segments.slice(0, -1).map((_, index) => segments.slice(0, index + 1).join('/'));
}

/** Bytes of a file given as text (UTF-8) or bytes. */
export function toBytes(data: Uint8Array | string): Uint8Array {
  return typeof data === 'string' ? new TextEncoder().encode(data) : data;
}

/** A name for a temporary entry that will not collide with a concurrent writer's. */
export function temporaryName(name: string): string {
  const random = globalThis.crypto?.randomUUID?.() ?? `${Date.now()}-${Math.random().toString(36).slice(2)}`;
  return `.${name}.tmp-${random}`;
}
