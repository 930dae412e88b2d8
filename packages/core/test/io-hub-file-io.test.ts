// The Hub cache through a FileIO: core writes the huggingface_hub layout
// (blobs by ETag, refs, relative snapshot links, `.incomplete` downloads)
// only through the `files` it is given — here an in-memory FileIO, and
// Node's with writes that come back short — against a fake Hub fetch.
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { nodeFileIO } from '@tunekit/backend-cpu/node';
import { FileWriteError, type FileIO, HubError, hubDownload, UnsupportedError } from '@tunekit/core';
import { fakeHub, type FakeHub } from './fake-hub-fetch';
import { memoryHubFiles } from './memory-hub-files';
import { shortWrites } from './short-writes';

const REPO = 'acme/tiny';
const COMMIT = 'c'.repeat(40);
const weights = Uint8Array.from({ length: 10_000 }, (_, i) => (i * 7 + 3) % 251);
const config = new TextEncoder().encode('{"model_type":"gpt2"}');
const decoder = new TextEncoder().encode('{"nested":true}');
const sha = createHash('sha256').update(weights).digest('hex');
const scratch = mkdtempSync(join(tmpdir(), 'tunekit-hub-files-'));
// The in-memory tests name a cache folder on this disk: nothing may appear there.
const memoryCache = join(scratch, 'memory-only');
const root = `${memoryCache}/models--acme--tiny`;
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

let hub: FakeHub;
beforeEach(() => {
  hub = fakeHub({ id: REPO, commit: COMMIT, files: { 'config.json': config, 'model.safetensors': weights, 'onnx/decoder.json': decoder }, lfs: ['model.safetensors'] });
});
afterEach(() => expect(existsSync(memoryCache)).toBe(false));

const download = (files: FileIO, filename: string, extra: { offline?: boolean; cacheDir?: string } = {}) =>
  hubDownload({ repoId: REPO, filename, files, fetch: hub.fetch, endpoint: hub.endpoint, cacheDir: memoryCache, token: 'hf_secret', ...extra });

describe('hubDownload through an in-memory FileIO', () => {
  it('writes the huggingface_hub layout, sends the token only to the Hub, and then serves cache hits without a GET', async () => {
    const files = memoryHubFiles();
    expect(await download(files, 'model.safetensors')).toEqual({ path: `${root}/snapshots/${COMMIT}/model.safetensors`, commit: COMMIT, fromCache: false });
    await download(files, 'onnx/decoder.json');
    const decoderEtag = createHash('sha256').update(decoder).digest('hex').slice(0, 40);
    expect(files.paths()).toEqual([
      `${root}/blobs/${decoderEtag}`,
      `${root}/blobs/${sha}`,
      `${root}/refs/main`,
      `${root}/snapshots/${COMMIT}/model.safetensors`,
      `${root}/snapshots/${COMMIT}/onnx/decoder.json`,
    ].sort());
    // The bytes huggingface_hub writes: the bare commit, relative links from the snapshot to the blob.
    expect(new TextDecoder().decode(files.store.get(`${root}/refs/main`))).toBe(COMMIT);
    expect(files.links.get(`${root}/snapshots/${COMMIT}/model.safetensors`)).toBe(`../../blobs/${sha}`);
    expect(files.links.get(`${root}/snapshots/${COMMIT}/onnx/decoder.json`)).toBe(`../../../blobs/${decoderEtag}`);
    expect(await files.readFile(`${root}/snapshots/${COMMIT}/model.safetensors`)).toEqual(weights);

    // The token went to the Hub's HEAD, never to the CDN the Hub redirected to.
    const cdn = hub.requests.filter((r) => r.url.startsWith('https://cdn.test/'));
    expect(cdn.map((r) => [r.method, r.authorization])).toEqual([['GET', undefined]]);
    expect(hub.requests.filter((r) => r.method === 'HEAD').every((r) => r.authorization === 'Bearer hf_secret')).toBe(true);

    hub.requests.length = 0;
    expect(await download(files, 'model.safetensors')).toMatchObject({ fromCache: true });
    expect(hub.requests.map((r) => r.method)).toEqual(['HEAD']);
  });

  it('copies the blob into the snapshot when the FileIO has no symlinks', async () => {
    const files = memoryHubFiles({ withSymlinks: false });
    await download(files, 'model.safetensors');
    expect(files.links.size).toBe(0);
    expect(files.store.get(`${root}/snapshots/${COMMIT}/model.safetensors`)).toEqual(weights);
    expect(files.paths().filter((p) => p.includes('.incomplete'))).toEqual([]);
  });

  it('keeps the bytes of an interrupted download in .incomplete and resumes them with a Range request', async () => {
    const files = memoryHubFiles();
    hub.breakNextBlobAfter = 4_000;
    const error = await download(files, 'model.safetensors').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HubError);
    expect(error).toMatchObject({ code: 'hub_failed' });
    expect((error as Error).message).toMatch(/^Tried the Hugging Face Hub for acme\/tiny: Cannot fetch https:\/\/cdn\.test\/[0-9a-f]{64}: download failed after 4000 of 10000 bytes/);
    expect(files.store.get(`${root}/blobs/${sha}.incomplete`)?.byteLength).toBe(4_000);
    expect(files.store.has(`${root}/blobs/${sha}`)).toBe(false);

    hub.requests.length = 0;
    expect(await download(files, 'model.safetensors')).toMatchObject({ fromCache: false });
    expect(hub.requests.find((r) => r.method === 'GET')).toMatchObject({ range: 'bytes=4000-', status: 206 });
    expect(files.store.get(`${root}/blobs/${sha}`)).toEqual(weights);
    expect(files.store.has(`${root}/blobs/${sha}.incomplete`)).toBe(false);
  });

  it('rejects bytes whose sha256 is not the LFS ETag, and removes them', async () => {
    const files = memoryHubFiles();
    hub.damaged = true;
    const error = await download(files, 'model.safetensors').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HubError);
    expect((error as Error).message).toContain(`not the ${sha} the Hub announced`);
    expect((error as HubError).fix).toContain('Run it again');
    expect(files.paths()).toEqual([]);
  });

  it('uses the cache offline and when the Hub is unreachable, and names the cache when the file is not there', async () => {
    const files = memoryHubFiles();
    await download(files, 'model.safetensors');
    hub.requests.length = 0;
    expect(await download(files, 'model.safetensors', { offline: true })).toEqual({ path: `${root}/snapshots/${COMMIT}/model.safetensors`, commit: COMMIT, fromCache: true });
    expect(hub.requests).toEqual([]);
    hub.unreachable = true;
    expect(await download(files, 'model.safetensors')).toMatchObject({ commit: COMMIT, fromCache: true });
    const missing = await download(files, 'config.json').catch((e: unknown) => e);
    expect(missing).toMatchObject({ code: 'hub_not_cached' });
    expect((missing as Error).message).toContain(`could not reach it (Cannot fetch ${hub.endpoint}/acme/tiny/resolve/main/config.json: fetch failed (getaddrinfo ENOTFOUND hub.test))`);
    expect((missing as Error).message).toContain(`is not in the Hub cache (${root})`);
  });
});

