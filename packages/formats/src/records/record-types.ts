/**
 * The record kinds people bring, as they appear in their files.
 * @module
 */
import type { Message } from './conversation.js';

/**
 * An Alpaca record (Stanford Alpaca, extended by LLaMA-Factory with `system`
 * and `history`).
 */
export interface AlpacaRecord {
  /** The task. */
  instruction: string;
  /** Optional context for the task. */
  input?: string;
  /** The answer to train on. */
  output: string;
  /** Optional system prompt. */
  system?: string;
  /** Earlier rounds, oldest first, as `[question, answer]` pairs. */
  history?: [string, string][];
}

/** An Alpaca record whose answer is optional: without one it is a generation prompt. */
export interface AlpacaPrompt extends Omit<AlpacaRecord, 'output'> {
  /** The answer, if any. */
  output?: string;
}

/** One turn of a ShareGPT conversation. */
export interface ShareGPTTurn {
  /** `human`, `gpt` or `system` (`user`/`assistant` are accepted as aliases). */
  from: string;
  /** The text. */
  value: string;
}

/** A ShareGPT record, with LLaMA-Factory's optional `system` column. */
export interface ShareGPTRecord {
  /** The turns, alternating human and gpt. */
  conversations: ShareGPTTurn[];
  /** Optional system prompt. */
  system?: string;
}

/** One message of an OpenAI chat fine-tuning record. */
export interface OpenAIMessage {
  /** `system`, `user` or `assistant`. */
  role: 'system' | 'user' | 'assistant';
  /** The text. */
  content: string;
  /** Optional speaker name. */
  name?: string;
  /** `0` to skip this assistant message in training, `1` (default) to learn it. */
  weight?: 0 | 1;
}

/** An OpenAI chat fine-tuning record (one line of a JSONL file). */
export interface OpenAIChatRecord {
  /** The messages. */
  messages: OpenAIMessage[];
}

/**
 * A preference pair. Three shapes are accepted:
 * - a shared Alpaca-style prompt (`instruction`, `input?`, `system?`) with
 *   `chosen`/`rejected` answers (the `instruction-data-with-preference.json` shape);
 * - a shared `prompt` (text or messages) with `chosen`/`rejected` answers
 *   (text or messages);
 * - no shared prompt: `chosen` and `rejected` are whole conversations whose
 *   common leading messages are the prompt.
 */
export interface PreferenceRecord {
  /** Shared Alpaca-style task. */
  instruction?: string;
  /** Shared Alpaca-style context. */
  input?: string;
  /** Shared system prompt. */
  system?: string;
  /** Shared prompt, as text (one user message) or messages. */
  prompt?: string | Message[];
  /** The preferred answer (text) or conversation (messages). */
  chosen: string | Message[];
  /** The dispreferred answer (text) or conversation (messages). */
  rejected: string | Message[];
}

/** A classification row: a text and its label (the SMS spam file is `label<TAB>text`). */
export interface ClassificationRecord {
  /** The text to classify. */
  text: string;
  /** Its class. */
  label: string | number;
}

/** The record kinds this package reads, checks and converts. */
export type RecordKind = 'alpaca' | 'sharegpt' | 'openai' | 'preference' | 'classification';

/** All record kinds. */
export const RECORD_KINDS: readonly RecordKind[] = ['alpaca', 'sharegpt', 'openai', 'preference', 'classification'];

/** Maps a {@link RecordKind} to its record type. */
export interface RecordOfKind {
  /** {@link AlpacaRecord} */
  alpaca: AlpacaRecord;
  /** {@link ShareGPTRecord} */
  sharegpt: ShareGPTRecord;
  /** {@link OpenAIChatRecord} */
  openai: OpenAIChatRecord;
  /** {@link PreferenceRecord} */
  preference: PreferenceRecord;
  /** {@link ClassificationRecord} */
  classification: ClassificationRecord;
}

/** Any record this package knows. */
export type AnyRecord = RecordOfKind[RecordKind];
