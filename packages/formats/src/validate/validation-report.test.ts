import { fileURLToPath } from 'node:url';
import { encode as o200kEncode } from 'gpt-tokenizer/encoding/o200k_base';
import { encode as r50k } from 'gpt-tokenizer/encoding/r50k_base';
import { describe, expect, it } from 'vitest';
import { readRecordsFromFile, validateFile } from '../node.js';
import { readRecords } from '../read/read-records.js';
import { alpacaLlmsFromScratchTemplate } from '../templates/alpaca.js';
import { segmentsToText } from '../templates/segments.js';
import { render } from '../templates/render.js';
import { sharedFile } from '../testing/shared-data.js';
import { alpacaToConversation } from '../convert/from-records.js';
import type { AlpacaRecord } from '../records/record-types.js';
import { formatReport } from './format-report.js';
import { ESTIMATED_TOKEN_COUNTER, resolveTokenCounter } from './token-counter.js';
import { estimateEpochs } from './budget.js';
import { buildReport } from './validation-report.js';

// The cookbook's own toy dataset, byte for byte (fixtures/openai-cookbook/SOURCE.md).
const TOY = fileURLToPath(new URL('../../fixtures/openai-cookbook/toy_chat_fine_tuning.jsonl', import.meta.url));

describe('the OpenAI cookbook notebook, reproduced', () => {
  it('gives the notebook’s printed numbers on its toy dataset with the default encoding (cl100k_base) and a 4096-token limit', async () => {
    const report = await validateFile(TOY, { contextLength: 4096 });
    // "No errors found"
    expect(report.errors).toEqual([]);
    expect(report.tokenizer).toEqual({ name: 'cl100k_base', exact: true, method: 'cookbook' });
    // "Num examples missing system message: 1", "… user message: 1"
    expect(report.warnings).toEqual({ missingSystem: 1, missingUser: 1 });
    // "min / max: 2, 9", "mean / median: 3.8, 3.0", "p5 / p95: 2.0, 6.6000000000000005"
    expect(report.messages).toEqual({ min: 2, max: 9, mean: 3.8, median: 3, p10: 2, p90: expect.closeTo(6.6, 9) });
    // "min / max: 26, 8032", "mean / median: 1648.4, 45.0", "p5 / p95: 26.8, 4863.6"
    expect(report.totalTokens).toEqual({ min: 26, max: 8032, mean: expect.closeTo(1648.4, 9), median: 45, p10: expect.closeTo(26.8, 9), p90: expect.closeTo(4863.6, 9) });
    // "min / max: 4, 8000", "mean / median: 1610.2, 10.0", "p5 / p95: 6.0, 4811.200000000001"
    expect(report.trainableTokens).toEqual({ min: 4, max: 8000, mean: expect.closeTo(1610.2, 9), median: 10, p10: expect.closeTo(6, 9), p90: expect.closeTo(4811.2, 9) });
    // "1 examples may be over the 4096 token limit"
    expect(report.overLength).toEqual({ contextLength: 4096, count: 1, examples: [{ index: 4, line: 5, tokens: 8032 }] });
    // "~4306 tokens", "20 epochs", "~86120 tokens"
    expect(report.budget).toEqual({ epochs: 20, tokensPerEpoch: 4306, totalTokens: 86120 });
    // Example 4 (system + assistant, no user) passes the cookbook but cannot be rendered into rounds here: a warning.
    expect(report.untrainable).toEqual([
      expect.objectContaining({ line: 4, record: 3, code: 'conversion', field: 'messages', message: 'message 1 should be a user message (roles must alternate user/assistant after the system prompt), got assistant Put a user message after the system prompt and after every assistant message.' }),
    ]);
  });

  it('makes the untrainable example an error when strict', async () => {
    const report = await validateFile(TOY, { contextLength: 4096, strict: true });
    expect(report.errors.map((e) => [e.line, e.code])).toEqual([[4, 'conversion']]);
    expect(report.untrainable).toEqual([]);
  });

  it('counts 28/8033 with GPT-2’s r50k_base, which is why the cookbook’s encoding is the default', async () => {
    const report = await validateFile(TOY, { contextLength: 4096, encoding: 'r50k_base' });
    expect([report.tokenizer.name, report.totalTokens.min, report.totalTokens.max]).toEqual(['gpt2 (r50k_base)', 28, 8033]);
    const o200k = await validateFile(TOY, { contextLength: 4096, encoding: 'o200k_base' });
    expect(o200k.tokenizer.name).toBe('o200k_base');
    expect(o200k.totalTokens.max).toBe(cookbookTokensWith(o200kEncode));
  });

  it('uses the cookbook’s epochs rule', () => {
    expect([1, 5, 33, 34, 100, 8333, 8334, 25_000, 30_000].map((n) => estimateEpochs(n))).toEqual([25, 20, 3, 3, 3, 3, 2, 1, 1]);
    expect(estimateEpochs(0)).toBe(0);
  });
});

