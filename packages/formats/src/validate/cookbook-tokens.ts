/**
 * The OpenAI cookbook's token estimate for chat examples, with any tokenizer.
 * @module
 */
import type { Conversation } from '../records/conversation.js';
import type { TokenCounter } from './token-counter.js';

/** A message as the cookbook sees it. */
export interface CookbookMessage {
  /** The role. */
  role: string;
  /** The text. */
  content: string;
  /** Optional speaker name. */
  name?: string;
  /** Optional training weight. */
  weight?: number;
}

/**
 * Tokens of an example as the cookbook counts them: 3 per message, the
 * tokens of every string value of the message (role and name included),
 * 1 more per name, and 3 for the reply's priming.
 */
export function cookbookTokens(messages: readonly CookbookMessage[], options: { counter: TokenCounter }): number {
  const { counter } = options;
  let total = 3;
  for (const message of messages) {
    total += 3 + counter.count(message.role) + counter.count(message.content);
    if (message.name !== undefined) total += counter.count(message.name) + 1;
  }
  return total;
}

/** Tokens of the assistant messages that train (weight not 0). */
export function cookbookTrainableTokens(messages: readonly CookbookMessage[], options: { counter: TokenCounter }): number {
  const { counter } = options;
  return messages.filter((m) => m.role === 'assistant' && m.weight !== 0).reduce((sum, m) => sum + counter.count(m.content), 0);
}

/** A conversation as the message list an OpenAI file would carry: system first, inputs merged. */
export function conversationMessages(conversation: Conversation): CookbookMessage[] {
  const messages: CookbookMessage[] = conversation.messages.map((m) => {
    const out: CookbookMessage = { role: m.role, content: m.input ? `${m.content}\n${m.input}` : m.content };
    if (m.name !== undefined) out.name = m.name;
    if (m.weight !== undefined) out.weight = m.weight;
    return out;
  });
  return conversation.system ? [{ role: 'system', content: conversation.system }, ...messages] : messages;
}
