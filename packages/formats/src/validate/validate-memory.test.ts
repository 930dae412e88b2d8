import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../testing/shared-data.js';

const CHILD = fileURLToPath(new URL('../testing/validate-memory-child.ts', import.meta.url));

describe('validateSource streams', () => {
  // 600 records of 256 KiB = 150 MiB of answers under a 64 MiB heap: a
  // validator that kept the records (as it did, through readRecords) runs
  // out of heap; one that keeps only per-example numbers does not.
  it('validates 150 MiB of records in a 64 MiB heap, so no record is retained', async () => {
    const { stdout } = await promisify(execFile)(process.execPath, ['--max-old-space-size=64', '--import', 'tsx', CHILD, '600', '256'], { cwd: REPO_ROOT });
    const result = JSON.parse(stdout) as { records: number; examples: number; errors: number; inputMiB: number; maxRssMiB: number };
    expect(result).toMatchObject({ records: 600, examples: 600, errors: 0, inputMiB: 150 });
    // RSS includes Node itself (~50 MiB) and tsx; it must stay well under the input's size.
    expect(result.maxRssMiB).toBeLessThan(result.inputMiB);
  }, 60_000);
});
