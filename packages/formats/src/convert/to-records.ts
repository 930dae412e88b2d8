/**
 * {@link Conversation}s to records. Each conversion says what it drops.
 * @module
 */
import type { Conversation, Message } from '../records/conversation.js';
import type { AlpacaRecord, OpenAIChatRecord, OpenAIMessage, ShareGPTRecord } from '../records/record-types.js';
import { ConversationError, toRounds, type Rounds } from '../records/rounds.js';
import { converted, failed, type Conversion } from './conversion.js';

/**
 * A conversation as an Alpaca record: the last round becomes
 * instruction/input/output, earlier rounds `history`. Lossless for
 * conversations that came from Alpaca; weights and names are dropped, and
 * inputs of earlier rounds are merged into their questions.
 */
export function conversationToAlpaca(conversation: Conversation): Conversion<AlpacaRecord> {
  const rounds = completeRounds(conversation);
  if (!rounds.ok) return rounds;
  const { system, rounds: list } = rounds.value;
  const dropped = droppedExtras(list.flatMap((r) => [r.user, r.assistant!]), false);
  const history = list.slice(0, -1).map((r) => [joinInput(r.user), r.assistant!.content] as [string, string]);
  if (list.slice(0, -1).some((r) => r.user.input)) dropped.push('input of earlier rounds (merged into history)');
  const last = list[list.length - 1]!;
  const record: AlpacaRecord = { instruction: last.user.content, input: last.user.input ?? '', output: last.assistant!.content };
  if (system !== undefined) record.system = system;
  if (history.length > 0) record.history = history;
  return converted(record, { dropped });
}

/** A conversation as a ShareGPT record (`human`/`gpt` turns, `system` column). Weights and names are dropped. */
export function conversationToShareGPT(conversation: Conversation): Conversion<ShareGPTRecord> {
  const rounds = completeRounds(conversation);
  if (!rounds.ok) return rounds;
  const { system, rounds: list } = rounds.value;
  const messages = list.flatMap((r) => [r.user, r.assistant!]);
  const record: ShareGPTRecord = {
    conversations: messages.map((m) => ({ from: m.role === 'user' ? 'human' : 'gpt', value: joinInput(m) })),
  };
  if (system !== undefined) record.system = system;
  return converted(record, { dropped: droppedExtras(messages, true) });
}

/** A conversation as an OpenAI chat record, keeping names and weights. Inputs are merged into the user message. */
export function conversationToOpenAI(conversation: Conversation): Conversion<OpenAIChatRecord> {
  const rounds = completeRounds(conversation);
  if (!rounds.ok) return rounds;
  const { system, rounds: list } = rounds.value;
  const messages: OpenAIMessage[] = system ? [{ role: 'system', content: system }] : [];
  const dropped: string[] = [];
  if (system === '') dropped.push('empty system prompt');
  for (const m of list.flatMap((r) => [r.user, r.assistant!])) {
    const out: OpenAIMessage = { role: m.role as 'user' | 'assistant', content: joinInput(m) };
    if (m.name !== undefined) out.name = m.name;
    if (m.weight !== undefined) out.weight = m.weight;
    messages.push(out);
  }
  if (list.some((r) => r.user.input)) dropped.push('input (merged into the user message)');
  return converted({ messages }, { dropped });
}

/** Joins an Alpaca input to its message the way LLaMA-Factory does: `content\ninput`. */
export function joinInput(message: Message): string {
  return message.input ? `${message.content}\n${message.input}` : message.content;
}

function completeRounds(conversation: Conversation): Conversion<Rounds> {
  try {
    const rounds = toRounds(conversation);
    if (!rounds.rounds[rounds.rounds.length - 1]!.assistant) return failed('the conversation ends without an assistant answer');
    return converted(rounds);
  } catch (e) {
    if (e instanceof ConversationError) return failed(e.message);
    throw e;
  }
}

function droppedExtras(messages: Message[], inputsMerged: boolean): string[] {
  const dropped: string[] = [];
  if (messages.some((m) => m.weight !== undefined)) dropped.push('weight');
  if (messages.some((m) => m.name !== undefined)) dropped.push('name');
  if (inputsMerged && messages.some((m) => m.input)) dropped.push('input (merged into the user message)');
  return dropped;
}
