/**
 * Test support: where the shared data lives. The repository's sibling
 * `shared/` folder holds the real data files.
 * @module
 */
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';

/** The repository root (this file is `packages/formats/src/testing/shared-data.ts`). */
export const REPO_ROOT = fileURLToPath(new URL('../../../../', import.meta.url));

/** `../shared/data` relative to the repository root. */
export const SHARED_DATA = join(REPO_ROOT, '..', 'shared', 'data');

/** A file of the shared data folder. */
export const sharedFile = (name: string): string => join(SHARED_DATA, name);
