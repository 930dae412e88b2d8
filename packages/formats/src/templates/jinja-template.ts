/**
 * Hugging Face chat templates (Jinja) as templates `render` accepts: the
 * text is exactly transformers' `apply_chat_template`, and the answers are
 * located in one rendering (see chat-template-answers.ts), never by
 * rendering prefixes of the conversation.
 * @module
 */
import type { Conversation } from '../records/conversation.js';
import { isObject } from '../records/field-issue.js';
import { toRounds } from '../records/rounds.js';
import { locateAnswers } from './chat-template-answers.js';
import { compileChatTemplate, type ChatTemplateMessage, type SpecialTokens } from './chat-template-render.js';
import { SegmentBuilder, type Segment } from './segments.js';
import { AnswerMaskingError } from './template-errors.js';
import type { JinjaChatTemplate, RenderOptions } from './template-types.js';

/** Options of {@link fromChatTemplate}. */
export interface ChatTemplateOptions {
  /** The Jinja source. */
  template: string;
  /** The `bos_token` text (shorthand for `specialTokens.bos_token`). */
  bosToken?: string;
  /** The `eos_token` text (shorthand for `specialTokens.eos_token`). */
  eosToken?: string;
  /** Every special token the template may read (`unk_token`, `pad_token`, `additional_special_tokens`…). */
  specialTokens?: SpecialTokens;
  /** Variables passed on every render, e.g. `{ enable_thinking: false }`. */
  variables?: Readonly<Record<string, unknown>>;
  /** A name for messages. Default `chat_template`. */
  name?: string;
  /** Where it comes from. */
  source?: string;
  /** Extra stop strings (the EOS token is added). */
  stop?: readonly string[];
}

/** Wraps a Jinja chat template source as a template `render` accepts. */
export function fromChatTemplate(options: ChatTemplateOptions): JinjaChatTemplate {
  compileChatTemplate(options.template); // fail now, with the parser's message, rather than at the first render
  const specialTokens: SpecialTokens = {
    ...options.specialTokens,
    ...(options.bosToken !== undefined ? { bos_token: options.bosToken } : {}),
    ...(options.eosToken !== undefined ? { eos_token: options.eosToken } : {}),
  };
  const stop = [...(options.stop ?? [])];
  if (specialTokens.eos_token && !stop.includes(specialTokens.eos_token)) stop.push(specialTokens.eos_token);
  const name = options.name ?? 'chat_template';
  const template: JinjaChatTemplate = {
    kind: 'jinja',
    name,
    title: `Hugging Face chat template (${name})`,
    source: options.source ?? 'tokenizer_config.json chat_template',
    template: options.template,
    bosToken: specialTokens.bos_token,
    eosToken: specialTokens.eos_token,
    specialTokens,
    variables: options.variables,
    stop,
    renderSegments: (conversation, renderOptions) => renderJinja(conversation, { template, ...renderOptions }),
  };
  return template;
}

/** The messages a template sees for a conversation: an empty system prompt stays an (empty) system message. */
export function toChatTemplateMessages(conversation: Conversation): { messages: ChatTemplateMessage[]; weights: (0 | 1 | undefined)[] } {
  const { system, rounds } = toRounds(conversation);
  const messages: ChatTemplateMessage[] = [];
  const weights: (0 | 1 | undefined)[] = [];
  if (system !== undefined) {
    messages.push({ role: 'system', content: system });
    weights.push(undefined);
  }
  for (const round of rounds) {
    for (const m of round.assistant ? [round.user, round.assistant] : [round.user]) {
      const content = m.input ? `${m.content}\n${m.input}` : m.content;
      messages.push(m.name === undefined ? { role: m.role, content } : { role: m.role, content, name: m.name });
      weights.push(m.weight);
    }
  }
  return { messages, weights };
}

/**
 * Renders a conversation with a Jinja template into segments: the text is
 * transformers' output; answers (and the end-of-turn marker after them) are
 * trainable unless their message has `weight: 0`. Throws
 * `AnswerMaskingError` when the template makes answers impossible to locate.
 */
export function renderJinja(conversation: Conversation, options: RenderOptions & { template: JinjaChatTemplate }): Segment[] {
  const { template } = options;
  const { messages, weights } = toChatTemplateMessages(conversation);
  const endsWithUser = messages[messages.length - 1]!.role === 'user';
  const { text, answers } = locateAnswers(template.template, {
    name: template.name,
    messages,
    addGenerationPrompt: options.addGenerationPrompt ?? endsWithUser,
    tools: options.tools,
    documents: options.documents,
    specialTokens: template.specialTokens,
    variables: { ...template.variables, ...options.variables },
    endMarkers: template.stop,
  });
  if (answers.some((a) => a.message === -1) && weights.includes(0)) {
    throw new AnswerMaskingError(template.name, 'its {% generation %} blocks do not match the assistant messages one to one, so weight 0 cannot be honoured');
  }
  const specials = specialTexts(template.specialTokens);
  const out = new SegmentBuilder();
  let position = 0;
  for (const answer of answers) {
    pushSplit(out, text.slice(position, answer.start), false, specials);
    pushSplit(out, text.slice(answer.start, answer.end), answer.message === -1 || weights[answer.message] !== 0, specials);
    position = answer.end;
  }
  pushSplit(out, text.slice(position), false, specials);
  return out.segments;
}

/** The texts of every special token, longest first so `<|im_end|>` wins over a shorter token it contains. */
function specialTexts(tokens: SpecialTokens): string[] {
  const all = [tokens.bos_token, tokens.eos_token, tokens.unk_token, tokens.pad_token, tokens.sep_token, tokens.cls_token, tokens.mask_token, ...(tokens.additional_special_tokens ?? [])];
  return [...new Set(all.filter((t): t is string => typeof t === 'string' && t !== ''))].sort((a, b) => b.length - a.length);
}

/** Appends text, giving special-token occurrences their own segments. */
function pushSplit(out: SegmentBuilder, text: string, trainable: boolean, specials: readonly string[]): void {
  let rest = text;
  while (rest.length > 0) {
    let at = -1;
    let token = '';
    for (const s of specials) {
      const i = rest.indexOf(s);
      if (i !== -1 && (at === -1 || i < at)) [at, token] = [i, s];
    }
    if (at === -1) {
      out.text(rest, trainable);
      return;
    }
    out.text(rest.slice(0, at), trainable);
    out.special(token, trainable);
    rest = rest.slice(at + token.length);
  }
}

/** A token in tokenizer_config.json is a string or an AddedToken object `{content: …}`. */
export function tokenText(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (isObject(value) && typeof value.content === 'string') return value.content;
  return undefined;
}
