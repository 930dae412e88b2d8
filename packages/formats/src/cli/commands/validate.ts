/** `tunekit-formats validate FILE`. @module */
import { isTunekitError } from '../../errors/tunekit-error.js';
import { formatReport } from '../../validate/format-report.js';
import { OPENAI_ENCODINGS, type OpenAIEncoding } from '../../validate/token-counter.js';
import { validateSource } from '../../validate/validate-source.js';
import { choiceOption, integerOption, parseArgs, UsageError } from '../args.js';
import { chooseTemplate, CONVERT_OPTIONS, convertOptions, openInput, openOutput, READ_FLAGS, READ_OPTIONS, renderOptions, TEMPLATE_OPTIONS } from '../common.js';
import { EXIT, type CliIo } from '../io.js';

/** The help of `validate`. */
export const VALIDATE_HELP = `Usage: tunekit-formats validate FILE [options]

Checks every record (the OpenAI cookbook's checks for OpenAI chat data) and
prints errors, warnings, token distributions, over-length examples and an
epochs/token budget. Streams: memory does not grow with the file's size.
FILE may be - (standard input), and gzip-compressed.

Options:
  --template NAME | --chat-template tokenizer_config.json
                        count tokens on this template's rendering
  --eos TEXT --bos TEXT the template's special tokens
  --encoding E          r50k_base | cl100k_base | o200k_base (needs the
                        gpt-tokenizer package); default cl100k_base for OpenAI
                        chat records without a template (as the cookbook),
                        r50k_base (GPT-2) otherwise
  --context N           context length examples must fit in (default 1024)
  --strict              records tunekit cannot train on as they are (e.g. a
                        system + assistant example with no user message,
                        which the cookbook accepts) are errors, not warnings
  --instruction TEXT    the instruction for classification rows
  --side chosen|rejected
                        the answer kept from preference pairs
  --json                print the report as JSON
  --out FILE            write the report to FILE
`;

/** Runs `validate`; exit 1 when any record has a problem. */
export async function validateCommand(argv: readonly string[], io: CliIo): Promise<number> {
  const args = parseArgs(argv, [...READ_OPTIONS, ...CONVERT_OPTIONS, ...TEMPLATE_OPTIONS, 'context', 'encoding', 'out'], [...READ_FLAGS, 'json', 'strict']);
  const template = await chooseTemplate(args, false);
  const encoding = choiceOption<OpenAIEncoding>(args, 'encoding', OPENAI_ENCODINGS);
  const contextLength = integerOption(args, 'context', 1024);
  const input = await openInput(args, io);
  const output = await openOutput(args, io);
  const report = await validateSource(input.source, {
    ...input.options,
    template,
    renderOptions: renderOptions(args),
    encoding,
    contextLength,
    convert: convertOptions(args),
    strict: args.options.has('strict'),
  }).catch((e: unknown) => {
    // A missing optional tokenizer, a missing file or a folder: the user's setup, not the data.
    if (isTunekitError(e) && ['missing_dependency', 'file_not_found', 'is_directory'].includes(e.code)) throw new UsageError(e.message);
    throw e;
  });
  output.write(args.options.has('json') ? `${JSON.stringify(report, null, 2)}\n` : `${formatReport(report)}\n`);
  await output.close();
  return report.errors.length > 0 ? EXIT.dataErrors : EXIT.ok;
}
