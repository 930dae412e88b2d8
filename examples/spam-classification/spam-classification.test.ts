// A short run of the chapter 6 example on the real SMS data, downloaded
// through the zip path from a local server: loss falls, held-out accuracy
// beats the majority class, and every output is written. Bad data fails with
// the file and line before anything is written.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deflateRawSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { findSharedDirectory } from '@tunekit/core/testing';
import { crc32 } from '../common/zip';
import { runSpamClassification, SPAM_DATA } from './spam-classification';

const root = mkdtempSync(join(tmpdir(), 'tunekit-spam-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const realData = join(findSharedDirectory() as string, 'data', 'SMSSpamCollection.tsv');
const tiny = { numLayers: 2, embeddingDim: 64, numHeads: 2, contextLength: 128 };

/** The real TSV packed the way UCI serves it: a zip with one deflated `SMSSpamCollection` entry. */
function uciZip(): Uint8Array {
  const data = readFileSync(realData);
  const body = deflateRawSync(data);
  const name = Buffer.from('SMSSpamCollection');
  const local = Buffer.alloc(30);
  local.writeUInt32LE(0x04034b50, 0);
  local.writeUInt16LE(8, 8);
  local.writeUInt32LE(crc32(data), 14);
  local.writeUInt32LE(body.length, 18);
  local.writeUInt32LE(data.length, 22);
  local.writeUInt16LE(name.length, 26);
  const central = Buffer.alloc(46);
  central.writeUInt32LE(0x02014b50, 0);
  central.writeUInt16LE(8, 10);
  central.writeUInt32LE(crc32(data), 16);
  central.writeUInt32LE(body.length, 20);
  central.writeUInt32LE(data.length, 24);
  central.writeUInt16LE(name.length, 28);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(1, 8);
  end.writeUInt16LE(1, 10);
  end.writeUInt32LE(46 + name.length, 12);
  end.writeUInt32LE(30 + name.length + body.length, 16);
  return new Uint8Array(Buffer.concat([local, name, body, central, name, end]));
}

describe('spam classification example (short run)', () => {
  it('downloads and unzips the data, learns (loss −30%, accuracy above the majority baseline) and writes its outputs', async () => {
    const zip = uciZip();
    const fetched: string[] = [];
    const fakeFetch = (async (url: string | URL) => {
      fetched.push(String(url));
      return new Response(Buffer.from(zip));
    }) as typeof fetch;
    const out = join(root, 'run');
    const lines: string[] = [];
    const result = await runSpamClassification({
      tiny, out, seed: 123, maxSteps: 60, evalEvery: 20, evalBatches: 5, learningRate: 1e-3,
      searchDirectories: [], cacheDirectory: join(root, 'cache'), fetch: fakeFetch, print: (line) => lines.push(line),
    });
    expect(fetched).toEqual([SPAM_DATA.urls[0]]);
    expect(result.sizes).toEqual({ train: 1045, val: 149, test: 300 }); // 747/747 balanced, split 70/10/20
    console.log(`spam (CI run): val loss ${result.valLoss.first.toFixed(3)} → ${result.valLoss.last.toFixed(3)}, test accuracy ${result.accuracy.test.toFixed(3)} (baseline ${result.majorityBaseline.toFixed(3)}), ${result.stepsPerSecond.toFixed(2)} steps/s`);
    expect(result.valLoss.last).toBeLessThan(0.7 * result.valLoss.first);
    expect(result.accuracy.test).toBeGreaterThan(result.majorityBaseline + 0.1);
    const log = readFileSync(result.files.log, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { type: string });
    expect(log.filter((e) => e.type === 'step')).toHaveLength(60);
    expect(readFileSync(result.files.plot, 'utf8')).toContain('validation loss');
    expect(JSON.parse(readFileSync(result.files.metrics, 'utf8'))).toMatchObject({ steps: 60, sizes: result.sizes });
    for (const file of ['config.json', 'model.safetensors', 'score.safetensors']) expect(existsSync(join(result.files.model, file))).toBe(true);
    expect(lines.some((l) => l.startsWith('accuracy: train'))).toBe(true);
  });

  it('a malformed TSV line fails with the file and line, before any output is written', async () => {
    const bad = join(root, 'bad.tsv');
    writeFileSync(bad, 'ham\tfine\nspam without a tab\nham\tok\n');
    const out = join(root, 'bad-run');
    await expect(runSpamClassification({ tiny, out, data: bad })).rejects.toThrow(`${bad}:2: expected 2 tab-separated fields (label, text), found 1`);
    const unknown = join(root, 'label.tsv');
    writeFileSync(unknown, 'ham\tfine\neggs\tbacon\n');
    await expect(runSpamClassification({ tiny, out, data: unknown })).rejects.toThrow(`${unknown}:2 label: unknown label "eggs"`);
    expect(existsSync(out)).toBe(false);
  });

  it('an empty split is an error naming the file', async () => {
    const small = join(root, 'small.tsv');
    writeFileSync(small, 'ham\tone\nspam\ttwo\nham\tthree\nspam\tfour\n');
    await expect(runSpamClassification({ tiny, out: join(root, 'small-run'), data: small })).rejects.toThrow(`${small}: the val split is empty`);
    expect(existsSync(join(root, 'small-run'))).toBe(false);
  });
});
