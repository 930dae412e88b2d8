/**
 * Checking a conversation's structure and cutting it into rounds, the unit
 * every template renders.
 * @module
 */
import { TunekitError, type TunekitErrorOptions } from '../errors/tunekit-error.js';
import type { Conversation, Message } from './conversation.js';

/** One user turn and the assistant's answer, if any. */
export interface Round {
  /** The user message. */
  user: Message;
  /** The answer; absent only in the last round of a prompt. */
  assistant?: Message;
}

/** A conversation cut into rounds. */
export interface Rounds {
  /** The system prompt (the conversation's, plus any leading system messages). */
  system: string | undefined;
  /** The rounds, in order. */
  rounds: Round[];
}

/** Thrown when a conversation cannot be rendered or converted as it is. */
export class ConversationError extends TunekitError {
  /** Builds the error (code `invalid_conversation`). */
  constructor(message: string, options: TunekitErrorOptions = {}) {
    super('invalid_conversation', message, options);
  }
}

/**
 * Folds leading system messages into the system prompt (joined with a
 * newline) and pairs the rest into rounds. Throws {@link ConversationError}
 * unless the rest alternates user, assistant, user… starting with the user.
 */
export function toRounds(conversation: Conversation): Rounds {
  const messages = conversation.messages;
  let system = conversation.system;
  let i = 0;
  for (; i < messages.length && messages[i]!.role === 'system'; i++) {
    const content = messages[i]!.content;
    system = system === undefined || system === '' ? content : `${system}\n${content}`;
  }
  const rounds: Round[] = [];
  for (; i < messages.length; i += 2) {
    const user = messages[i]!;
    const assistant = messages[i + 1];
    if (user.role !== 'user') throw new ConversationError(`message ${i} should be a user message (roles must alternate user/assistant after the system prompt), got ${user.role}`, { fix: 'Put a user message after the system prompt and after every assistant message.' });
    if (assistant && assistant.role !== 'assistant') {
      throw new ConversationError(`message ${i + 1} should be an assistant message (roles must alternate user/assistant), got ${assistant.role}`, { fix: 'Answer every user message with one assistant message (merge consecutive user messages into one).' });
    }
    rounds.push(assistant ? { user, assistant } : { user });
  }
  if (rounds.length === 0) throw new ConversationError('the conversation has no user message', { fix: 'Add at least one user message (and the assistant answer to train on).' });
  return { system, rounds };
}