describe('reports on the real data', () => {
  it('count GPT-2 tokens on the rendered template, trainable = answer + EOS', async () => {
    const read = await readRecordsFromFile(sharedFile('instruction-data.json'));
    const report = await buildReport(read, { template: alpacaLlmsFromScratchTemplate });
    expect(report.tokenizer).toEqual({ name: 'gpt2 (r50k_base)', exact: true, method: 'template' });
    expect(report.examples).toBe(1100);
    expect(report.errors).toEqual([]);
    // The warnings are about the data (which has no system prompts), not the template's preamble.
    expect(report.warnings).toEqual({ missingSystem: 1100, missingUser: 0 });
    // Cross-check one example against a direct count of its rendered text.
    const record = read.records[0]!.record as AlpacaRecord;
    const text = segmentsToText(render(alpacaToConversation(record), { template: alpacaLlmsFromScratchTemplate }));
    const direct = r50k(text.replace('<|endoftext|>', '')).length + 1;
    const all = read.records.map((r) => r50k(segmentsToText(render(alpacaToConversation(r.record as AlpacaRecord), { template: alpacaLlmsFromScratchTemplate })).replace('<|endoftext|>', '')).length + 1);
    expect(all[0]).toBe(direct);
    expect(report.totalTokens.max).toBe(Math.max(...all));
    expect(report.totalTokens.min).toBe(Math.min(...all));
    expect(report.budget).toEqual({ epochs: 3, tokensPerEpoch: all.reduce((a, b) => a + b, 0), totalTokens: 3 * all.reduce((a, b) => a + b, 0) });
    expect(report.overLength.count).toBe(0);
  });

  it('flag examples over a chosen context', async () => {
    const read = await readRecordsFromFile(sharedFile('instruction-data.json'));
    const report = await buildReport(read, { template: alpacaLlmsFromScratchTemplate, contextLength: 64 });
    expect(report.overLength.count).toBeGreaterThan(0);
    expect(report.overLength.examples.every((e) => e.tokens > 64)).toBe(true);
    expect(report.budget.tokensPerEpoch).toBeLessThan((await buildReport(read, { template: alpacaLlmsFromScratchTemplate })).budget.tokensPerEpoch);
  });

  it('count labels for classification rows', async () => {
    const report = await buildReport(await readRecordsFromFile(sharedFile('SMSSpamCollection.tsv')), { counter: ESTIMATED_TOKEN_COUNTER });
    expect(report.labels).toEqual({ ham: 4827, spam: 747 });
    expect(report.tokenizer).toEqual({ name: ESTIMATED_TOKEN_COUNTER.name, exact: false, method: 'cookbook' });
    expect(formatReport(report)).toContain('(ESTIMATE)');
  });
});

describe('token counters', () => {
  it('accept functions returning ids or counts', async () => {
    expect((await resolveTokenCounter({ tokenize: (t) => t.split(' ').length })).count('a b c')).toBe(3);
    expect((await resolveTokenCounter({ tokenize: (t) => [...t].map((c) => c.charCodeAt(0)) })).count('abcd')).toBe(4);
  });

  it('default to GPT-2 BPE when gpt-tokenizer is installed', async () => {
    const counter = await resolveTokenCounter();
    expect(counter.name).toBe('gpt2 (r50k_base)');
    expect(counter.count('Hello world')).toBe(2);
    // Special-looking text in data counts as ordinary text instead of throwing.
    expect(counter.count('<|endoftext|>')).toBe(r50k('<|endoftext|>', { disallowedSpecial: new Set() }).length);
  });

  it('estimate four characters per token, labelled as an estimate', () => {
    expect(ESTIMATED_TOKEN_COUNTER.count('12345678')).toBe(2);
    expect(ESTIMATED_TOKEN_COUNTER.exact).toBe(false);
  });
});

describe('format problems', () => {
  it('are counted by code and listed with lines', async () => {
    const text = ['{"messages": "oops"}', '[1, 2]', '{"messages": [{"role": "user", "content": "q"}, {"role": "assistant", "content": "a"}]}'].join('\n');
    const report = await buildReport(await readRecords(text, { file: 'x.jsonl', kind: 'openai' }), { counter: ESTIMATED_TOKEN_COUNTER });
    expect(report.errorCounts).toEqual({ missing_messages_list: 1, data_type: 1 });
    expect(report.errors.map((e) => e.line)).toEqual([1, 2]);
    expect(report.records).toBe(3);
    expect(report.examples).toBe(1);
    expect(formatReport(report)).toContain('x.jsonl:1 messages: missing or empty "messages" list');
  });
});

/** The cookbook's count of the toy file's last example (system, user, 2000 bananas), by hand. */
function cookbookTokensWith(encode: (text: string) => number[]): number {
  const n = (t: string) => encode(t).length;
  const system = 'You are a happy assistant that puts a positive spin on everything.';
  return 3 + (3 + n('system') + n(system)) + (3 + n('user') + n("I'm hungry.")) + (3 + n('assistant') + n('Eat a banana!'.repeat(2000)));
}
