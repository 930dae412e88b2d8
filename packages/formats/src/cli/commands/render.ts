/** `tunekit-formats render FILE --template T`. @module */
import { toConversation } from '../../convert/convert-record.js';
import { formatReadErrors, type ReadError } from '../../read/read-error.js';
import { render } from '../../templates/render.js';
import { markSegments } from '../../templates/segments.js';
import { integerOption, parseArgs, stringOption } from '../args.js';
import { chooseTemplate, READ_FLAGS, READ_OPTIONS, readInput } from '../common.js';
import { EXIT, type CliIo } from '../io.js';

/**
 * Runs `render`: prints each record's training text with trainable parts
 * between ⟦ and ⟧ (or as JSON segments with `--json`); exit 1 when a record
 * cannot be read or rendered.
 */
export async function renderCommand(argv: readonly string[], io: CliIo): Promise<number> {
  const args = parseArgs(
    argv,
    [...READ_OPTIONS, 'template', 'chat-template', 'start', 'limit', 'eos', 'bos', 'instruction', 'side'],
    [...READ_FLAGS, 'json'],
  );
  const template = (await chooseTemplate(args, true))!;
  const start = integerOption(args, 'start', 0);
  const limit = integerOption(args, 'limit', Number.MAX_SAFE_INTEGER);
  const read = await readInput(args);
  const errors: ReadError[] = [...read.errors];
  const renderOptions = { eos: stringOption(args, 'eos'), bos: stringOption(args, 'bos') };
  const instruction = stringOption(args, 'instruction');
  const side = stringOption(args, 'side') === 'rejected' ? 'rejected' : 'chosen';
  if (!args.options.has('json')) io.err(`template ${template.name}; ⟦…⟧ marks trainable text\n`);
  for (const located of read.records.slice(start, start + limit)) {
    const where = { file: located.file, line: located.line, record: located.index };
    const conversation = toConversation(located.record, read.kind!, { instruction, side });
    if (!conversation.ok) {
      errors.push({ ...where, field: conversation.field, message: conversation.message, code: 'conversion' });
      continue;
    }
    try {
      const segments = render(conversation.value, template, renderOptions);
      if (args.options.has('json')) io.out(`${JSON.stringify({ index: located.index, line: located.line, segments })}\n`);
      else io.out(`──── record ${located.index} (${located.file}:${located.line}) ────\n${markSegments(segments)}\n`);
    } catch (e) {
      errors.push({ ...where, message: e instanceof Error ? e.message : String(e), code: 'template' });
    }
  }
  if (errors.length === 0) return EXIT.ok;
  io.err(`${formatReadErrors(errors.sort((a, b) => a.line - b.line))}\n${errors.length} problems\n`);
  return EXIT.dataErrors;
}
