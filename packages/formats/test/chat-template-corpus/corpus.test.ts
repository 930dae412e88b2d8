import { describe, expect, it } from 'vitest';
import { applyChatTemplate } from '../../src/templates/chat-template-render.js';
import { ChatTemplateRaisedError, TemplateError } from '../../src/templates/template-errors.js';
import { GOLDENS, SOURCES, goldenOptions, templateSource } from './corpus-data.js';

/** Python exception classes that mean "the template failed" rather than "it raised on purpose". */
const isPythonFailure = (error: string): boolean => /^[A-Z][A-Za-z]*(Error|Exception)$/.test(error);

describe('chat template corpus: byte-identical to Python jinja2 as transformers runs it', () => {
  it('holds at least 50 real templates, each with its source and licence note', () => {
    expect(SOURCES.length).toBeGreaterThanOrEqual(50);
    for (const source of SOURCES) {
      expect(source.carrier.commit).toMatch(/^[0-9a-f]{40}$/);
      expect(source.licence.length).toBeGreaterThan(0);
      expect(Object.keys(GOLDENS.goldens[source.id] ?? {}).length).toBeGreaterThan(0);
    }
  });

  for (const source of SOURCES) {
    it(source.id, () => {
      const template = templateSource(source.id);
      const mismatches: string[] = [];
      for (const [caseId, golden] of Object.entries(GOLDENS.goldens[source.id]!)) {
        let text: string | undefined;
        let thrown: unknown;
        try {
          text = applyChatTemplate(template, goldenOptions(source, golden));
        } catch (e) {
          thrown = e;
        }
        if (golden.text !== undefined) {
          if (text !== golden.text) mismatches.push(`${caseId}: ${thrown ? `threw ${String(thrown)}` : `got ${JSON.stringify(text)}\n  want ${JSON.stringify(golden.text)}`}`);
        } else if (isPythonFailure(golden.error!)) {
          if (!(thrown instanceof TemplateError)) mismatches.push(`${caseId}: Python failed (${golden.detail}) but JavaScript ${thrown ? `threw ${String(thrown)}` : 'rendered'}`);
        } else if (!(thrown instanceof ChatTemplateRaisedError) || thrown.templateMessage !== golden.error) {
          mismatches.push(`${caseId}: Python raised ${JSON.stringify(golden.error)}, JavaScript ${thrown ? `threw ${String(thrown)}` : `rendered ${JSON.stringify(text)}`}`);
        }
      }
      expect(mismatches).toEqual([]);
    });
  }
});
