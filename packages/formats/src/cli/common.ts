/** What several CLI commands share: reading a file and picking a template. @module */
import { access, readFile } from 'node:fs/promises';
import { readRecordsFromFile } from '../node.js';
import type { DataFormat } from '../read/detect-format.js';
import type { ReadResult } from '../read/read-records.js';
import { RECORD_KINDS, type RecordKind } from '../records/record-types.js';
import { fromTokenizerConfig } from '../templates/chat-template-loading.js';
import { getTemplate } from '../templates/registry.js';
import { TemplateError, type Template } from '../templates/template-types.js';
import { choiceOption, stringOption, UsageError, type ParsedArgs } from './args.js';

/** Options every reading command accepts. */
export const READ_OPTIONS = ['kind', 'format', 'columns', 'labels'] as const;
/** Flags every reading command accepts. */
export const READ_FLAGS = ['header'] as const;

/** Reads the command's FILE with the common reading options. */
export async function readInput(args: ParsedArgs, kindOption = 'kind'): Promise<ReadResult> {
  const file = args.positional[0];
  if (!file) throw new UsageError('missing FILE');
  try {
    await access(file);
  } catch {
    throw new UsageError(`cannot read ${file}`);
  }
  const kind = choiceOption<RecordKind>(args, kindOption, RECORD_KINDS);
  const format = choiceOption<DataFormat>(args, 'format', ['json', 'jsonl', 'tsv']);
  const columns = stringOption(args, 'columns')?.split(',');
  const labels = stringOption(args, 'labels')?.split(',');
  return readRecordsFromFile(file, { kind, format, labels, tsv: { columns, header: args.options.has('header') } });
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
