/** Vicuna v1.1. @module */
import type { ChatTemplate } from './template-types.js';

/**
 * Vicuna v1.1, from its authors' FastChat (ADD_COLON_TWO, sep `" "`, sep2
 * `</s>`, which is the EOS). LLaMA-Factory's `vicuna` differs in spacing: no
 * space after the system prompt or after `ASSISTANT:`.
 */
export const vicunaTemplate: ChatTemplate = {
  kind: 'chat',
  name: 'vicuna',
  title: 'Vicuna v1.1',
  source: 'lm-sys/FastChat@0e6d3e4b fastchat/conversation.py register_conv_template(name="vicuna_v1.1")',
  system: {
    format: ['{content} '],
    default:
      "A chat between a curious user and an artificial intelligence assistant. The assistant gives helpful, detailed, and polite answers to the user's questions.",
    renderEmpty: true,
  },
  user: ['USER: {content} ASSISTANT:'],
  assistant: [' {content}', { special: 'eos' }],
  stop: [],
};
