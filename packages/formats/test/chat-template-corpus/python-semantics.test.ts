/**
 * Each behaviour the issue lists where `@huggingface/jinja` differed from
 * Python's jinja2, checked against Python's own output (goldens.json
 * `snippets`, written by generate_goldens.py). They hold because of
 * patches/@huggingface__jinja@0.5.11.patch.
 */
import { describe, expect, it } from 'vitest';
import { applyChatTemplate } from '../../src/templates/chat-template-render.js';
import { TemplateError } from '../../src/templates/template-errors.js';
import { GOLDENS } from './corpus-data.js';

const render = (source: string, text: string): string => applyChatTemplate(source, { messages: [], variables: { text } });

describe('the Jinja engine follows Python jinja2', () => {
  for (const [name, snippet] of Object.entries(GOLDENS.snippets)) {
    it(name, () => {
      if (snippet.text !== undefined) expect(render(snippet.source, snippet.text_variable)).toBe(snippet.text);
      else expect(() => render(snippet.source, snippet.text_variable)).toThrow(TemplateError);
    });
  }

  it('covers every behaviour the issue names', () => {
    expect(Object.keys(GOLDENS.snippets)).toEqual(
      expect.arrayContaining(['strip-with-chars', 'python-whitespace-set', 'empty-string-is-not-false', 'length-in-code-points', 'title', 'print-like-python', 'repeat-sequences', 'list-of-a-string']),
    );
    // The values the issue quotes, straight from Python's output.
    expect(GOLDENS.snippets['length-in-code-points']!.text).toBe('4 👋');
    expect(GOLDENS.snippets['repeat-sequences']!.text).toBe('--- abab [0, 0]');
  });
});
