/**
 * The one generic renderer for {@link ChatTemplate} data.
 * @module
 */
import type { Conversation, Message } from '../records/conversation.js';
import { toRounds } from '../records/rounds.js';
import { END_OF_TEXT, SegmentBuilder, type Segment } from './segments.js';
import { TemplateError, type ChatTemplate, type RenderOptions, type TemplatePart } from './template-types.js';

type Values = Readonly<Record<string, string>>;

/** Renders a conversation with a chat template into segments. */
export function renderChat(conversation: Conversation, options: RenderOptions & { template: ChatTemplate }): Segment[] {
  const { template } = options;
  const { system, rounds } = toRounds(conversation);
  if (template.singleTurn && rounds.length > 1) {
    throw new TemplateError(`template "${template.name}" is single-turn in its source; this conversation has ${rounds.length} rounds`, { fix: 'Pass one user/assistant round, or pick a multi-turn template (e.g. chatml).' });
  }
  const out = new SegmentBuilder();
  const put = (parts: readonly TemplatePart[] | undefined, values: Values, trainable: boolean) =>
    appendParts(out, parts ?? [], values, trainable, options);

  put(template.prefix, {}, false);
  const systemText = chooseSystem(template, system, rounds[0]!.user);
  let firstUserPrefix = '';
  if (systemText !== undefined) {
    const slot = template.system!;
    if (slot.placement === 'first-user') firstUserPrefix = partsToText(slot.format, { content: systemText }, template);
    else put(slot.format, { content: systemText }, false);
  }
  rounds.forEach((round, i) => {
    if (i > 0) put(template.separator, {}, false);
    let content = firstUserPrefix + userContent(round.user, template);
    firstUserPrefix = '';
    if (template.stripContent) content = content.trim();
    const user = rounds.length === 1 && template.userAlone ? template.userAlone : template.user;
    put(user, { content, round: String(i + (template.roundBase ?? 0)) }, false);
    if (!round.assistant) return;
    const trainable = round.assistant.weight !== 0;
    const answer = template.stripContent ? round.assistant.content.trim() : round.assistant.content;
    put(template.assistant, { content: answer }, trainable);
    if (template.finalEos && i === rounds.length - 1) put([{ special: 'eos' }], {}, trainable);
  });
  return out.segments;
}

/** Whether the template ever emits an EOS marker. */
export function usesEos(template: ChatTemplate): boolean {
  const isEos = (p: TemplatePart) => typeof p === 'object' && 'special' in p && p.special === 'eos';
  return template.finalEos === true || template.assistant.some(isEos);
}

/** The system text to render, or undefined for none. */
function chooseSystem(template: ChatTemplate, system: string | undefined, firstUser: Message): string | undefined {
  const slot = template.system;
  if (!slot) {
    if (system) throw new TemplateError(`template "${template.name}" has no system prompt in its source;`, { fix: 'drop the system prompt or pick another template' });
    return undefined;
  }
  const hasInput = firstUser.input !== undefined && firstUser.input !== '';
  const fallback = hasInput ? slot.defaultWithInput ?? slot.default : slot.default;
  const text = system === '' && slot.emptyUsesDefault ? fallback : system ?? fallback;
  if (text === undefined || (text === '' && !slot.renderEmpty)) return undefined;
  return text;
}

function userContent(user: Message, template: ChatTemplate): string {
  if (user.input === undefined || user.input === '') return user.content;
  return fill(template.inputFormat ?? '{content}\n{input}', { content: user.content, input: user.input });
}

function appendParts(out: SegmentBuilder, parts: readonly TemplatePart[], values: Values, trainable: boolean, options: RenderOptions): void {
  for (const part of parts) {
    if (typeof part === 'string') out.text(fill(part, values), trainable);
    else if ('token' in part) out.special(part.token, trainable);
    else out.special(part.special === 'eos' ? options.eos ?? END_OF_TEXT : options.bos ?? END_OF_TEXT, trainable);
  }
}

function partsToText(parts: readonly TemplatePart[], values: Values, template: ChatTemplate): string {
  return parts
    .map((part) => {
      if (typeof part !== 'string') throw new TemplateError(`template "${template.name}": a system slot placed in the first user message must be text`, { fix: 'Pass the system prompt as a string.' });
      return fill(part, values);
    })
    .join('');
}

/** Substitutes `{name}` placeholders in one pass, so values are never re-scanned. */
function fill(format: string, values: Values): string {
  return format.replace(/\{(content|round|input)\}/g, (whole, name: string) => values[name] ?? whole);
}
