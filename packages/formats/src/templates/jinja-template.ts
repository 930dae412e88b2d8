/**
 * Hugging Face chat templates (Jinja), rendered with `@huggingface/jinja`
 * and cut into prompt and answer segments.
 *
 * A Jinja template is a program, not data we can read parts from, so the
 * answer spans are found by rendering prefixes: the text of messages
 * `[0, k)` with the generation prompt ends where answer `k` starts, and the
 * text of messages `[0, k]` ends where it stops. Each must be a prefix of
 * the full rendering; a template for which that fails is reported rather
 * than guessed.
 * @module
 */
import { Template as JinjaTemplate } from '@huggingface/jinja';
import type { Conversation } from '../records/conversation.js';
import { isObject } from '../records/field-issue.js';
import { toRounds } from '../records/rounds.js';
import { SegmentBuilder, type Segment } from './segments.js';
import { TemplateError, type JinjaChatTemplate } from './template-types.js';

/** Options of {@link fromChatTemplate}. */
export interface ChatTemplateOptions {
  /** The Jinja source. */
  template: string;
  /** The `bos_token` text. */
  bosToken?: string;
  /** The `eos_token` text. */
  eosToken?: string;
  /** A name for messages. Default `chat_template`. */
  name?: string;
  /** Where it comes from. */
  source?: string;
  /** Extra stop strings (the EOS token is added). */
  stop?: readonly string[];
}

/** Wraps a Jinja chat template source as a template `render` accepts. */
export function fromChatTemplate(options: ChatTemplateOptions): JinjaChatTemplate {
  compile(options.template); // fail now, with the parser's message, rather than at the first render
  const stop = [...(options.stop ?? [])];
  if (options.eosToken && !stop.includes(options.eosToken)) stop.push(options.eosToken);
  const template: JinjaChatTemplate = {
    kind: 'jinja',
    name: options.name ?? 'chat_template',
    title: `Hugging Face chat template (${options.name ?? 'chat_template'})`,
    source: options.source ?? 'tokenizer_config.json chat_template',
    template: options.template,
    bosToken: options.bosToken,
    eosToken: options.eosToken,
    stop,
    renderSegments: (conversation) => renderJinja(conversation, template),
  };
  return template;
}

/**
 * Reads the `chat_template`, `bos_token` and `eos_token` of a Hugging Face
 * `tokenizer_config.json` (parsed, or its text). When `chat_template` is a
 * list of named templates, `templateName` picks one (default `default`).
 */
export function fromTokenizerConfig(config: unknown, options: { name?: string; templateName?: string } = {}): JinjaChatTemplate {
  const parsed: unknown = typeof config === 'string' ? JSON.parse(config) : config;
  if (!isObject(parsed)) throw new TemplateError('tokenizer_config.json must be a JSON object');
  const wanted = options.templateName ?? 'default';
  let template = parsed.chat_template;
  if (Array.isArray(template)) {
    const entry = template.find((t) => isObject(t) && t.name === wanted);
    const names = template.map((t) => (isObject(t) ? String(t.name) : '?')).join(', ');
    if (!entry) throw new TemplateError(`tokenizer_config.json has no chat template named "${wanted}" (has: ${names})`);
    template = (entry as Record<string, unknown>).template;
  }
  if (typeof template !== 'string') throw new TemplateError('tokenizer_config.json has no "chat_template" string');
  return fromChatTemplate({
    template,
    bosToken: tokenText(parsed.bos_token),
    eosToken: tokenText(parsed.eos_token),
    name: options.name ?? (options.templateName ? `chat_template:${wanted}` : 'chat_template'),
  });
}

/** Renders a conversation with a Jinja template into segments. */
export function renderJinja(conversation: Conversation, template: JinjaChatTemplate): Segment[] {
  const { system, rounds } = toRounds(conversation);
  const messages: Record<string, unknown>[] = [];
  if (system) messages.push({ role: 'system', content: system });
  const weights: (0 | 1 | undefined)[] = [];
  for (const round of rounds) {
    for (const m of round.assistant ? [round.user, round.assistant] : [round.user]) {
      const content = m.input ? `${m.content}\n${m.input}` : m.content;
      messages.push(m.name === undefined ? { role: m.role, content } : { role: m.role, content, name: m.name });
      weights.push(m.weight);
    }
  }
  const offset = system ? 1 : 0;
  const endsWithUser = !rounds[rounds.length - 1]!.assistant;
  const full = renderText(template, messages, endsWithUser);
  const out = new SegmentBuilder();
  let position = 0;
  messages.forEach((message, k) => {
    if (message.role !== 'assistant') return;
    const before = renderText(template, messages.slice(0, k), true);
    const through = renderText(template, messages.slice(0, k + 1), false);
    if (!through.startsWith(before) || !full.startsWith(through) || before.length < position) {
      throw new TemplateError(`template "${template.name}" does not render message ${k} as a continuation of the earlier ones, so its answer cannot be located`);
    }
    pushSplit(out, full.slice(position, before.length), false, template);
    pushSplit(out, full.slice(before.length, through.length), weights[k - offset] !== 0, template);
    position = through.length;
  });
  pushSplit(out, full.slice(position), false, template);
  return out.segments;
}

const compiled = new Map<string, JinjaTemplate>();

function compile(source: string): JinjaTemplate {
  let template = compiled.get(source);
  if (!template) {
    try {
      template = new JinjaTemplate(source);
    } catch (e) {
      throw new TemplateError(`cannot parse the chat template: ${e instanceof Error ? e.message : String(e)}`);
    }
    compiled.set(source, template);
  }
  return template;
}

function renderText(template: JinjaChatTemplate, messages: Record<string, unknown>[], addGenerationPrompt: boolean): string {
  try {
    return compile(template.template).render({
      messages,
      add_generation_prompt: addGenerationPrompt,
      bos_token: template.bosToken ?? '',
      eos_token: template.eosToken ?? '',
    });
  } catch (e) {
    throw new TemplateError(`template "${template.name}" failed: ${e instanceof Error ? e.message : String(e)}`);
  }
}

/** Appends text, giving BOS/EOS occurrences their own special segments. */
function pushSplit(out: SegmentBuilder, text: string, trainable: boolean, template: JinjaChatTemplate): void {
  const specials = [template.bosToken, template.eosToken].filter((t): t is string => !!t);
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
function tokenText(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (isObject(value) && typeof value.content === 'string') return value.content;
  return undefined;
}