describe('hubDownload with file access that cannot hold the cache', () => {
  it('names the FileIO members it lacks in an UnsupportedError with a fix', async () => {
    const { fileSize: _size, sha256: _sha, ...partial } = memoryHubFiles();
    const error = await download(partial, 'config.json').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UnsupportedError);
    expect((error as Error).message).toContain('needs file access with fileSize(), sha256(), which the given FileIO lacks');
    expect((error as UnsupportedError).fix).toContain('nodeFileIO()');
    expect(hub.requests).toEqual([]);
  });

  it('says to set HF_HUB_CACHE when the FileIO cannot tell where ~ is', async () => {
    vi.stubEnv('HF_HUB_CACHE', undefined);
    vi.stubEnv('HUGGINGFACE_HUB_CACHE', undefined);
    vi.stubEnv('HF_HOME', undefined);
    vi.stubEnv('XDG_CACHE_HOME', undefined);
    try {
      const error = await download(memoryHubFiles(), 'config.json', { cacheDir: undefined }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(UnsupportedError);
      expect((error as UnsupportedError).fix).toBe('Set HF_HUB_CACHE (or HF_HOME), or pass { cacheDir }.');
    } finally {
      vi.unstubAllEnvs();
    }
  });
});

describe('hubDownload on a disk that fills up (Node FileIO, short writes injected)', () => {
  it('fails with disk_full naming the .incomplete file, keeps what was written, and resumes from it once there is room', async () => {
    const cacheDir = join(scratch, 'full');
    const blobs = join(cacheDir, 'models--acme--tiny', 'blobs');
    const error = await download(nodeFileIO({ openForAppend: shortWrites(1_000, 6_500, 'a') }), 'model.safetensors', { cacheDir }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FileWriteError);
    expect(error).toMatchObject({ code: 'disk_full', path: join(blobs, `${sha}.incomplete`), bytesWritten: 6_500 });
    expect(readdirSync(blobs)).toEqual([`${sha}.incomplete`]);
    expect(statSync(join(blobs, `${sha}.incomplete`)).size).toBe(6_500);

    hub.requests.length = 0;
    await download(nodeFileIO(), 'model.safetensors', { cacheDir });
    expect(hub.requests.find((r) => r.method === 'GET')).toMatchObject({ range: 'bytes=6500-', status: 206 });
    expect(new Uint8Array(readFileSync(join(blobs, sha)))).toEqual(weights);
    expect(readdirSync(blobs)).toEqual([sha]);
  });
});
