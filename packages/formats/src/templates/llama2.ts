/** Llama 2 chat. @module */
import type { ChatTemplate } from './template-types.js';

/**
 * Llama 2 chat, from Meta's `chat_completion`: every round is
 * `BOS [INST] {user} [/INST] {answer} EOS`, the system prompt goes inside
 * the first `[INST]` between `<<SYS>>` tags, and contents are stripped.
 * The Hugging Face `chat_template` of Llama-2-chat renders the same text.
 */
export const llama2Template: ChatTemplate = {
  kind: 'chat',
  name: 'llama-2',
  title: 'Llama 2 chat',
  source: 'meta-llama/llama@689c7f2 llama/generation.py chat_completion (B_INST, B_SYS, E_SYS)',
  system: { format: ['<<SYS>>\n{content}\n<</SYS>>\n\n'], placement: 'first-user', renderEmpty: true },
  user: [{ special: 'bos' }, '[INST] {content} [/INST]'],
  assistant: [' {content} ', { special: 'eos' }],
  stripContent: true,
  stop: [],
};
