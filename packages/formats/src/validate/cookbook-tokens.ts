/**
 * The OpenAI cookbook's token estimate for chat examples, with any tokenizer.
 * @module
 */
import type { Conversation } from '../records/conversation.js';
import type { TokenCounter } from './token-counter.js';

/**
 * Tokens of a conversation as the cookbook counts them: 3 per message, the
 * tokens of every string value of the message (role and name included),
 * 1 more per name, and 3 for the reply's priming. The system prompt counts
 * as a message.
 */
export function cookbookTokens(conversation: Conversation, counter: TokenCounter): number {
  let total = 3;
  for (const message of withSystem(conversation)) {
    total += 3 + counter.count(message.role) + counter.count(message.content);
    if (message.name !== undefined) total += counter.count(message.name) + 1;
  }
  return total;
}

/** Tokens of the assistant messages that train (weight not 0). */
export function cookbookTrainableTokens(conversation: Conversation, counter: TokenCounter): number {
  return conversation.messages
    .filter((m) => m.role === 'assistant' && m.weight !== 0)
    .reduce((sum, m) => sum + counter.count(m.content), 0);
}

/** The messages with the system prompt as a leading message, as OpenAI files carry it. */
export function withSystem(conversation: Conversation): { role: string; content: string; name?: string }[] {
  const messages = conversation.messages.map((m) => ({ role: m.role, content: m.input ? `${m.content}\n${m.input}` : m.content, name: m.name }));
  return conversation.system ? [{ role: 'system', content: conversation.system }, ...messages] : messages;
}
