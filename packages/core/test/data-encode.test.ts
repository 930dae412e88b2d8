// Encoding records with @tunekit/formats templates, on the real chapter data
// in shared/data, and the located errors for bad records.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DataError, encodeClassificationExamples, encodeInstructionExamples, encodePreferenceExamples, gpt2Tokenizer } from '@tunekit/core';
import { findSharedDirectory } from '@tunekit/core/testing';
import { readRecordsOrThrow, stanfordAlpacaTemplate } from '@tunekit/formats';

const data = join(findSharedDirectory() as string, 'data');
const read = (name: string) => readFileSync(join(data, name), 'utf8');
const decode = (ids: number[]) => gpt2Tokenizer.decode(ids);

describe('encodeInstructionExamples', () => {
  it("renders instruction-data.json in chapter 7's format, ending in one <|endoftext|>, with response-only labels", async () => {
    const records = await readRecordsOrThrow(read('instruction-data.json'), { kind: 'alpaca', file: 'instruction-data.json' });
    expect(records).toHaveLength(1100);
    const examples = encodeInstructionExamples(records.slice(0, 3));
    const [first] = examples;
    const record = records[0]!.record;
    const prompt =
      'Below is an instruction that describes a task. Write a response that appropriately completes the request.' +
      `\n\n### Instruction:\n${record.instruction}\n\n### Input:\n${record.input}\n\n### Response:\n`;
    expect(first!.inputIds).toEqual([...gpt2Tokenizer.encode(prompt), ...gpt2Tokenizer.encode(record.output), 50256]);
    const trained = first!.inputIds.filter((_, i) => first!.labels![i] !== -100);
    expect(decode(trained)).toBe(`${record.output}<|endoftext|>`);
    expect(first!.source).toEqual({ file: 'instruction-data.json', line: 2, record: 0 });
    // An empty input drops the "### Input:" block, as format_input does.
    const noInput = records.findIndex((r) => r.record.input === '');
    expect(decode(encodeInstructionExamples([records[noInput]!])[0]!.inputIds)).not.toContain('### Input:');
  });

  it('takes any formats template', () => {
    const [example] = encodeInstructionExamples([{ instruction: 'Say hi.', output: 'Hi.' }], { template: stanfordAlpacaTemplate });
    expect(decode(example!.inputIds)).toMatch(/### Instruction:\nSay hi\.\n\n### Response:Hi\.<\|endoftext\|>$/);
  });

  it('refuses an example longer than maxLength, naming the file, line, record and field; truncates when asked', async () => {
    const records = await readRecordsOrThrow(read('instruction-data.json'), { kind: 'alpaca', file: 'instruction-data.json' });
    const long = records[5]!;
    expect(() => encodeInstructionExamples([long], { maxLength: 20 })).toThrow(DataError);
    expect(() => encodeInstructionExamples([long], { maxLength: 20 })).toThrow(new RegExp(`^instruction-data.json:${long.line} \\(record 5\\) field "output": is \\d+ tokens, longer than maxLength 20`));
    const promptLength = encodeInstructionExamples([long])[0]!.labels!.findIndex((label) => label !== -100);
    const [cut] = encodeInstructionExamples([long], { maxLength: promptLength + 3, truncate: true });
    expect(cut!.inputIds).toHaveLength(promptLength + 3);
    expect(cut!.labels).toHaveLength(promptLength + 3);
  });

  it('counts and reports examples whose whole response truncation cut off, and refuses when none keeps any', async () => {
    const records = await readRecordsOrThrow(read('instruction-data.json'), { kind: 'alpaca', file: 'instruction-data.json' });
    const prompts = records.slice(0, 40).map((r) => encodeInstructionExamples([r])[0]!.labels!.findIndex((label) => label !== -100));
    // maxLength between the shortest and the longest prompt: some responses survive, some are gone.
    const maxLength = Math.min(...prompts) + 2;
    const lost = prompts.filter((p) => p >= maxLength).length; // labels[0] is never a target, so a response starting at maxLength is gone
    expect(lost).toBeGreaterThan(0);
    expect(lost).toBeLessThan(40);
    const warnings: string[] = [];
    const examples = encodeInstructionExamples(records.slice(0, 40), { maxLength, truncate: true, onWarning: (m) => warnings.push(m) });
    expect(examples).toHaveLength(40);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(new RegExp(`cut off the whole response of ${lost} of 40 examples; with maskPrompt they train on nothing: instruction-data\\.json:\\d+ \\(record \\d+\\)`));
    const gone = records.filter((_, i) => i < 40 && (prompts[i] as number) >= maxLength);
    expect(() => encodeInstructionExamples(gone, { maxLength, truncate: true })).toThrow(DataError);
    expect(() => encodeInstructionExamples(gone, { maxLength, truncate: true })).toThrow(new RegExp(`cut off the whole response of all ${lost} examples`));
  });

  it('names the record of a bare record with a missing field', () => {
    const records = [{ instruction: 'a', output: 'b' }, { instruction: 'c' } as unknown as { instruction: string; output: string }];
    expect(() => encodeInstructionExamples(records, { file: 'mine.json' })).toThrow('mine.json (record 1) field "output": is missing');
  });
});

describe('encodeClassificationExamples', () => {
  it('maps SMS spam labels to indices and keeps the TSV line', async () => {
    const rows = await readRecordsOrThrow(read('SMSSpamCollection.tsv'), { kind: 'classification', file: 'SMSSpamCollection.tsv' });
    expect(rows).toHaveLength(5574);
    const examples = encodeClassificationExamples(rows.slice(0, 3), { labels: ['ham', 'spam'] });
    expect(examples.map((e) => e.label)).toEqual([0, 0, 1]);
    expect(decode(examples[2]!.inputIds)).toBe(rows[2]!.record.text);
    expect(examples[2]!.source).toEqual({ file: 'SMSSpamCollection.tsv', line: 3, record: 2 });
  });

  it('reports an unknown label and an over-long text at their line and field', () => {
    const located = (record: { text: string; label: string }, line: number) => ({ record, file: 'spam.tsv', line, index: line - 1 });
    expect(() => encodeClassificationExamples([located({ text: 'hi', label: 'ham' }, 1), located({ text: 'hey', label: 'eggs' }, 2)], { labels: ['ham', 'spam'] }))
      .toThrow('spam.tsv:2 (record 1) field "label": "eggs" is not one of ham, spam');
    expect(() => encodeClassificationExamples([located({ text: 'one two three four', label: 'ham' }, 9)], { labels: ['ham', 'spam'], maxLength: 2 }))
      .toThrow('spam.tsv:9 (record 8) field "text": is 4 tokens, longer than maxLength 2');
    expect(() => encodeClassificationExamples([{ text: '  ', label: 'ham' }], { labels: ['ham', 'spam'] })).toThrow('field "text": is missing or empty');
  });
});

describe('encodePreferenceExamples', () => {
  it('renders both answers of instruction-data-with-preference.json after the same prompt', async () => {
    const records = await readRecordsOrThrow(read('instruction-data-with-preference.json'), { kind: 'preference', file: 'instruction-data-with-preference.json' });
    const [pair] = encodePreferenceExamples(records.slice(0, 1));
    const record = records[0]!.record;
    expect(decode(pair!.chosen).endsWith(`### Response:\n${record.chosen as string}<|endoftext|>`)).toBe(true);
    expect(decode(pair!.rejected).endsWith(`### Response:\n${record.rejected as string}<|endoftext|>`)).toBe(true);
    const shared = decode(pair!.chosen).indexOf('### Response:\n');
    expect(decode(pair!.chosen).slice(0, shared)).toBe(decode(pair!.rejected).slice(0, shared));
  });
});
