import { describe, expect, it } from 'vitest';
import { readRecordsFromFile, readRecordsFromFileOrThrow } from '../node.js';
import type { AlpacaRecord, ClassificationRecord, PreferenceRecord } from '../records/record-types.js';
import { sharedFile } from '../testing/shared-data.js';
import { readRecords, readRecordsOrThrow, streamRecords } from './read-records.js';
import { RecordsError } from './read-error.js';

describe('the real data files', () => {
  it('instruction-data.json: 1,100 Alpaca records, 325 with an input', async () => {
    const result = await readRecordsFromFile(sharedFile('instruction-data.json'));
    expect(result.errors).toEqual([]);
    expect(result.kind).toBe('alpaca');
    expect(result.format).toBe('json');
    expect(result.records).toHaveLength(1100);
    const records = result.records.map((r) => r.record as AlpacaRecord);
    expect(records.filter((r) => r.input !== '')).toHaveLength(325);
    expect(result.records[0]).toMatchObject({ line: 2, index: 0, record: { instruction: 'Evaluate the following phrase by transforming it into the spelling given.' } });
    expect(result.records[1]!.line).toBe(7);
  });

  it('instruction-data-with-preference.json: 1,100 preference pairs with a shared prompt', async () => {
    const records = await readRecordsFromFileOrThrow(sharedFile('instruction-data-with-preference.json'));
    expect(records).toHaveLength(1100);
    const first = records[0]!.record as PreferenceRecord;
    expect(first.instruction).toBe('Evaluate the following phrase by transforming it into the spelling given.');
    expect(first.rejected).toMatch(/flat out wrong/);
    // The same file also reads as Alpaca (the extra keys are ignored).
    const asAlpaca = await readRecordsFromFile(sharedFile('instruction-data-with-preference.json'), { kind: 'alpaca' });
    expect(asAlpaca.errors).toEqual([]);
    expect(asAlpaca.records).toHaveLength(1100);
  });

  it('SMSSpamCollection.tsv: 5,574 rows, 747 spam and 4,827 ham, quotes kept literally', async () => {
    const result = await readRecordsFromFile(sharedFile('SMSSpamCollection.tsv'), { labels: ['ham', 'spam'] });
    expect(result.errors).toEqual([]);
    expect(result.kind).toBe('classification');
    const rows = result.records.map((r) => r.record as ClassificationRecord);
    expect(rows).toHaveLength(5574);
    expect(rows.filter((r) => r.label === 'spam')).toHaveLength(747);
    expect(rows.filter((r) => r.label === 'ham')).toHaveLength(4827);
    // A CSV reader would eat these quote characters and merge lines (pandas finds 4,825 ham).
    expect(rows.filter((r) => r.text.includes('"')).length).toBeGreaterThan(0);
    expect(result.records[5573]!.line).toBe(5574);
  });
});

describe('readRecords on strings', () => {
  it('detects the format from the first character when there is no file name', async () => {
    const jsonl = await readRecords('{"messages": [{"role": "user", "content": "hi"}, {"role": "assistant", "content": "hello"}]}\n');
    expect([jsonl.format, jsonl.kind, jsonl.records.length]).toEqual(['jsonl', 'openai', 1]);
    const tsv = await readRecords('ham\thello\n');
    expect([tsv.format, tsv.kind, tsv.records[0]!.record]).toEqual(['tsv', 'classification', { label: 'ham', text: 'hello' }]);
  });

  it('places field errors on the field’s own line in JSON arrays', async () => {
    const text = '[\n  {\n    "instruction": "x",\n    "input": 3,\n    "output": ""\n  }\n]';
    const { errors } = await readRecords(text, { file: 'a.json' });
    expect(errors).toEqual([
      { file: 'a.json', line: 4, record: 0, field: 'input', message: 'expected a string, got a number', code: 'wrong_type' },
      { file: 'a.json', line: 5, record: 0, field: 'output', message: '"output" is empty', code: 'empty_field' },
    ]);
  });

  it('streams records and problems in file order', async () => {
    const text = '{"text": "a", "label": "x"}\n{"text": 1, "label": "y"}\n{"text": "c", "label": "z"}\n';
    const seen: string[] = [];
    for await (const item of streamRecords(text, { kind: 'classification' })) seen.push(item.ok ? `ok ${item.line}` : `error ${item.error.line} ${item.error.field}`);
    expect(seen).toEqual(['ok 1', 'error 2 text', 'ok 3']);
  });

  it('reports records whose kind cannot be told', async () => {
    const { errors } = await readRecords('{"foo": 1}\n', { file: 'x.jsonl' });
    expect(errors[0]).toMatchObject({ line: 1, code: 'unknown_kind' });
  });

  it('throws one error that lists every problem', async () => {
    const text = '{"instruction": "a"}\n{"instruction": 2, "output": "b"}\n';
    const failure = await readRecordsOrThrow(text, { file: 'bad.jsonl' }).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(RecordsError);
    expect((failure as RecordsError).errors).toHaveLength(2);
    expect((failure as RecordsError).message).toBe(
      '2 problems found:\nbad.jsonl:1 output: missing required field "output"\nbad.jsonl:2 instruction: expected a string, got a number\n Correct those records (each line names the file, line and field), or call readRecords() to keep the good records and get the problems as data.',
    );
  });
});
