/**
 * Answer masking across the corpus: every whole conversation Python renders
 * (no generation prompt) is located in one render, and each answer span must
 * hold that answer's text and no other message's. Templates for which
 * masking is impossible are listed with the reason, and the list is checked.
 */
import { describe, expect, it } from 'vitest';
import { locateAnswers, type LocatedAnswers } from '../../src/templates/chat-template-answers.js';
import { pythonStrip } from '../../src/templates/chat-template-render.js';
import { AnswerMaskingError } from '../../src/templates/template-errors.js';
import { GOLDENS, SOURCES, goldenOptions, templateSource } from './corpus-data.js';

/** UTF-16 offsets of a string to code-point offsets (Python's indices). */
function codePointOffset(text: string, utf16: number): number {
  return Array.from(text.slice(0, utf16)).length;
}

/** What an answer looks like once a template has printed it: trimmed, maybe without its reasoning. */
function printedForms(content: string): string[] {
  const afterThinking = content.includes('</think>') ? content.slice(content.lastIndexOf('</think>') + '</think>'.length) : content;
  return [pythonStrip(content), pythonStrip(afterThinking)].filter((s) => s !== '');
}

/**
 * Templates whose answers cannot be located, with why (checked below). None
 * in this corpus: the per-answer fallback handles Qwen3's reasoning.
 */
const UNMASKABLE: Record<string, RegExp> = {};

describe('answer masking without prefix rendering', () => {
  const unmaskable: Record<string, string> = {};
  let located = 0;
  let maskedConversations = 0;
  const methods: Record<string, number> = {};

  for (const source of SOURCES) {
    it(source.id, () => {
      const template = templateSource(source.id);
      for (const [caseId, golden] of Object.entries(GOLDENS.goldens[source.id]!)) {
        if (golden.add_generation_prompt || golden.continue_final_message || golden.text === undefined) continue;
        const options = goldenOptions(source, golden);
        let result: LocatedAnswers;
        try {
          result = locateAnswers(template, options);
        } catch (e) {
          if (!(e instanceof AnswerMaskingError)) throw e;
          unmaskable[source.id] ??= `${caseId}: ${e.reason}`;
          continue;
        }
        expect(result.text, caseId).toBe(golden.text);
        maskedConversations++;
        methods[result.method] = (methods[result.method] ?? 0) + 1;
        if (golden.generation) {
          const inPython = result.answers.map((a) => [codePointOffset(result.text, a.start), codePointOffset(result.text, a.end)]);
          expect(inPython, caseId).toEqual(golden.generation);
          continue;
        }
        for (const answer of result.answers) {
          const content = options.messages[answer.message]!.content as string;
          const span = result.text.slice(answer.start, answer.end);
          expect(printedForms(content).some((form) => span.includes(form)), `${caseId}: span ${JSON.stringify(span)} lacks answer ${answer.message}`).toBe(true);
          for (const [i, other] of options.messages.entries()) {
            if (i !== answer.message && typeof other.content === 'string' && pythonStrip(other.content).length > 3) {
              expect(span.includes(pythonStrip(other.content)), `${caseId}: span of answer ${answer.message} holds message ${i}`).toBe(false);
            }
          }
          located++;
        }
        // An answer without a span must really be missing from the text (the template dropped it).
        for (const [i, message] of options.messages.entries()) {
          if (message.role !== 'assistant' || typeof message.content !== 'string' || result.answers.some((a) => a.message === i)) continue;
          for (const form of printedForms(message.content).filter((f) => f.length > 3)) expect(result.text.includes(form), `${caseId}: answer ${i} printed but not located`).toBe(false);
        }
      }
    });
  }

  it('masks every corpus template but the listed ones, for the listed reasons', () => {
    expect(Object.keys(unmaskable).sort()).toEqual(Object.keys(UNMASKABLE).sort());
    for (const [id, reason] of Object.entries(unmaskable)) expect(reason).toMatch(UNMASKABLE[id]!);
    console.log(`masked ${maskedConversations} conversations, ${located} answers checked; by method: ${JSON.stringify(methods)}`);
    expect(maskedConversations).toBeGreaterThan(500);
    expect(located).toBeGreaterThan(700);
    expect(methods['generation-blocks']).toBeGreaterThan(0);
    expect(methods['sentinel-per-answer']).toBeGreaterThan(0);
  });
});
