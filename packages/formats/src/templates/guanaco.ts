/** Guanaco. @module */
import type { ChatTemplate } from './template-types.js';

/**
 * Guanaco, as FastChat serves it (`GuanacoAdapter` → `zero_shot`:
 * ADD_COLON_SINGLE, sep `\n### `, stop `###`).
 */
export const guanacoTemplate: ChatTemplate = {
  kind: 'chat',
  name: 'guanaco',
  title: 'Guanaco',
  source: 'lm-sys/FastChat@0e6d3e4b fastchat/conversation.py register_conv_template(name="zero_shot"); fastchat/model/model_adapter.py GuanacoAdapter',
  system: {
    format: ['{content}\n### '],
    default:
      "A chat between a curious human and an artificial intelligence assistant. The assistant gives helpful, detailed, and polite answers to the human's questions.",
    renderEmpty: true,
  },
  user: ['Human: {content}\n### Assistant:'],
  assistant: [' {content}\n### '],
  stop: ['###'],
};
