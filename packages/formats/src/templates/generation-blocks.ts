/**
 * transformers' `{% generation %}…{% endgeneration %}` blocks, which mark
 * the assistant text `return_assistant_tokens_mask` trains on. The engine
 * drops the tags, so before compiling we turn each into an `if true` block
 * that prints a marker character; after rendering, the markers give the
 * spans and are removed. The `if` keeps the tag's whitespace control and
 * trim_blocks/lstrip_blocks behaviour.
 * @module
 */
import { TemplateError } from './template-errors.js';

/** Printed where a generation block opens (a private-use character). */
export const GENERATION_OPEN = '\uE010';
/** Printed where a generation block closes. */
export const GENERATION_CLOSE = '\uE011';

const OPEN_TAG = /\{%(-|\+?)\s*generation\s*(-|\+?)%\}/g;
const CLOSE_TAG = /\{%(-|\+?)\s*endgeneration\s*(-|\+?)%\}/g;

/** Whether a template marks its answers with `{% generation %}` blocks. */
export function hasGenerationBlocks(source: string): boolean {
  return new RegExp(OPEN_TAG.source).test(source);
}

/**
 * The template with each generation block turned into `{% if true %}…{% endif %}`,
 * for plain rendering. The engine's own handling deletes the tags before
 * parsing, so a `{{-` after `{% generation %}` then strips the whitespace
 * before the tag too; an `if` keeps jinja2's whitespace behaviour.
 */
export function plainGenerationBlocks(source: string): string {
  return source.replace(OPEN_TAG, (_, left: string, right: string) => `{%${left} if true ${right}%}`).replace(CLOSE_TAG, (_, left: string, right: string) => `{%${left} endif ${right}%}`);
}

/** The template with each generation tag replaced by a block that prints its marker. */
export function markGenerationBlocks(source: string): string {
  const marker = (char: string) => (_: string, left: string, right: string) => `{%${left} if true %}{{ '${char}' }}{% endif ${right}%}`;
  return source.replace(OPEN_TAG, marker(GENERATION_OPEN)).replace(CLOSE_TAG, marker(GENERATION_CLOSE));
}

/** A span of rendered text, in UTF-16 offsets of the text without markers. */
export interface TextSpan {
  /** First character. */
  start: number;
  /** One past the last character. */
  end: number;
}

/** Removes the markers; returns the clean text and the spans they enclosed, in order. */
export function takeGenerationSpans(marked: string, templateName: string): { text: string; spans: TextSpan[] } {
  let text = '';
  const spans: TextSpan[] = [];
  let open: number | undefined;
  for (const char of marked) {
    if (char === GENERATION_OPEN) {
      if (open !== undefined) throw new TemplateError(`template "${templateName}" nests {% generation %} blocks`, { code: 'chat_template_generation', fix: 'Close each {% generation %} block with {% endgeneration %} before opening the next.' });
      open = text.length;
    } else if (char === GENERATION_CLOSE) {
      if (open === undefined) throw new TemplateError(`template "${templateName}" closes a {% generation %} block it did not open`, { code: 'chat_template_generation', fix: 'Remove the stray {% endgeneration %}, or add the {% generation %} it closes.' });
      spans.push({ start: open, end: text.length });
      open = undefined;
    } else {
      text += char;
    }
  }
  return { text, spans };
}
