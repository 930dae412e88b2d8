// The Hugging Face cache against a local Hub stand-in: first load downloads
// into the huggingface_hub layout, the second revalidates by ETag and
// downloads nothing, offline loads come from the cache, an interrupted
// download resumes with a Range request, a changed or damaged file is
// fetched again, gated repos want a token, and the environment is honoured.
import { createHash } from 'node:crypto';
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, readlinkSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { type GPT2Model, type LoadProgress, HubError, hubSettings, loadModel, parseSafetensors, serializeSafetensors } from '@tunekit/core';
import { goldenSequence, loadGolden, tinyGPT2Directory } from '@tunekit/core/testing';
import { type LocalHub, startLocalHub } from './local-hub-server';

const fixture = tinyGPT2Directory();
const hello = goldenSequence(loadGolden(), { name: 'hello' });
const config = new Uint8Array(readFileSync(join(fixture, 'config.json')));
const weights = new Uint8Array(readFileSync(join(fixture, 'model.safetensors')));
const COMMIT_1 = '1'.repeat(40);
const COMMIT_2 = '2'.repeat(40);
const REPO = 'openai-community/gpt2';
const scratch = mkdtempSync(join(tmpdir(), 'tunekit-hub-'));
let hub: LocalHub;
let cacheDir: string;
let caseNumber = 0;

/** The fixture's weights with every value of `wte` doubled: a second, different, valid checkpoint. */
function changedWeights(): Uint8Array {
  const { tensors } = parseSafetensors(weights);
  const map = new Map([...tensors].map(([key, t]) => [key, { shape: t.shape, data: Float32Array.from(t.data as Float32Array, (v) => (key.endsWith('wte.weight') ? 2 * v : v)) }]));
  return serializeSafetensors(map);
}

async function firstLogits(model: GPT2Model): Promise<number[]> {
  const { logits } = model.forward([hello.ids]);
  const row = Array.from(((await logits.data()) as Float32Array).subarray(0, 8));
  logits.dispose();
  model.dispose();
  return row;
}

const gets = () => hub.requests.filter((r) => r.method === 'GET');

beforeAll(async () => {
  hub = await startLocalHub({
    [REPO]: { commit: COMMIT_1, files: { 'config.json': config, 'model.safetensors': weights }, lfs: ['model.safetensors'], renamedFrom: 'gpt2-old-name' },
    'acme/gated': { commit: COMMIT_1, files: { 'config.json': config, 'model.safetensors': weights }, lfs: ['model.safetensors'], token: 'hf_secret' },
  });
});
beforeEach(() => {
  cacheDir = join(scratch, `cache-${caseNumber++}`);
  hub.requests.length = 0;
  const repo = hub.repos.get(REPO)!;
  repo.commit = COMMIT_1;
  repo.files['model.safetensors'] = weights;
});
afterAll(async () => {
  await hub.close();
  rmSync(scratch, { recursive: true, force: true });
});

