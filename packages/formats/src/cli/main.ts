/** The CLI's entry point, callable from tests. @module */
import { UsageError } from './args.js';
import { CONVERT_HELP, convertCommand } from './commands/convert.js';
import { RENDER_HELP, renderCommand } from './commands/render.js';
import { TEMPLATES_HELP, templatesCommand } from './commands/templates.js';
import { VALIDATE_HELP, validateCommand } from './commands/validate.js';
import { EXIT, processIo, type CliIo } from './io.js';

/** The usage text. */
export const USAGE = `Usage: tunekit-formats <command> [options]

Commands:
  validate FILE              check every record; print errors, warnings, token
                             distributions, over-length examples and a budget
  convert FILE --to KIND     convert records (alpaca, sharegpt, openai,
                             preference, classification); say what is dropped
  render FILE --template T   print the training text, trainable parts in ⟦…⟧
  templates                  list the built-in templates and their sources

tunekit-formats <command> --help shows each command's options.

FILE is a path or - (standard input); JSON, JSONL or TSV, UTF-8 or UTF-16,
optionally gzip-compressed. Options shared by the commands that read FILE:
  --kind KIND                the record kind (default: detected)
  --format json|jsonl|tsv    the file format (default: from the name, else
                             from the first character)
  --columns label,text       TSV column names; --header: the first line names them
  --labels ham,spam          the allowed classification labels
  --instruction TEXT         the instruction for classification rows
  --side chosen|rejected     the answer kept from preference pairs
  --out FILE                 write to FILE instead of standard output

Exit codes: 0 ok, 1 the data has problems (all are listed with file:line),
  2 bad usage (unknown option or template, missing file, a folder)
`;

interface Command {
  run(argv: readonly string[], io: CliIo): Promise<number>;
  help: string;
}

const COMMANDS: Record<string, Command> = {
  validate: { run: validateCommand, help: VALIDATE_HELP },
  convert: { run: convertCommand, help: CONVERT_HELP },
  render: { run: renderCommand, help: RENDER_HELP },
  templates: { run: templatesCommand, help: TEMPLATES_HELP },
};

const isHelp = (arg: string) => arg === '--help' || arg === '-h';

/** Runs the CLI on `argv` (without node and script) and returns the exit code. */
export async function main(argv: readonly string[], io: CliIo = processIo): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === 'help' || isHelp(name)) {
    const topic = name === 'help' && rest[0] ? COMMANDS[rest[0]] : undefined;
    io.out(topic ? topic.help : USAGE);
    return name ? EXIT.ok : EXIT.usage;
  }
  const command = COMMANDS[name];
  if (!command) {
    io.err(`unknown command "${name}"\n\n${USAGE}`);
    return EXIT.usage;
  }
  // `--help` anywhere before a lone `--` asks for help, whatever else is on the line.
  const end = rest.indexOf('--');
  if ((end === -1 ? rest : rest.slice(0, end)).some(isHelp)) {
    io.out(command.help);
    return EXIT.ok;
  }
  try {
    return await command.run(rest, io);
  } catch (e) {
    if (e instanceof UsageError) {
      io.err(`tunekit-formats ${name}: ${e.message}\n\n${command.help}`);
      return EXIT.usage;
    }
    throw e;
  }
}
