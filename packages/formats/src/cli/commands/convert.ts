/** `tunekit-formats convert FILE --to KIND`. @module */
import { convertRecord } from '../../convert/convert-record.js';
import { formatReadErrors, type ReadError } from '../../read/read-error.js';
import { streamRecords } from '../../read/read-records.js';
import { RECORD_KINDS, type AnyRecord, type RecordKind } from '../../records/record-types.js';
import { toJSONArray, toJSONL, toTSV } from '../../write/write-records.js';
import { choiceOption, parseArgs, UsageError } from '../args.js';
import { CONVERT_OPTIONS, convertOptions, openInput, openOutput, READ_FLAGS, READ_OPTIONS } from '../common.js';
import { EXIT, type CliIo } from '../io.js';

const DEFAULT_OUTPUT: Record<RecordKind, 'json' | 'jsonl' | 'tsv'> = {
  alpaca: 'json',
  sharegpt: 'json',
  openai: 'jsonl',
  preference: 'json',
  classification: 'jsonl',
};

/** The help of `convert`. */
export const CONVERT_HELP = `Usage: tunekit-formats convert FILE --to KIND [options]

Converts records to another kind (alpaca, sharegpt, openai, preference,
classification) and says on standard error what each conversion dropped or
merged. Writes nothing and exits 1 when any record cannot be read or
converted. FILE may be - (standard input), and gzip-compressed.

Options:
  --to KIND             the kind to write (required)
  --kind KIND           the kind to read (default: detected); --from is the
                        same option, to read as "--from X --to Y"
  --to-format json|jsonl|tsv
                        the output file format (default by kind: jsonl for
                        openai and classification, json otherwise)
  --instruction TEXT    the instruction for classification rows
  --side chosen|rejected
                        the answer kept from preference pairs
  --out FILE            write to FILE (default standard output)
`;

/**
 * Runs `convert`. Writes nothing and exits 1 when any record cannot be read
 * or converted; reports what each conversion dropped on stderr.
 */
export async function convertCommand(argv: readonly string[], io: CliIo): Promise<number> {
  const args = parseArgs(argv, [...READ_OPTIONS, 'from', ...CONVERT_OPTIONS, 'to', 'to-format', 'out'], [...READ_FLAGS]);
  const to = choiceOption<RecordKind>(args, 'to', RECORD_KINDS);
  if (!to) throw new UsageError('missing --to KIND');
  const toFormat = choiceOption(args, 'to-format', ['json', 'jsonl', 'tsv'] as const) ?? DEFAULT_OUTPUT[to];
  const conversion = convertOptions(args);
  const input = await openInput(args, io, ['kind', 'from']);
  const errors: ReadError[] = [];
  const out: AnyRecord[] = [];
  const dropped = new Map<string, number>();
  let from: RecordKind | undefined;
  for await (const item of streamRecords(input.source, input.options)) {
    if (!item.ok) {
      errors.push(item.error);
      continue;
    }
    from = item.kind;
    const result = convertRecord(item.record, { from: item.kind, to, ...conversion });
    if (!result.ok) {
      errors.push({ file: item.file, line: item.line, record: item.index, field: result.field, message: result.message, code: 'conversion' });
      continue;
    }
    out.push(result.value);
    for (const note of result.dropped) dropped.set(note, (dropped.get(note) ?? 0) + 1);
  }
  if (errors.length > 0) {
    io.err(`${formatReadErrors(errors.sort((a, b) => a.line - b.line))}\n${errors.length} problems; nothing written\n`);
    return EXIT.dataErrors;
  }
  const output = await openOutput(args, io);
  output.write(toFormat === 'json' ? toJSONArray(out) : toFormat === 'jsonl' ? toJSONL(out) : toTSV(out as unknown as Record<string, unknown>[], { columns: ['label', 'text'] }));
  const path = await output.close();
  const notes = [...dropped].map(([note, n]) => `  ${note}: ${n} records`).join('\n');
  io.err(`converted ${out.length} ${from ?? input.options.kind ?? ''} records to ${to} (${toFormat})${path ? ` in ${path}` : ''}\n${notes ? `dropped or merged:\n${notes}\n` : 'nothing dropped\n'}`);
  return EXIT.ok;
}
