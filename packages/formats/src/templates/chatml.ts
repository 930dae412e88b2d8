/** ChatML. @module */
import type { ChatTemplate } from './template-types.js';

/** ChatML as LLaMA-Factory writes it; `<|im_end|>` ends every answer (and replaces EOS). */
export const chatmlTemplate: ChatTemplate = {
  kind: 'chat',
  name: 'chatml',
  title: 'ChatML',
  source: 'hiyouga/LLaMA-Factory@ff6d4d12 src/llamafactory/data/template.py, register_template(name="chatml")',
  system: { format: ['<|im_start|>system\n{content}<|im_end|>\n'] },
  user: ['<|im_start|>user\n{content}<|im_end|>\n<|im_start|>assistant\n'],
  assistant: ['{content}<|im_end|>\n'],
  stop: ['<|im_end|>', '<|im_start|>'],
};
