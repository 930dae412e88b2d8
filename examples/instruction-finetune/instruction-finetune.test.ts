// A short run of the chapter 7 example on the real instruction data: the
// loss falls by more than 30%, the base and fine-tuned responses are
// produced, and the responses file and the weights are written. Bad data
// fails with the file, line and field before anything is written.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadModel } from '@tunekit/core';
import { readRecordsOrThrow } from '@tunekit/formats';
import { findSharedDirectory } from '@tunekit/core/testing';
import { chapterSplit, decayEverything } from '../common/chapter-settings';
import { promptOf, runInstructionFinetune } from './instruction-finetune';

const root = mkdtempSync(join(tmpdir(), 'tunekit-instruct-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const tiny = { numLayers: 2, embeddingDim: 32, numHeads: 2, contextLength: 128 };

describe('instruction fine-tuning example (short run)', () => {
  it('learns (loss −30% from the first evaluation), compares responses, writes responses, weights, log and plot', async () => {
    const out = join(root, 'run');
    const result = await runInstructionFinetune({ tiny, out, seed: 123, trainLimit: 240, maxSteps: 60, evalEvery: 20, evalBatches: 2, learningRate: 3e-3, responses: 3, maxNewTokens: 8 });
    expect(result.sizes).toEqual({ train: 240, val: 55, test: 110 }); // chapter split 935/55/110, training cut to 240 for CI
    const [first, last] = [result.losses[0]!, result.losses.at(-1)!];
    console.log(`instruction (CI run): val loss ${first.val.toFixed(3)} → ${last.val.toFixed(3)}, ${result.stepsPerSecond.toFixed(2)} steps/s, ${Math.round(result.tokensPerSecond)} tok/s`);
    expect(last.val).toBeLessThan(0.7 * first.val);
    // The chapter's val_data[0]: record 1045, the first after 935 train and 110 test entries in file order.
    expect(result.comparison.instruction).toBe("Convert the active sentence to passive: 'The chef cooks the meal every day.'");
    // The chapter's settings, as passed to train(): in-order split, AdamW decaying every parameter, an untied output head.
    expect(result.settings.split).toBe('chapter-order');
    expect(result.settings.optimizer).toMatchObject({ weightDecay: 0.1, decays: decayEverything });
    expect(result.settings.untiedHead).toBe(true);
    expect(result.comparison.base).not.toBe(result.comparison.finetuned);

    const responses = JSON.parse(readFileSync(result.files.responses, 'utf8')) as { instruction: string; output: string; model_response: string }[];
    expect(responses).toHaveLength(3);
    expect(responses.every((r) => typeof r.instruction === 'string' && typeof r.output === 'string' && typeof r.model_response === 'string')).toBe(true);
    const saved = await loadModel({ source: result.files.model });
    expect(saved.config.embeddingDim).toBe(32);
    // The trained head was saved as lm_head.weight, apart from wte.
    expect(saved.config.tieWordEmbeddings).toBe(false);
    expect(saved.params.lmHead).toBeDefined();
    saved.dispose();
    expect(readFileSync(result.files.plot, 'utf8')).toContain('<polyline');
    expect(readFileSync(result.files.log, 'utf8').trim().split('\n').map((l) => (JSON.parse(l) as { type: string }).type).at(-1)).toBe('end');
  });

  it("splits instruction-data.json as chapter 7 does: the first 935 / next 110 / last 55, in file order", async () => {
    const file = join(findSharedDirectory() as string, 'data', 'instruction-data.json');
    const records = await readRecordsOrThrow(readFileSync(file, 'utf8'), { kind: 'alpaca', file });
    const split = chapterSplit(records);
    expect([split.train.length, split.test.length, split.val.length]).toEqual([935, 110, 55]);
    expect([split.train[0], split.test[0], split.val[0], split.val.at(-1)]).toEqual([records[0], records[935], records[1045], records[1099]]);
    expect(decayEverything()).toBe(true);
  });

  it('prompts end with the response cue of the chapter template', () => {
    expect(promptOf({ instruction: 'Name a colour.', input: '', output: 'Red.' })).toBe(
      'Below is an instruction that describes a task. Write a response that appropriately completes the request.\n\n### Instruction:\nName a colour.\n\n### Response:\n',
    );
  });

  describe('bad data', () => {
    const out = join(root, 'never');
    const write = (name: string, text: string) => {
      const path = join(root, name);
      writeFileSync(path, text);
      return path;
    };

    it('malformed JSON names the file and line', async () => {
      const path = write('broken.json', '[\n  {"instruction": "a", "input": "", "output": "b"},\n  {"instruction": "c", "output": }\n]\n');
      await expect(runInstructionFinetune({ tiny, out, data: path })).rejects.toThrow(new RegExp(`${path.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}:3`));
    });

    it('a missing field names the file, line and field', async () => {
      const path = write('missing.json', '[\n  {"instruction": "a", "input": "", "output": "b"},\n  {"instruction": "c", "input": ""}\n]\n');
      await expect(runInstructionFinetune({ tiny, out, data: path })).rejects.toThrow(`${path}:3 output:`);
    });

    it('an example longer than the context names the file and record', async () => {
      const records = Array.from({ length: 40 }, (_, i) => ({ instruction: `Task ${i}`, input: '', output: i === 7 ? 'word '.repeat(200) : 'Done.' }));
      const path = write('long.json', JSON.stringify(records, null, 1));
      await expect(runInstructionFinetune({ tiny, out, data: path })).rejects.toThrow(/long\.json:\d+ \(record 7\) field "output": is \d+ tokens, longer than maxLength 128/);
    });

    it('nothing was written by the failed runs', () => {
      expect(existsSync(out)).toBe(false);
    });
  });
});
