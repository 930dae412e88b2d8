/** The CLI's entry point, callable from tests. @module */
import { UsageError } from './args.js';
import { convertCommand } from './commands/convert.js';
import { renderCommand } from './commands/render.js';
import { templatesCommand } from './commands/templates.js';
import { validateCommand } from './commands/validate.js';
import { EXIT, processIo, type CliIo } from './io.js';

/** The usage text. */
export const USAGE = `Usage: tunekit-formats <command> [options]

Commands:
  validate FILE              check every record; print errors, warnings, token
                             distributions, over-length examples and a budget
      [--template T | --chat-template tokenizer_config.json] [--context 1024]
      [--instruction TEXT] [--json]
  convert FILE --to KIND     convert records (alpaca, sharegpt, openai,
                             preference, classification); say what is dropped
      [--from KIND] [--to-format json|jsonl|tsv] [--out FILE]
      [--instruction TEXT] [--side chosen|rejected]
  render FILE --template T   print the training text, trainable parts in ⟦…⟧
      [--chat-template tokenizer_config.json] [--start N] [--limit N]
      [--eos TEXT] [--bos TEXT] [--instruction TEXT] [--json]
  templates                  list the built-in templates and their sources

Reading options: --kind KIND (--from for convert), --format json|jsonl|tsv,
  --columns label,text, --header, --labels ham,spam

Exit codes: 0 ok, 1 the data has problems (all are listed with file:line),
  2 bad usage (unknown option or template, unreadable file)
`;

const COMMANDS: Record<string, (argv: readonly string[], io: CliIo) => Promise<number>> = {
  validate: validateCommand,
  convert: convertCommand,
  render: renderCommand,
  templates: templatesCommand,
};

/** Runs the CLI on `argv` (without node and script) and returns the exit code. */
export async function main(argv: readonly string[], io: CliIo = processIo): Promise<number> {
  const [command, ...rest] = argv;
  if (!command || command === 'help' || command === '--help' || command === '-h') {
    io.out(USAGE);
    return command ? EXIT.ok : EXIT.usage;
  }
  const run = COMMANDS[command];
  if (!run) {
    io.err(`unknown command "${command}"\n\n${USAGE}`);
    return EXIT.usage;
  }
  try {
    return await run(rest, io);
  } catch (e) {
    if (e instanceof UsageError) {
      io.err(`tunekit-formats ${command}: ${e.message}\n\n${USAGE}`);
      return EXIT.usage;
    }
    throw e;
  }
}
