// @tunekit/core/testing outside the repository: the fixture folder comes from
// the user ({ shared } or TUNEKIT_SHARED), and a wrong one is named.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { loadGolden, tinyGPT2Directory } from '@tunekit/core/testing';

const empty = mkdtempSync(join(tmpdir(), 'tunekit-no-fixture-'));
const shared = dirname(dirname(tinyGPT2Directory()));
afterEach(() => vi.unstubAllEnvs());
afterAll(() => rmSync(empty, { recursive: true, force: true }));

describe('fixture helpers', () => {
  it('take the shared folder from an option or TUNEKIT_SHARED', () => {
    expect(tinyGPT2Directory({ shared })).toBe(join(shared, 'fixtures', 'tiny-gpt2'));
    expect(loadGolden({ shared }).sequences.length).toBeGreaterThan(0);
    vi.stubEnv('TUNEKIT_SHARED', shared);
    expect(tinyGPT2Directory()).toBe(join(shared, 'fixtures', 'tiny-gpt2'));
  });

  it('say where they looked and how to give the folder', () => {
    expect(() => tinyGPT2Directory({ shared: empty })).toThrow(
      `The tiny-gpt2 fixture (fixtures/tiny-gpt2/golden.json) was not found in ${join(empty, 'fixtures', 'tiny-gpt2')} (from the shared option). It is not part of the npm package: pass the folder that holds fixtures/tiny-gpt2 as { shared: PATH } or set TUNEKIT_SHARED=PATH.`,
    );
    vi.stubEnv('TUNEKIT_SHARED', empty);
    expect(() => loadGolden()).toThrow(`was not found in ${join(empty, 'fixtures', 'tiny-gpt2')} (from TUNEKIT_SHARED)`);
  });
});
