/**
 * Records to {@link Conversation}s: the hub every conversion and every
 * rendering goes through.
 * @module
 */
import { SHAREGPT_ROLES } from '../records/check-sharegpt.js';
import type { Conversation, Message } from '../records/conversation.js';
import type { AlpacaPrompt, ClassificationRecord, OpenAIChatRecord, ShareGPTRecord } from '../records/record-types.js';
import { ConversationError, toRounds } from '../records/rounds.js';
import { converted, failed, type Conversion } from './conversion.js';

/**
 * An Alpaca record as a conversation: `history` pairs, then the instruction
 * (with its `input` kept apart) and the output. Without `output` the
 * conversation ends with the user: a generation prompt.
 */
export function alpacaToConversation(record: AlpacaPrompt): Conversation {
  const messages: Message[] = [];
  for (const [question, answer] of record.history ?? []) {
    messages.push({ role: 'user', content: question }, { role: 'assistant', content: answer });
  }
  const user: Message = { role: 'user', content: record.instruction };
  if (typeof record.input === 'string' && record.input !== '') user.input = record.input;
  messages.push(user);
  if (typeof record.output === 'string') messages.push({ role: 'assistant', content: record.output });
  return typeof record.system === 'string' ? { system: record.system, messages } : { messages };
}

/** A ShareGPT record as a conversation; fails on tool tags or roles that do not alternate. */
export function shareGPTToConversation(record: ShareGPTRecord): Conversion<Conversation> {
  const messages: Message[] = [];
  for (const [i, turn] of record.conversations.entries()) {
    const role = SHAREGPT_ROLES[turn.from];
    if (!role) return failed(`unsupported "from" tag "${turn.from}"`, { field: `conversations[${i}].from` });
    messages.push({ role, content: turn.value });
  }
  const conversation: Conversation = typeof record.system === 'string' ? { system: record.system, messages } : { messages };
  return checked(conversation, 'conversations');
}

/** An OpenAI chat record as a conversation, keeping `name` and `weight`; fails on `function` messages. */
export function openAIToConversation(record: OpenAIChatRecord): Conversion<Conversation> {
  const messages: Message[] = [];
  for (const [i, m] of record.messages.entries()) {
    if (m.role !== 'system' && m.role !== 'user' && m.role !== 'assistant') {
      return failed(`role "${String(m.role)}" cannot be trained here (only system, user, assistant)`, { field: `messages[${i}].role` });
    }
    const message: Message = { role: m.role, content: m.content };
    if (m.name !== undefined) message.name = m.name;
    if (m.weight === 0 || m.weight === 1) message.weight = m.weight;
    messages.push(message);
  }
  return checked({ messages }, 'messages');
}

/** Options of {@link classificationToConversation}. */
export interface ClassificationPromptOptions {
  /** The task put before each text, e.g. "Classify the SMS as spam or ham." */
  instruction: string;
}

/**
 * A classification row as an instruction conversation: the instruction, the
 * text as its input, the label as the answer.
 */
export function classificationToConversation(row: ClassificationRecord, options: ClassificationPromptOptions): Conversation {
  return {
    messages: [
      { role: 'user', content: options.instruction, input: row.text },
      { role: 'assistant', content: String(row.label) },
    ],
  };
}

/** Folds leading system messages and checks alternation, as rendering will. */
function checked(conversation: Conversation, field: string): Conversion<Conversation> {
  try {
    const { system, rounds } = toRounds(conversation);
    const messages = rounds.flatMap((r) => (r.assistant ? [r.user, r.assistant] : [r.user]));
    if (!rounds[rounds.length - 1]!.assistant) return failed('the conversation ends without an assistant answer', { field });
    return converted(system === undefined ? { messages } : { system, messages });
  } catch (e) {
    if (e instanceof ConversationError) return failed(e.message, { field });
    throw e;
  }
}
