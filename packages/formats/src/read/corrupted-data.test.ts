/**
 * Corrupted copies of the real data files, written to a temp dir: every
 * problem must come back with its line, none may hide another.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../cli/main.js';
import { readRecordsFromFile } from '../node.js';
import { sharedFile } from '../testing/shared-data.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tunekit-formats-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** 1-based line of the n-th (0-based) line matching `pattern`. */
const nthLine = (lines: string[], pattern: RegExp, n: number) => lines.reduce<number[]>((found, l, i) => (pattern.test(l) ? [...found, i + 1] : found), [])[n]!;

describe('a corrupted instruction-data.json', () => {
  it('yields the bad line, the missing field and the wrong type, each with its line', async () => {
    const lines = (await readFile(sharedFile('instruction-data.json'), 'utf8')).split('\n');
    const brokenLine = nthLine(lines, /"instruction":/, 5); // record 5: drop the closing quote
    const renamedLine = nthLine(lines, /"output":/, 10); // record 10: "output" misspelt
    const retypedLine = nthLine(lines, /"input":/, 20); // record 20: input becomes a number
    const recordStart = (line: number) => lines.slice(0, line).lastIndexOf('    {') + 1;
    lines[brokenLine - 1] = lines[brokenLine - 1]!.replace(/",$/, ',');
    lines[renamedLine - 1] = lines[renamedLine - 1]!.replace('"output":', '"outptu":');
    lines[retypedLine - 1] = lines[retypedLine - 1]!.replace(/"input": ".*"/, '"input": 42');
    const path = join(dir, 'instruction-data.json');
    await writeFile(path, lines.join('\n'));

    const result = await readRecordsFromFile(path);
    expect(result.errors.map((e) => [e.line, e.record, e.field, e.code])).toEqual([
      [brokenLine, 5, undefined, 'invalid_json'],
      [recordStart(renamedLine), 10, 'output', 'missing_field'],
      [retypedLine, 20, 'input', 'wrong_type'],
    ]);
    expect(result.records).toHaveLength(1097);

    const out: string[] = [];
    const code = await main(['validate', path], { out: (t) => out.push(t), err: (t) => out.push(t) });
    expect(code).toBe(1);
    const printed = out.join('');
    expect(printed).toContain(`${path}:${brokenLine}: unterminated string`);
    expect(printed).toContain(`${path}:${recordStart(renamedLine)} output: missing required field "output"`);
    expect(printed).toContain(`${path}:${retypedLine} input: expected a string, got a number`);
    expect(printed).toContain('invalid_json: 1, missing_field: 1, wrong_type: 1');
  });
});

describe('a corrupted SMSSpamCollection.tsv', () => {
  it('yields the line without a tab, the unknown label and the empty text', async () => {
    const lines = (await readFile(sharedFile('SMSSpamCollection.tsv'), 'utf8')).split('\n');
    lines[99] = lines[99]!.replace('\t', ' ');
    lines[199] = lines[199]!.replace(/^\w+/, 'hma');
    lines[299] = lines[299]!.replace(/\t.*$/, '\t');
    const path = join(dir, 'sms.tsv');
    await writeFile(path, lines.join('\n'));
    const result = await readRecordsFromFile(path, { labels: ['ham', 'spam'] });
    expect(result.errors.map((e) => [e.line, e.code])).toEqual([
      [100, 'column_count'],
      [200, 'unknown_label'],
      [300, 'empty_field'],
    ]);
    expect(result.records).toHaveLength(5571);
    const err: string[] = [];
    expect(await main(['validate', path, '--labels', 'ham,spam'], { out: (t) => err.push(t), err: (t) => err.push(t) })).toBe(1);
    expect(err.join('')).toContain(`${path}:200 label: unknown label "hma" (expected one of: ham, spam)`);
  });
});

describe('a corrupted OpenAI JSONL copy', () => {
  it('yields the cookbook error codes with lines', async () => {
    const jsonl = join(dir, 'chat.jsonl');
    expect(await main(['convert', sharedFile('instruction-data.json'), '--to', 'openai', '--out', jsonl], { out: () => {}, err: () => {} })).toBe(0);
    const lines = (await readFile(jsonl, 'utf8')).trimEnd().split('\n');
    expect(lines).toHaveLength(1100);
    lines[2] = lines[2]!.slice(0, 40); // truncated line
    lines[6] = lines[6]!.replace('"role":"user"', '"role":"robot"');
    lines[8] = JSON.stringify({ messages: [{ role: 'user', content: 'only a question' }] });
    lines[10] = JSON.stringify({ messages: [{ role: 'user', content: 'q', extra: 1 }, { role: 'assistant', content: '', weight: 2 }] });
    await writeFile(jsonl, lines.join('\n'));
    const result = await readRecordsFromFile(jsonl);
    expect(result.errors.map((e) => [e.line, e.code, e.field])).toEqual([
      [3, 'invalid_json', undefined],
      [7, 'unrecognized_role', 'messages[0].role'],
      [9, 'example_missing_assistant_message', 'messages'],
      [11, 'message_unrecognized_key', 'messages[0]'],
      [11, 'missing_content', 'messages[1].content'],
      [11, 'invalid_weight', 'messages[1].weight'],
    ]);
    expect(result.records).toHaveLength(1096);
  });
});
