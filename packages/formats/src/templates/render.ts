/**
 * Rendering any template: training segments, generation prompts, stop strings.
 * @module
 */
import type { Conversation } from '../records/conversation.js';
import { toRounds } from '../records/rounds.js';
import { renderChat, usesEos } from './render-chat.js';
import { END_OF_TEXT, segmentsToText, type Segment } from './segments.js';
import { TemplateError, type RenderOptions, type Template } from './template-types.js';

/**
 * Renders a conversation into segments whose concatenation is the exact
 * training text. Assistant answers (and the EOS after them) are trainable,
 * everything else is not; an answer with `weight: 0` is not trainable.
 */
export function render(conversation: Conversation, options: RenderOptions & { template: Template }): Segment[] {
  const { template } = options;
  // Jinja templates carry their renderer, so the Jinja engine stays out of bundles that do not use it.
  return template.kind === 'jinja' ? template.renderSegments(conversation, options) : renderChat(conversation, { ...options, template });
}

/**
 * The prompt to generate from: the conversation (which must end with a user
 * message) rendered up to and including the assistant cue.
 */
export function renderPrompt(conversation: Conversation, options: RenderOptions & { template: Template }): string {
  const { rounds } = toRounds(conversation);
  if (rounds[rounds.length - 1]!.assistant) {
    throw new TemplateError('renderPrompt needs a conversation that ends with a user message', { fix: 'End the conversation with the user message to answer (drop the final assistant message).' });
  }
  return segmentsToText(render(conversation, options));
}

/** The strings that end generation with this template: its stop words, plus the EOS marker when it emits one. */
export function stopStrings(template: Template, options: RenderOptions = {}): string[] {
  const stops = [...template.stop];
  if (template.kind === 'chat' && usesEos(template)) {
    const eos = options.eos ?? END_OF_TEXT;
    if (!stops.includes(eos)) stops.push(eos);
  }
  return stops;
}
