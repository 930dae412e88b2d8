/**
 * Training data, read and checked on the page (formats only, no tensors):
 * the built-in sample (50 short records of LLMs-from-scratch chapter 7's
 * `instruction-data.json`) or a file the user picks (Alpaca, OpenAI chat or
 * ShareGPT records; JSON or JSONL). Every record becomes a `Conversation`
 * (`@tunekit/formats`), so one template renders them all; the worker
 * tokenises them (`worker/encode.ts`).
 */
import { type AlpacaRecord, type Conversation, formatReadErrors, readRecords, type RecordKind, toConversation } from '@tunekit/formats';
import type { TrainingData } from './protocol';
import sampleRecords from './sample-data.json';

/** Record kinds the demo can train on: conversations with answers (preference pairs train on the chosen answer). */
const CHAT_KINDS: readonly RecordKind[] = ['alpaca', 'openai', 'sharegpt', 'preference'];

/** How many records of each kind were read, for the page. */
export function describeData(data: TrainingData): string {
  return `${data.name}: ${data.conversations.length.toLocaleString('en-US')} ${data.kind} record${data.conversations.length === 1 ? '' : 's'}`;
}

/** The built-in sample: short Alpaca records, so sequences stay short on software WebGPU. */
export function sampleData(): TrainingData {
  const records = sampleRecords as AlpacaRecord[];
  return {
    name: 'sample (50 Alpaca records from instruction-data.json)',
    kind: 'alpaca',
    conversations: records.map((record, i) => toConversationOrThrow(record, 'alpaca', 'sample', i + 1)),
    lines: records.map((_, i) => i + 1),
  };
}

function toConversationOrThrow(record: Parameters<typeof toConversation>[0], kind: RecordKind, file: string, line: number): Conversation {
  const conversion = toConversation(record, { kind });
  if (!conversion.ok) throw new Error(`${file}:${line}${conversion.field ? ` ${conversion.field}` : ''}: ${conversion.message}`);
  return conversion.value;
}

/**
 * Reads a picked file. The format comes from the extension (else the first
 * character) and the kind from the first record. Bad records are reported
 * with file and line; the page refuses a file that has any, rather than
 * training on part of it silently.
 */
export async function readDataFile(file: File): Promise<TrainingData> {
  // formats' reader would take a .csv for a tab-separated classification
  // file and complain about every line; say what is wrong once instead.
  if (/\.csv$/i.test(file.name)) throw new Error(`${file.name}: CSV is not supported; use Alpaca, OpenAI chat or ShareGPT records as JSON or JSONL`);
  // Streamed: formats reads a web ReadableStream chunk by chunk.
  const result = await readRecords(file.stream(), { file: file.name });
  if (result.errors.length) {
    const shown = result.errors.slice(0, 5);
    const more = result.errors.length - shown.length;
    throw new Error(`${formatReadErrors(shown)}${more > 0 ? `\n… and ${more} more` : ''}`);
  }
  const kind = result.kind;
  if (!kind || result.records.length === 0) throw new Error(`${file.name}: no records found`);
  if (!CHAT_KINDS.includes(kind)) throw new Error(`${file.name}: ${kind} records have no answers to train on; use Alpaca, OpenAI chat or ShareGPT records`);
  // Preference pairs become the conversation with the chosen answer (formats' default side).
  return {
    name: file.name,
    kind,
    conversations: result.records.map((r) => toConversationOrThrow(r.record, kind, file.name, r.line)),
    lines: result.records.map((r) => r.line),
  };
}

/** The template names offered on the page, the chapter's Alpaca variant first. */
export const TEMPLATE_CHOICES = ['alpaca-llms-from-scratch', 'alpaca', 'chatml', 'vicuna', 'claude'] as const;
