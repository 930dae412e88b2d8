/**
 * Where the assistant answers are in a chat template's output, found
 * without rendering prefixes of the conversation (which fails for templates
 * that render earlier turns differently once more follow, e.g. Qwen3 drops
 * earlier reasoning, Phi-3 ends the text with EOS).
 *
 * 1. A template with `{% generation %}` blocks says where: its spans are used
 *    as they are, exactly as transformers' `return_assistant_tokens_mask`.
 * 2. Otherwise the conversation is rendered twice: as it is, and with each
 *    answer replaced by a unique sentinel. The sentinel rendering is the
 *    skeleton of the real one; aligning the two gives, for each answer, the
 *    text the template printed in its place (possibly trimmed or rewritten,
 *    e.g. with its reasoning removed). The span then takes in the spaces
 *    just before it (they belong to the answer's first word in BPE) and an
 *    end-of-turn marker right after it (with the newline that follows it),
 *    so the model learns to stop.
 *
 * 3. When the skeleton does change with the answer (Qwen3 prints an answer's
 *    reasoning in a fixed place outside the answer), each answer is replaced
 *    alone, one whole-conversation render per answer, and the answer's span
 *    is what differs between that render and the real one.
 *
 * Templates that print an answer twice, fail on a placeholder answer, or
 * change text outside the answer's turn cannot be masked:
 * {@link AnswerMaskingError} says which and why.
 * @module
 */
import { applyChatTemplate, renderRaw, type ApplyChatTemplateOptions, type ChatTemplateMessage } from './chat-template-render.js';
import { hasGenerationBlocks, markGenerationBlocks, takeGenerationSpans, type TextSpan } from './generation-blocks.js';
import { AnswerMaskingError, TemplateError } from './template-errors.js';

/** An answer's place in the rendered text. */
export interface AnswerSpan extends TextSpan {
  /** Index of the assistant message in `messages`, or -1 when a generation block cannot be tied to one. */
  message: number;
}

/** The rendered text and where its answers are. */
export interface LocatedAnswers {
  /** The text, identical to {@link applyChatTemplate}'s. */
  text: string;
  /** The answers, in text order. Assistant messages the template does not print have no span. */
  answers: AnswerSpan[];
  /** How they were found. */
  method: 'generation-blocks' | 'sentinels' | 'sentinel-per-answer';
}

/** End-of-turn markers often printed right after an answer, besides the template's EOS and stop strings. */
export const END_OF_TURN_MARKERS: readonly string[] = [
  '<|im_end|>', '<|eot_id|>', '<|eom_id|>', '<|end|>', '<end_of_turn>', '<|endoftext|>', '</s>', '<|END_OF_TURN_TOKEN|>',
  '<|end_of_text|>', '<｜end▁of▁sentence｜>', '<|end_of_turn|>', '<|return|>', '[EOS]', '<eos>',
];

const SENTINEL_OPEN = '\uE000';
const SENTINEL_CLOSE = '\uE001';
const PRIVATE_MARKERS = /[\uE000\uE001\uE010\uE011]/;

/** Options of {@link locateAnswers}: the rendering, plus markers that may close an answer. */
export interface LocateAnswersOptions extends ApplyChatTemplateOptions {
  /** Strings that end an answer (stop strings). The EOS token and {@link END_OF_TURN_MARKERS} are always included. */
  endMarkers?: readonly string[];
}

/**
 * Renders like {@link applyChatTemplate} and says where each assistant
 * answer is. Throws {@link AnswerMaskingError} when the template makes that
 * impossible.
 */
export function locateAnswers(source: string, options: LocateAnswersOptions): LocatedAnswers {
  const name = options.name ?? 'chat_template';
  if (options.continueFinalMessage) throw new TemplateError('locateAnswers renders whole conversations; continueFinalMessage is for prompts', { code: 'chat_template_options', fix: 'Leave continueFinalMessage out here; use it with renderPrompt/applyChatTemplate for generation prompts.' });
  for (const message of options.messages) {
    if (typeof message.content === 'string' && PRIVATE_MARKERS.test(message.content)) {
      throw new AnswerMaskingError(name, 'a message contains one of the private-use characters U+E000, U+E001, U+E010, U+E011 used to find answers');
    }
  }
  return hasGenerationBlocks(source) ? fromGenerationBlocks(source, options, name) : fromSentinels(source, options, name);
}

function fromGenerationBlocks(source: string, options: LocateAnswersOptions, name: string): LocatedAnswers {
  const { text, spans } = takeGenerationSpans(renderRaw(markGenerationBlocks(source), options, name), name);
  const assistants = options.messages.flatMap((m, i) => (m.role === 'assistant' ? [i] : []));
  // Blocks are tied to assistant messages in order when there is one per message (the usual layout).
  const tied = spans.length === assistants.length;
  return { text, method: 'generation-blocks', answers: spans.map((span, k) => ({ ...span, message: tied ? assistants[k]! : -1 })) };
}

