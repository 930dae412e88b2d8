/** Anthropic's legacy Text Completions format. @module */
import type { ChatTemplate } from './template-types.js';

/**
 * Claude legacy: alternating `\n\nHuman:` / `\n\nAssistant:` turns, the
 * prompt ending with `\n\nAssistant:`. Strings follow FastChat's `claude`
 * (ADD_COLON_SINGLE, sep `\n\n`, empty system): every message is followed by
 * the separator, so an answer trains ` {answer}\n\n`, the start of the next
 * `\n\nHuman:`, which is also the stop sequence.
 */
export const claudeTemplate: ChatTemplate = {
  kind: 'chat',
  name: 'claude',
  title: 'Claude (legacy Human/Assistant)',
  source:
    'lm-sys/FastChat@0e6d3e4b fastchat/conversation.py register_conv_template(name="claude"); Anthropic prompt validation (docs.anthropic.com/claude/reference/prompt-validation)',
  system: { format: ['{content}\n\n'], default: '', renderEmpty: true },
  user: ['Human: {content}\n\nAssistant:'],
  assistant: [' {content}\n\n'],
  stop: ['\n\nHuman:'],
};
