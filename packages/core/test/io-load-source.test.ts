// What loadModel makes of a string: a path that does not exist is
// "no such directory" (never a Hub id), a Hub id that fails says it tried the
// Hub, and network errors keep their cause.
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { loadModel } from '@tunekit/core';
import { type LocalHub, startLocalHub } from './local-hub-server';

const scratch = mkdtempSync(join(tmpdir(), 'tunekit-source-'));
const startDirectory = process.cwd();
let hub: LocalHub;
let closedPort = 0;

/** A port nothing listens on (taken from the OS, then released), so connecting is refused. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  await new Promise((resolve) => server.close(resolve));
  return port;
}
const cacheDir = join(scratch, 'cache');

beforeAll(async () => {
  hub = await startLocalHub({});
  closedPort = await freePort();
});
afterEach(() => process.chdir(startDirectory));
afterAll(async () => {
  await hub.close();
  rmSync(scratch, { recursive: true, force: true });
});

describe('loadModel: paths versus Hub ids', () => {
  it('says "no such directory" for a path-like string, without asking the Hub', async () => {
    for (const path of ['./models/gpt2-typo', join(scratch, 'nothing-here'), 'models/gpt2/typo', '../gpt2-typo']) {
      await expect(loadModel({ source: path, endpoint: hub.endpoint, cacheDir })).rejects.toThrow(`Cannot load "${path}": no such directory`);
    }
    expect(hub.requests).toEqual([]);
  });

  it('treats models/gpt2-typo as a path when models/ exists here', async () => {
    mkdirSync(join(scratch, 'project', 'models'), { recursive: true });
    process.chdir(join(scratch, 'project'));
    await expect(loadModel({ source: 'models/gpt2-typo', endpoint: hub.endpoint, cacheDir })).rejects.toThrow(
      `Cannot load "models/gpt2-typo": no such directory (${join(scratch, 'project', 'models', 'gpt2-typo')}).`,
    );
    expect(hub.requests).toEqual([]);
  });

  it('says it tried the Hub, and that no such folder exists, for an id the Hub does not have', async () => {
    process.chdir(scratch);
    const error = await loadModel({ source: 'models/gpt2-typo', endpoint: hub.endpoint, cacheDir }).catch((e: unknown) => e);
    expect((error as Error).message).toBe(
      `Tried the Hugging Face Hub for models/gpt2-typo: ${hub.endpoint}/models/gpt2-typo/resolve/main/config.json answered HTTP 404 Repository Not Found.` +
        ' There is no local directory "models/gpt2-typo" either.' +
        ' Check the repo id, the revision and that the repo has this file; for a local folder give its path (./models/...).',
    );
    expect((error as { code: string }).code).toBe('hub_not_found');
  });

  it('names what is wrong with an existing path that is not a model', async () => {
    mkdirSync(join(scratch, 'empty-model'), { recursive: true });
    writeFileSync(join(scratch, 'weights.bin'), 'x');
    await expect(loadModel({ source: join(scratch, 'empty-model') })).rejects.toThrow('is a directory without config.json');
    await expect(loadModel({ source: join(scratch, 'weights.bin') })).rejects.toThrow('is a file, not a model directory');
  });
});

describe('loadModel: network errors keep their cause', () => {
  it('names ECONNREFUSED for a URL nothing listens on', async () => {
    const url = `http://127.0.0.1:${closedPort}`;
    await expect(loadModel({ source: url })).rejects.toThrow(`Cannot fetch ${url}/config.json: fetch failed (connect ECONNREFUSED 127.0.0.1:${closedPort})`);
  });

  it('names the reason fetch refuses a port (9 is on the Fetch standard\'s blocked list)', async () => {
    await expect(loadModel({ source: 'http://127.0.0.1:9' })).rejects.toThrow('Cannot fetch http://127.0.0.1:9/config.json: fetch failed (bad port)');
  });

  it('names the HTTP status', async () => {
    await expect(loadModel({ source: `${hub.endpoint}/no/such/model` })).rejects.toThrow(`Cannot fetch ${hub.endpoint}/no/such/model/config.json: HTTP 404 Not Found`);
  });

  it('says the Hub could not be reached, and why, when nothing is cached', async () => {
    const endpoint = `http://127.0.0.1:${closedPort}`;
    await expect(loadModel({ source: 'openai-community/gpt2', endpoint, cacheDir })).rejects.toThrow(
      `Tried the Hugging Face Hub for openai-community/gpt2 and could not reach it (Cannot fetch ${endpoint}/openai-community/gpt2/resolve/main/config.json: fetch failed (connect ECONNREFUSED 127.0.0.1:${closedPort})), and openai-community/gpt2/config.json at revision main is not in the Hub cache`,
    );
  });
});