describe('loadModel from the Hub through the Hugging Face cache', () => {
  it('downloads once into the huggingface_hub layout, then revalidates by ETag and downloads nothing', async () => {
    const progress: LoadProgress[] = [];
    // `gpt2` is a preset name: it means openai-community/gpt2.
    const first = await firstLogits(await loadModel({ source: 'gpt2', endpoint: hub.endpoint, cacheDir, onProgress: (p) => progress.push(p) }));
    first.forEach((v, i) => expect(v).toBeCloseTo(hello.logits_first8[0]![i]!, 4));

    const root = join(cacheDir, 'models--openai-community--gpt2');
    expect(readFileSync(join(root, 'refs', 'main'), 'utf8')).toBe(COMMIT_1);
    const sha = createHash('sha256').update(weights).digest('hex');
    expect(readdirSync(join(root, 'blobs'))).toContain(sha);
    const pointer = join(root, 'snapshots', COMMIT_1, 'model.safetensors');
    expect(lstatSync(pointer).isSymbolicLink()).toBe(true);
    expect(readlinkSync(pointer)).toBe(join('..', '..', 'blobs', sha));
    expect(statSync(pointer).size).toBe(weights.byteLength);
    const download = progress.filter((p) => p.file === `${hub.endpoint}/cdn/${sha}`);
    expect(download.at(-1)).toEqual({ file: `${hub.endpoint}/cdn/${sha}`, loadedBytes: weights.byteLength, totalBytes: weights.byteLength });
    expect(gets().map((r) => r.url)).toEqual([`/${REPO}/resolve/main/config.json`, `/cdn/${sha}`]);

    hub.requests.length = 0;
    const second = await firstLogits(await loadModel({ source: 'openai-community/gpt2', endpoint: hub.endpoint, cacheDir }));
    expect(second).toEqual(first);
    expect(hub.requests.every((r) => r.method === 'HEAD')).toBe(true);
    expect(hub.requests.length).toBe(2);
  });

  it('works offline from the cache: HF_HUB_OFFLINE, and a Hub that cannot be reached', async () => {
    const online = await firstLogits(await loadModel({ source: 'gpt2', endpoint: hub.endpoint, cacheDir }));
    hub.requests.length = 0;
    vi.stubEnv('HF_HUB_OFFLINE', '1');
    try {
      expect(await firstLogits(await loadModel({ source: 'gpt2', endpoint: hub.endpoint, cacheDir }))).toEqual(online);
    } finally {
      vi.unstubAllEnvs();
    }
    expect(hub.requests).toEqual([]);
    // Nothing listens on port 9: the cached snapshot of `main` is used.
    expect(await firstLogits(await loadModel({ source: 'gpt2', endpoint: 'http://127.0.0.1:9', cacheDir }))).toEqual(online);
    // Offline with an empty cache: a clear error naming the cache.
    const empty = join(scratch, 'empty-cache');
    await expect(loadModel({ source: 'gpt2', offline: true, cacheDir: empty })).rejects.toThrow(
      `HF_HUB_OFFLINE is set, and openai-community/gpt2/config.json at revision main is not in the Hub cache (${join(empty, 'models--openai-community--gpt2')})`,
    );
  });

  it('resumes an interrupted download with a Range request', async () => {
    hub.breakNextBlobAfter = 5_000_000;
    const error = await loadModel({ source: 'gpt2', endpoint: hub.endpoint, cacheDir }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HubError);
    // The server sends 5,000,000 bytes, then closes. The client may keep fewer:
    // undici errors the body stream when the socket closes, and an errored web
    // stream drops the chunks still queued in it. What must hold is that the
    // error, the partial file and the resuming Range all agree on one count.
    const match = /^Tried the Hugging Face Hub for openai-community\/gpt2: Cannot fetch .*\/cdn\/[0-9a-f]{64}: download (?:failed|ended) after (\d+) of 13\d{6} bytes/.exec(
      (error as Error).message,
    );
    expect(match, (error as Error).message).not.toBeNull();
    const kept = Number(match![1]);
    expect(kept).toBeGreaterThan(0);
    expect(kept).toBeLessThanOrEqual(5_000_000);
    const blobs = join(cacheDir, 'models--openai-community--gpt2', 'blobs');
    const partial = readdirSync(blobs).find((name) => name.endsWith('.incomplete'))!;
    expect(statSync(join(blobs, partial)).size).toBe(kept);

    hub.requests.length = 0;
    const resumed = await firstLogits(await loadModel({ source: 'gpt2', endpoint: hub.endpoint, cacheDir }));
    resumed.forEach((v, i) => expect(v).toBeCloseTo(hello.logits_first8[0]![i]!, 4));
    expect(gets().find((r) => r.url.startsWith('/cdn/'))).toMatchObject({ range: `bytes=${kept}-`, status: 206 });
    expect(readdirSync(blobs).some((name) => name.endsWith('.incomplete'))).toBe(false);
  });

  it('fetches again when the revision moved to a new ETag, or the cached blob is damaged', async () => {
    const before = await firstLogits(await loadModel({ source: 'gpt2', endpoint: hub.endpoint, cacheDir }));
    const repo = hub.repos.get(REPO)!;
    repo.commit = COMMIT_2;
    repo.files['model.safetensors'] = changedWeights();
    hub.requests.length = 0;
    const after = await firstLogits(await loadModel({ source: 'gpt2', endpoint: hub.endpoint, cacheDir }));
    expect(after).not.toEqual(before);
    expect(gets().filter((r) => r.url.startsWith('/cdn/'))).toHaveLength(1);
    const root = join(cacheDir, 'models--openai-community--gpt2');
    expect(readFileSync(join(root, 'refs', 'main'), 'utf8')).toBe(COMMIT_2);
    // The old commit stays loadable by its hash, offline.
    expect(await firstLogits(await loadModel({ source: 'gpt2', offline: true, cacheDir, revision: COMMIT_1 }))).toEqual(before);

    // A blob cut short on disk no longer matches its ETag's size: downloaded again.
    const sha = createHash('sha256').update(repo.files['model.safetensors']!).digest('hex');
    writeFileSync(join(root, 'blobs', sha), 'damaged');
    hub.requests.length = 0;
    expect(await firstLogits(await loadModel({ source: 'gpt2', endpoint: hub.endpoint, cacheDir }))).toEqual(after);
    expect(gets().filter((r) => r.url === `/cdn/${sha}`)).toHaveLength(1);
  });

  it('follows a renamed repo, pins a revision, and says what the Hub answered', async () => {
    await firstLogits(await loadModel({ source: 'gpt2-old-name', endpoint: hub.endpoint, cacheDir }));
    expect(hub.requests[0]).toMatchObject({ method: 'HEAD', url: '/gpt2-old-name/resolve/main/config.json', status: 307 });
    await firstLogits(await loadModel({ source: 'gpt2', endpoint: hub.endpoint, cacheDir, revision: COMMIT_1 }));
    expect(existsSync(join(cacheDir, 'models--openai-community--gpt2', 'refs', COMMIT_1))).toBe(false);
    await expect(loadModel({ source: 'gpt2', endpoint: hub.endpoint, cacheDir, revision: 'v9' })).rejects.toThrow(
      `Tried the Hugging Face Hub for openai-community/gpt2: ${hub.endpoint}/openai-community/gpt2/resolve/v9/config.json answered HTTP 404 Revision Not Found.`,
    );
  });

  it('sends HF_TOKEN to gated repos, and says to set it when missing', async () => {
    const error = await loadModel({ source: 'acme/gated', endpoint: hub.endpoint, cacheDir }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HubError);
    expect((error as HubError).code).toBe('hub_unauthorized');
    expect((error as Error).message).toContain('set HF_TOKEN');
    vi.stubEnv('HF_TOKEN', 'hf_secret');
    vi.stubEnv('HF_ENDPOINT', hub.endpoint);
    vi.stubEnv('HF_HUB_CACHE', cacheDir);
    try {
      await firstLogits(await loadModel({ source: 'acme/gated' }));
    } finally {
      vi.unstubAllEnvs();
    }
    expect(existsSync(join(cacheDir, 'models--acme--gated', 'refs', 'main'))).toBe(true);
    // Only the first try, without a token, was refused.
    expect(hub.requests.filter((r) => r.status === 401)).toHaveLength(1);
  });
});

