/** `tunekit-formats validate FILE`. @module */
import { buildReport } from '../../validate/validation-report.js';
import { formatReport } from '../../validate/format-report.js';
import { integerOption, parseArgs, stringOption } from '../args.js';
import { chooseTemplate, READ_FLAGS, READ_OPTIONS, readInput } from '../common.js';
import { EXIT, type CliIo } from '../io.js';

/** Runs `validate`; exit 1 when any record has a problem. */
export async function validateCommand(argv: readonly string[], io: CliIo): Promise<number> {
  const args = parseArgs(argv, [...READ_OPTIONS, 'template', 'chat-template', 'context', 'instruction'], [...READ_FLAGS, 'json']);
  const template = await chooseTemplate(args, false);
  const read = await readInput(args);
  const instruction = stringOption(args, 'instruction');
  const report = await buildReport(read, {
    template,
    contextLength: integerOption(args, 'context', 1024),
    convert: instruction ? { instruction } : {},
  });
  io.out(args.options.has('json') ? `${JSON.stringify(report, null, 2)}\n` : `${formatReport(report)}\n`);
  return report.errors.length > 0 ? EXIT.dataErrors : EXIT.ok;
}
