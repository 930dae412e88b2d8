/** `tunekit-formats convert FILE --from X --to Y`. @module */
import { writeFile } from 'node:fs/promises';
import { convertRecord } from '../../convert/convert-record.js';
import { formatReadErrors, type ReadError } from '../../read/read-error.js';
import { RECORD_KINDS, type AnyRecord, type RecordKind } from '../../records/record-types.js';
import { toJsonArray, toJsonl, toTsv } from '../../write/write-records.js';
import { choiceOption, parseArgs, stringOption, UsageError } from '../args.js';
import { READ_FLAGS, READ_OPTIONS, readInput } from '../common.js';
import { EXIT, type CliIo } from '../io.js';

const DEFAULT_OUTPUT: Record<RecordKind, 'json' | 'jsonl' | 'tsv'> = {
  alpaca: 'json',
  sharegpt: 'json',
  openai: 'jsonl',
  preference: 'json',
  classification: 'jsonl',
};

/**
 * Runs `convert`. Writes nothing and exits 1 when any record cannot be read
 * or converted; reports what each conversion dropped on stderr.
 */
export async function convertCommand(argv: readonly string[], io: CliIo): Promise<number> {
  const args = parseArgs(argv, [...READ_OPTIONS.filter((o) => o !== 'kind'), 'from', 'to', 'out', 'to-format', 'instruction', 'side'], [...READ_FLAGS]);
  const to = choiceOption<RecordKind>(args, 'to', RECORD_KINDS);
  if (!to) throw new UsageError('missing --to KIND');
  const toFormat = choiceOption(args, 'to-format', ['json', 'jsonl', 'tsv'] as const) ?? DEFAULT_OUTPUT[to];
  const side = choiceOption(args, 'side', ['chosen', 'rejected'] as const);
  const read = await readInput(args, 'from');
  const from = read.kind;
  const errors: ReadError[] = [...read.errors];
  const out: AnyRecord[] = [];
  const dropped = new Map<string, number>();
  for (const located of read.records) {
    const result = convertRecord(located.record, from!, to, { instruction: stringOption(args, 'instruction'), side });
    if (!result.ok) {
      errors.push({ file: located.file, line: located.line, record: located.index, field: result.field, message: result.message, code: 'conversion' });
      continue;
    }
    out.push(result.value);
    for (const note of result.dropped) dropped.set(note, (dropped.get(note) ?? 0) + 1);
  }
  if (errors.length > 0) {
    io.err(`${formatReadErrors(errors.sort((a, b) => a.line - b.line))}\n${errors.length} problems; nothing written\n`);
    return EXIT.dataErrors;
  }
  const text = toFormat === 'json' ? toJsonArray(out) : toFormat === 'jsonl' ? toJsonl(out) : toTsv(out as unknown as Record<string, unknown>[], ['label', 'text']);
  const path = stringOption(args, 'out');
  if (path) await writeFile(path, text);
  else io.out(text);
  const notes = [...dropped].map(([note, n]) => `  ${note}: ${n} records`).join('\n');
  io.err(`converted ${out.length} ${from} records to ${to} (${toFormat})${path ? ` in ${path}` : ''}\n${notes ? `dropped or merged:\n${notes}\n` : 'nothing dropped\n'}`);
  return EXIT.ok;
}
