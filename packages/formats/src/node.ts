/**
 * `@tunekit/formats/node`: the file-path helpers, for Node only. The main
 * entry stays browser-safe; these open files as streams and hand them to
 * the same readers.
 * @packageDocumentation
 */
import { createReadStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { chatTemplateFromFiles, type ChatTemplateFiles, type LoadChatTemplateOptions } from './templates/chat-template-loading.js';
import type { JinjaChatTemplate } from './templates/template-types.js';
import { FileNotFoundError, TunekitError } from './errors/tunekit-error.js';
import { readRecords, readRecordsOrThrow, streamRecords, type LocatedRecord, type ReadItem, type ReadOptions, type ReadResult } from './read/read-records.js';
import type { AnyRecord, RecordKind, RecordOfKind } from './records/record-types.js';
import type { ValidationOptions, ValidationReport } from './validate/validation-report.js';
import { validateSource } from './validate/validate-source.js';

/**
 * A file's bytes as a stream of chunks (64 KiB each).
 *
 * @throws {@link FileNotFoundError} for a missing path, and a
 * {@link TunekitError} with code `is_directory` for a folder, when iterated
 * (instead of Node's bare `ENOENT`/`EISDIR`).
 */
export async function* fileChunks(path: string): AsyncGenerator<Uint8Array> {
  try {
    yield* createReadStream(path, { highWaterMark: 64 * 1024 }) as AsyncIterable<Uint8Array>;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new FileNotFoundError(path, { cause: e, fix: 'Check the path (relative paths start at the working directory).' });
    if (code === 'EISDIR') throw new TunekitError('is_directory', `${path} is a directory, not a data file.`, { fix: 'Give the path of a JSON, JSONL or TSV file.', cause: e });
    throw e;
  }
}

/** Reads every record and problem of a file; errors name the file as given. */
export function readRecordsFromFile<K extends RecordKind>(path: string, options: ReadOptions & { kind: K }): Promise<ReadResult<RecordOfKind[K]>>;
export function readRecordsFromFile(path: string, options?: ReadOptions): Promise<ReadResult>;
export function readRecordsFromFile(path: string, options: ReadOptions = {}): Promise<ReadResult> {
  return readRecords(fileChunks(path), { file: path, ...options });
}

/** Reads every record of a file, or throws one error listing every problem. */
export function readRecordsFromFileOrThrow<K extends RecordKind>(path: string, options: ReadOptions & { kind: K }): Promise<LocatedRecord<RecordOfKind[K]>[]>;
export function readRecordsFromFileOrThrow(path: string, options?: ReadOptions): Promise<LocatedRecord<AnyRecord>[]>;
export function readRecordsFromFileOrThrow(path: string, options: ReadOptions = {}): Promise<LocatedRecord[]> {
  return readRecordsOrThrow(fileChunks(path), { file: path, ...options });
}

/** Streams the records and problems of a file. */
export function streamRecordsFromFile(path: string, options: ReadOptions = {}): AsyncGenerator<ReadItem> {
  return streamRecords(fileChunks(path), { file: path, ...options });
}

/** Reads a file and builds its validation report. */
export function validateFile(path: string, options: ReadOptions & ValidationOptions = {}): Promise<ValidationReport> {
  return validateSource(fileChunks(path), { file: path, ...options });
}

/** A file's bytes, or undefined when it does not exist. */
async function readIfPresent(path: string): Promise<Uint8Array | undefined> {
  try {
    return await readFile(path);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
}

/**
 * Loads the chat template of a Hugging Face model folder: `chat_template.jinja`
 * when present, else `tokenizer_config.json`'s `chat_template` (a string or a
 * named list; `templateName` picks one), with the special tokens of
 * `tokenizer_config.json`. Throws a `TemplateError` (code
 * `chat_template_not_found`) when the folder has neither.
 */
export async function loadChatTemplate(folder: string, options: LoadChatTemplateOptions = {}): Promise<JinjaChatTemplate> {
  const files: ChatTemplateFiles = {
    tokenizerConfig: await readIfPresent(join(folder, 'tokenizer_config.json')),
    chatTemplateJinja: await readIfPresent(join(folder, 'chat_template.jinja')),
  };
  return chatTemplateFromFiles(files, { name: options.name ?? folder, ...options });
}