function fromSentinels(source: string, options: LocateAnswersOptions, name: string): LocatedAnswers {
  const text = applyChatTemplate(source, options);
  const located = options.messages.flatMap((m, i) => (m.role === 'assistant' && typeof m.content === 'string' && m.content !== '' ? [i] : []));
  const sentinel = (k: number) => `${SENTINEL_OPEN}${k}${SENTINEL_CLOSE}`;
  const marked: ChatTemplateMessage[] = options.messages.map((m, i) => (located.includes(i) ? { ...m, content: sentinel(i) } : m));
  let skeleton: string;
  try {
    skeleton = applyChatTemplate(source, { ...options, messages: marked });
  } catch (e) {
    throw new AnswerMaskingError(name, `the template fails when an answer is replaced by a placeholder (${e instanceof Error ? e.message : String(e)}), so it depends on the answer text`);
  }
  const pieces = skeleton.split(new RegExp(`${SENTINEL_OPEN}(\\d+)${SENTINEL_CLOSE}`));
  const literals = pieces.filter((_, i) => i % 2 === 0);
  const order = pieces.filter((_, i) => i % 2 === 1).map(Number);
  if (new Set(order).size !== order.length) {
    const twice = order.find((k, i) => order.indexOf(k) !== i)!;
    throw new AnswerMaskingError(name, `it prints answer ${twice} more than once`);
  }
  const ends = [...(options.endMarkers ?? []), ...(options.specialTokens?.eos_token ? [options.specialTokens.eos_token] : []), ...END_OF_TURN_MARKERS];
  const gaps = align(text, literals, order.map((k) => options.messages[k]!.content as string));
  if (gaps !== undefined) return { text, method: 'sentinels', answers: gaps.map((gap, i) => ({ ...widen(text, gap, ends), message: order[i]! })) };
  const answers = order.map((k) => ({ ...widen(text, differingSpan(source, options, name, text, k), ends), message: k }));
  for (let i = 1; i < answers.length; i++) {
    if (answers[i]!.start < answers[i - 1]!.end) {
      throw new AnswerMaskingError(name, `changing answer ${answers[i]!.message} changes text before answer ${answers[i - 1]!.message}, so its output around the answers depends on their text`);
    }
  }
  return { text, method: 'sentinel-per-answer', answers };
}

/** The part of the real text that changes when answer k alone is replaced by a sentinel. */
function differingSpan(source: string, options: LocateAnswersOptions, name: string, text: string, k: number): TextSpan {
  const messages = options.messages.map((m, i) => (i === k ? { ...m, content: `${SENTINEL_OPEN}${k}${SENTINEL_CLOSE}` } : m));
  const changed = applyChatTemplate(source, { ...options, messages });
  let prefix = 0;
  while (prefix < text.length && prefix < changed.length && text[prefix] === changed[prefix]) prefix++;
  let suffix = 0;
  while (suffix < text.length - prefix && suffix < changed.length - prefix && text[text.length - 1 - suffix] === changed[changed.length - 1 - suffix]) suffix++;
  const span = { start: prefix, end: text.length - suffix };
  // Only this answer's own text may differ: no other message may fall inside the change.
  for (const [i, other] of options.messages.entries()) {
    const content = typeof other.content === 'string' ? other.content.trim() : '';
    if (i !== k && content !== '' && text.slice(span.start, span.end).includes(content)) {
      throw new AnswerMaskingError(name, `changing answer ${k} changes the text of message ${i} too`);
    }
  }
  return span;
}

/** Takes in spaces before the answer and an end-of-turn marker (after optional spaces) right after it. */
function widen(text: string, span: TextSpan, ends: readonly string[]): TextSpan {
  let { start, end } = span;
  while (start > 0 && text[start - 1] === ' ') start--;
  let after = end;
  while (after < text.length && text[after] === ' ') after++;
  const marker = ends.filter((m) => m !== '' && text.startsWith(m, after)).sort((a, b) => b.length - a.length)[0];
  if (marker) {
    end = after + marker.length;
    // The newline that closes the turn goes with it, as in LLaMA-Factory's built-in answer formats.
    if (text[end] === '\n') end++;
  }
  return { start, end };
}

/**
 * Finds gaps g1…gn such that text = L0 g1 L1 … gn Ln. Several alignments can
 * exist when a literal also occurs inside an answer; the one whose gaps hold
 * the answers' (trimmed) texts wins, and a tie is refused rather than guessed.
 */
function align(text: string, literals: readonly string[], answers: readonly string[]): TextSpan[] | undefined {
  const n = literals.length - 1;
  if (n === 0) return text === literals[0] ? [] : undefined;
  if (!text.startsWith(literals[0]!) || !text.endsWith(literals[n]!) || text.length < literals[0]!.length + literals[n]!.length) return undefined;
  const found: TextSpan[][] = [];
  let budget = 100_000; // alignments tried; real templates need a handful
  const search = (gap: number, from: number, acc: TextSpan[]): void => {
    if (found.length > 16 || --budget < 0) return;
    const literal = literals[gap]!;
    if (gap === n) {
      const at = text.length - literal.length;
      if (at >= from) found.push([...acc, { start: from, end: at }]);
      return;
    }
    for (let at = text.indexOf(literal, from); at !== -1; at = text.indexOf(literal, at + 1)) {
      search(gap + 1, at + literal.length, [...acc, { start: from, end: at }]);
      if (literal === '') break;
    }
  };
  search(1, literals[0]!.length, []);
  if (found.length <= 1) return found[0];
  const score = (gaps: TextSpan[]) => gaps.filter((g, i) => text.slice(g.start, g.end).includes(answers[i]!.trim())).length;
  const best = Math.max(...found.map(score));
  const winners = found.filter((g) => score(g) === best);
  return winners.length === 1 ? winners[0] : undefined;
}