describe('hubSettings', () => {
  it('reads the environment like huggingface_hub', async () => {
    expect(await hubSettings({ env: { HF_HOME: '/data/hf' } })).toMatchObject({ cacheDir: '/data/hf/hub', endpoint: 'https://huggingface.co', offline: false });
    expect((await hubSettings({ env: { HF_HOME: '/data/hf', HF_HUB_CACHE: '/fast/hub' } })).cacheDir).toBe('/fast/hub');
    expect((await hubSettings({ env: { XDG_CACHE_HOME: '/xdg' } })).cacheDir).toBe('/xdg/huggingface/hub');
    expect((await hubSettings({ env: { HF_HUB_OFFLINE: 'yes' } })).offline).toBe(true);
    expect((await hubSettings({ env: { HF_HUB_OFFLINE: '0' } })).offline).toBe(false);
    expect((await hubSettings({ env: { HF_ENDPOINT: 'https://mirror.example/' } })).endpoint).toBe('https://mirror.example');
    expect((await hubSettings({ env: { HF_TOKEN: 'hf_a' } })).token).toBe('hf_a');
    const home = join(scratch, 'hf-home');
    mkdirSync(home, { recursive: true });
    writeFileSync(join(home, 'token'), 'hf_from_login\n');
    expect((await hubSettings({ env: { HF_HOME: home } })).token).toBe('hf_from_login');
    expect(await hubSettings({ token: 'explicit', cacheDir: '/c', env: { HF_HOME: home } })).toMatchObject({ token: 'explicit', cacheDir: '/c' });
  });
});
