/**
 * What the CLI commands share, so each option has one name and one meaning
 * everywhere: reading FILE (or `-` for standard input), picking a template,
 * converting records, and writing to `--out`.
 * @module
 */
import { open, readFile, stat } from 'node:fs/promises';
import { finished } from 'node:stream/promises';
import type { ConvertOptions } from '../convert/convert-record.js';
import { fileChunks } from '../node.js';
import type { DataFormat } from '../read/detect-format.js';
import type { ReadOptions } from '../read/read-records.js';
import type { TextSource } from '../read/text-source.js';
import { RECORD_KINDS, type RecordKind } from '../records/record-types.js';
import { fromTokenizerConfig } from '../templates/chat-template-loading.js';
import { getTemplate } from '../templates/registry.js';
import { TemplateError, type RenderOptions, type Template } from '../templates/template-types.js';
import { choiceOption, stringOption, UsageError, type ParsedArgs } from './args.js';
import type { CliIo } from './io.js';

/** Options of every command that reads FILE. */
export const READ_OPTIONS = ['kind', 'format', 'columns', 'labels'] as const;
/** Flags of every command that reads FILE. */
export const READ_FLAGS = ['header'] as const;
/** Options of every command that turns records into conversations. */
export const CONVERT_OPTIONS = ['instruction', 'side'] as const;
/** Options of every command that renders with a template. */
export const TEMPLATE_OPTIONS = ['template', 'chat-template', 'eos', 'bos'] as const;

/** Where to read from: the source and the name errors use. */
export interface Input {
  /** The bytes. */
  source: TextSource;
  /** The reading options, `file` included (`<stdin>` for `-`). */
  options: ReadOptions;
}

/**
 * The command's FILE (`-` for standard input) with the common reading
 * options. A missing path or a folder is bad usage, found before any work.
 * @param kindOptions - the option names that give the record kind (`convert` also takes `--from`)
 */
export async function openInput(args: ParsedArgs, io: CliIo, kindOptions: readonly string[] = ['kind']): Promise<Input> {
  const file = args.positional[0];
  if (!file) throw new UsageError('missing FILE (a path, or - for standard input)');
  if (args.positional.length > 1) throw new UsageError(`one FILE only; also got ${args.positional.slice(1).join(' ')}`);
  const options = readOptions(args, kindOptions);
  if (file === '-') {
    if (!io.stdin) throw new UsageError('no standard input to read from');
    return { source: io.stdin, options: { ...options, file: '<stdin>' } };
  }
  const info = await stat(file).catch(() => undefined);
  if (!info) throw new UsageError(`cannot read ${file}: no such file`);
  if (info.isDirectory()) throw new UsageError(`${file} is a directory; give a data file (JSON, JSONL or TSV)`);
  return { source: fileChunks(file), options: { ...options, file } };
}

function readOptions(args: ParsedArgs, kindOptions: readonly string[]): ReadOptions {
  const given = kindOptions.filter((name) => args.options.has(name));
  if (given.length > 1) throw new UsageError(`give the record kind once (${given.map((n) => `--${n}`).join(' or ')})`);
  const kind = given[0] ? choiceOption<RecordKind>(args, given[0], RECORD_KINDS) : undefined;
  const format = choiceOption<DataFormat>(args, 'format', ['json', 'jsonl', 'tsv']);
  const columns = stringOption(args, 'columns')?.split(',');
  const labels = stringOption(args, 'labels')?.split(',');
  return { kind, format, labels, tsv: { columns, header: args.options.has('header') } };
}

/** `--instruction` and `--side`, checked. */
export function convertOptions(args: ParsedArgs): ConvertOptions {
  return { instruction: stringOption(args, 'instruction'), side: choiceOption(args, 'side', ['chosen', 'rejected'] as const) };
}

/** `--eos` and `--bos`. */
export function renderOptions(args: ParsedArgs): RenderOptions {
  return { eos: stringOption(args, 'eos'), bos: stringOption(args, 'bos') };
}

/** The template named by `--template`, or read from `--chat-template tokenizer_config.json`. */
export async function chooseTemplate(args: ParsedArgs, required: boolean): Promise<Template | undefined> {
  const name = stringOption(args, 'template');
  const configPath = stringOption(args, 'chat-template');
  if (name && configPath) throw new UsageError('give --template or --chat-template, not both');
  try {
    if (name) return getTemplate(name);
    if (configPath) return fromTokenizerConfig(await readFile(configPath, 'utf8'));
  } catch (e) {
    if (e instanceof TemplateError || e instanceof SyntaxError) throw new UsageError(e.message);
    throw new UsageError(`cannot read ${configPath}: ${e instanceof Error ? e.message : String(e)}`);
  }
  if (required) throw new UsageError('missing --template NAME (or --chat-template tokenizer_config.json)');
  return undefined;
}

/** Where a command's output goes. */
export interface Output {
  /** Appends text. */
  write(text: string): void;
  /** Finishes writing; resolves to the path written, or undefined for standard output. */
  close(): Promise<string | undefined>;
}

/**
 * Opens `--out FILE` (standard output without it, or with `-`). The file is
 * opened before any work, so a path that cannot be written is bad usage.
 */
export async function openOutput(args: ParsedArgs, io: CliIo): Promise<Output> {
  const path = stringOption(args, 'out');
  if (path === undefined || path === '-') return { write: (text) => io.out(text), close: async () => undefined };
  const handle = await open(path, 'w').catch((e: unknown) => {
    throw new UsageError(`cannot write ${path}: ${e instanceof Error ? e.message : String(e)}`);
  });
  const stream = handle.createWriteStream();
  return {
    write: (text) => void stream.write(text),
    close: async () => {
      stream.end();
      await finished(stream);
      return path;
    },
  };
}
