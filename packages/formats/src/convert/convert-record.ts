/**
 * Converting a record of one kind to another, through a conversation.
 * @module
 */
import type { Conversation } from '../records/conversation.js';
import type { AnyRecord, ClassificationRecord, OpenAIChatRecord, PreferenceRecord, RecordKind, ShareGPTRecord, AlpacaRecord } from '../records/record-types.js';
import { converted, failed, type Conversion } from './conversion.js';
import { alpacaToConversation, classificationToConversation, openAIToConversation, shareGPTToConversation } from './from-records.js';
import { preferenceToConversation } from './preference.js';
import { conversationToAlpaca, conversationToOpenAI, conversationToShareGPT } from './to-records.js';

/** Options of {@link convertRecord} and {@link toConversation}. */
export interface ConvertOptions {
  /** For classification rows: the task put before each text. Required to turn rows into instructions. */
  instruction?: string;
  /** For preference pairs: the side to keep. Default `chosen`. */
  side?: 'chosen' | 'rejected';
}

/** The fields each kind reads; others are reported as dropped. */
const KNOWN_FIELDS: Readonly<Record<RecordKind, readonly string[]>> = {
  alpaca: ['instruction', 'input', 'output', 'system', 'history'],
  sharegpt: ['conversations', 'system'],
  openai: ['messages'],
  preference: ['instruction', 'input', 'system', 'prompt', 'chosen', 'rejected'],
  classification: ['text', 'label'],
};

/** Any record (except classification rows without an instruction) as a conversation. */
export function toConversation(record: AnyRecord, options: ConvertOptions & { kind: RecordKind }): Conversion<Conversation> {
  const { kind } = options;
  switch (kind) {
    case 'alpaca':
      return converted(alpacaToConversation(record as AlpacaRecord));
    case 'sharegpt':
      return shareGPTToConversation(record as ShareGPTRecord);
    case 'openai':
      return openAIToConversation(record as OpenAIChatRecord);
    case 'preference':
      return preferenceToConversation(record as PreferenceRecord, { side: options.side });
    case 'classification':
      if (!options.instruction) return failed('classification rows need an instruction to become conversations');
      return converted(classificationToConversation(record as ClassificationRecord, { instruction: options.instruction }));
  }
}

/**
 * Converts a (checked) record from one kind to another. `dropped` lists
 * what did not survive, including fields the source kind does not know.
 * Nothing converts to preference pairs, and only classification rows
 * convert to classification rows.
 */
export function convertRecord(record: AnyRecord, options: ConvertOptions & { from: RecordKind; to: RecordKind }): Conversion<AnyRecord> {
  const { from, to } = options;
  const extras = Object.keys(record).filter((k) => !KNOWN_FIELDS[from].includes(k));
  const extraNotes = extras.map((k) => `field "${k}"`);
  if (from === to) return converted(record, { dropped: extraNotes });
  if (to === 'preference' || to === 'classification') return failed(`cannot convert ${from} records to ${to} records`);
  const conversation = toConversation(record, { kind: from, ...options });
  if (!conversation.ok) return conversation;
  const result = to === 'alpaca' ? conversationToAlpaca(conversation.value) : to === 'sharegpt' ? conversationToShareGPT(conversation.value) : conversationToOpenAI(conversation.value);
  if (!result.ok) return result;
  return converted(result.value, { dropped: [...conversation.dropped, ...result.dropped, ...extraNotes] });
}
