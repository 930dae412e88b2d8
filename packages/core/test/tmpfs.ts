/** A small real tmpfs for full-disk tests, mounted for one test file and removed after it. */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';

/** The mounted folder, or why this machine does not allow mounting one. */
export type Tmpfs = { path: string } | { reason: string };

/**
 * Mounts a tmpfs of `size` (e.g. `'2m'`) at a fresh folder and unmounts it
 * after the file's tests; prints why `what` is skipped when mounting is not permitted.
 */
export function useTmpfs(size: string, what: string): Tmpfs {
  const path = mkdtempSync(join(tmpdir(), 'tunekit-tmpfs-'));
  let tmpfs: Tmpfs;
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', path], { stdio: 'pipe' });
    tmpfs = { path };
  } catch (error) {
    rmSync(path, { recursive: true, force: true });
    tmpfs = { reason: `mount -t tmpfs is not permitted here: ${(error as Error).message.split('\n')[0]}` };
  }
  afterAll(() => {
    if ('path' in tmpfs) {
      execFileSync('umount', [tmpfs.path]);
      rmSync(tmpfs.path, { recursive: true, force: true });
    }
  });
  if ('reason' in tmpfs) console.warn(`skipping ${what}: ${tmpfs.reason}`);
  return tmpfs;
}
