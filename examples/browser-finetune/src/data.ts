/**
 * Training data: the built-in sample (50 short records of LLMs-from-scratch
 * chapter 7's `instruction-data.json`) or a file the user picks (Alpaca,
 * OpenAI chat or ShareGPT records; JSON or JSONL). Every record becomes a
 * `Conversation` (`@tunekit/formats`), so one template renders them all and
 * only the answers carry loss.
 */
import { type CausalLMExample, gpt2Tokenizer, segmentTokenizer } from '@tunekit/core';
import {
  type AlpacaRecord, type Conversation, encodeSegments, formatReadErrors, getTemplate, readRecords, type RecordKind, render, type Template, toConversation,
} from '@tunekit/formats';
import sampleRecords from './sample-data.json';

/** Record kinds the demo can train on: conversations with answers (preference pairs train on the chosen answer). */
const CHAT_KINDS: readonly RecordKind[] = ['alpaca', 'openai', 'sharegpt', 'preference'];

/** A data set ready to encode. */
export interface TrainingData {
  /** File name, or `sample` for the built-in records. */
  name: string;
  kind: RecordKind;
  conversations: Conversation[];
  /** Where each conversation came from (1-based line), for messages. */
  lines: number[];
}

/** The built-in sample: short Alpaca records, so sequences stay short on software WebGPU. */
export function sampleData(): TrainingData {
  const records = sampleRecords as AlpacaRecord[];
  return {
    name: 'sample (50 Alpaca records from instruction-data.json)',
    kind: 'alpaca',
    conversations: records.map((record) => toConversationOrThrow(record, 'alpaca', 'sample', 0)),
    lines: records.map((_, i) => i + 1),
  };
}

function toConversationOrThrow(record: Parameters<typeof toConversation>[0], kind: RecordKind, file: string, line: number): Conversation {
  const conversion = toConversation(record, kind);
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

/** A template by name (`@tunekit/formats`' registry). */
export function templateNamed(name: string): Template {
  return getTemplate(name);
}

/**
 * Renders and tokenises the conversations: GPT-2 tokens, with labels on the
 * answers only (-100 on the prompt), cut to `maxLength` tokens. Segments are
 * tokenised one by one, so no token straddles a prompt/answer boundary.
 */
export function encodeTrainingData(data: TrainingData, template: Template, maxLength: number): CausalLMExample[] {
  const tokenizer = segmentTokenizer(gpt2Tokenizer);
  return data.conversations.map((conversation, record) => {
    const encoded = encodeSegments(render(conversation, template), tokenizer);
    return {
      inputIds: encoded.inputIds.slice(0, maxLength),
      labels: encoded.labels.slice(0, maxLength),
      source: { file: data.name, line: data.lines[record], record },
    };
  });
}
