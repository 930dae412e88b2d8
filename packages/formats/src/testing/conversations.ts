/**
 * Test support: the fixed conversations every template renders in its golden
 * tests. The expected strings were produced by running each source's own
 * code (or, for LLaMA-Factory, its slot lists) on these same texts.
 * @module
 */
import type { Conversation } from '../records/conversation.js';

export const Q1 = 'Name three primary colors.';
export const A1 = 'Red, yellow and blue.';
export const Q2 = 'Which of them is warm?';
export const A2 = 'Red and yellow.';
export const Q3 = 'And cool?';
export const A3 = 'Blue.';
export const SYSTEM = 'You are a painter.';

const user = (content: string) => ({ role: 'user' as const, content });
const assistant = (content: string) => ({ role: 'assistant' as const, content });

/** One round. */
export const single: Conversation = { messages: [user(Q1), assistant(A1)] };
/** Three rounds. */
export const multi: Conversation = { messages: [user(Q1), assistant(A1), user(Q2), assistant(A2), user(Q3), assistant(A3)] };
/** A generation prompt, first round. */
export const prompt: Conversation = { messages: [user(Q1)] };
/** A generation prompt after one round of history. */
export const prompt2: Conversation = { messages: [user(Q1), assistant(A1), user(Q2)] };
/** One round with a system prompt. */
export const withSystem: Conversation = { system: SYSTEM, messages: [user(Q1), assistant(A1)] };
/** One round whose user turn carries an Alpaca input. */
export const withInput: Conversation = { messages: [{ role: 'user', content: Q1, input: 'Answer briefly.' }, assistant(A1)] };

/** Alpaca-style examples (Stanford / LLMs-from-scratch goldens). */
export const noInputExample: Conversation = { messages: [user(Q1), assistant(A1)] };
export const inputExample: Conversation = {
  messages: [{ role: 'user', content: 'Translate to French.', input: 'Good morning' }, assistant('Bonjour')],
};
export const inputPrompt: Conversation = { messages: [{ role: 'user', content: 'Translate to French.', input: 'Good morning' }] };
