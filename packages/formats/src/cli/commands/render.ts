/** `tunekit-formats render FILE --template T`. @module */
import { toConversation } from '../../convert/convert-record.js';
import { formatReadErrors, type ReadError } from '../../read/read-error.js';
import { streamRecords } from '../../read/read-records.js';
import { render } from '../../templates/render.js';
import { markSegments, segmentsToText } from '../../templates/segments.js';
import { integerOption, parseArgs, UsageError } from '../args.js';
import { chooseTemplate, CONVERT_OPTIONS, convertOptions, openInput, openOutput, READ_FLAGS, READ_OPTIONS, renderOptions, TEMPLATE_OPTIONS } from '../common.js';
import { EXIT, type CliIo } from '../io.js';

/** The help of `render`. */
export const RENDER_HELP = `Usage: tunekit-formats render FILE --template NAME [options]

Prints each record's training text as the template renders it. By default
each record gets a header line and its trainable parts are marked ⟦…⟧.
FILE may be - (standard input), and gzip-compressed.

Options:
  --template NAME | --chat-template tokenizer_config.json
                        the template (required)
  --eos TEXT --bos TEXT the template's special tokens
  --start N --limit N   render records N… (0-based), at most N of them
  --text                plain rendered text only: each record's text
                        followed by a newline, no headers or marks
  --json                one JSON line per record: index, line, segments
  --instruction TEXT    the instruction for classification rows
  --side chosen|rejected
                        the answer kept from preference pairs
  --out FILE            write to FILE (default standard output)
`;

/**
 * Runs `render`: prints each record's training text with trainable parts
 * between ⟦ and ⟧ (plain with `--text`, JSON segments with `--json`); exit 1
 * when a record cannot be read or rendered.
 */
export async function renderCommand(argv: readonly string[], io: CliIo): Promise<number> {
  const args = parseArgs(argv, [...READ_OPTIONS, ...CONVERT_OPTIONS, ...TEMPLATE_OPTIONS, 'start', 'limit', 'out'], [...READ_FLAGS, 'json', 'text']);
  if (args.options.has('json') && args.options.has('text')) throw new UsageError('give --json or --text, not both');
  const style = args.options.has('json') ? 'json' : args.options.has('text') ? 'text' : 'marked';
  const template = (await chooseTemplate(args, true))!;
  const start = integerOption(args, 'start', 0);
  const limit = integerOption(args, 'limit', Number.MAX_SAFE_INTEGER);
  const conversion = convertOptions(args);
  const options = renderOptions(args);
  const input = await openInput(args, io);
  const output = await openOutput(args, io);
  const errors: ReadError[] = [];
  if (style === 'marked') io.err(`template ${template.name}; ⟦…⟧ marks trainable text\n`);
  for await (const item of streamRecords(input.source, input.options)) {
    if (!item.ok) {
      // Problems past the rendered range still count: the file is checked whole.
      errors.push(item.error);
      continue;
    }
    if (item.index < start || item.index >= start + limit) continue;
    const where = { file: item.file, line: item.line, record: item.index };
    const conversation = toConversation(item.record, { kind: item.kind, ...conversion });
    if (!conversation.ok) {
      errors.push({ ...where, field: conversation.field, message: conversation.message, code: 'conversion' });
      continue;
    }
    try {
      const segments = render(conversation.value, { template, ...options });
      if (style === 'json') output.write(`${JSON.stringify({ index: item.index, line: item.line, segments })}\n`);
      else if (style === 'text') output.write(`${segmentsToText(segments)}\n`);
      else output.write(`──── record ${item.index} (${item.file}:${item.line}) ────\n${markSegments(segments)}\n`);
    } catch (e) {
      errors.push({ ...where, message: e instanceof Error ? e.message : String(e), code: 'template' });
    }
  }
  await output.close();
  if (errors.length === 0) return EXIT.ok;
  io.err(`${formatReadErrors(errors.sort((a, b) => a.line - b.line))}\n${errors.length} problems\n`);
  return EXIT.dataErrors;
}
