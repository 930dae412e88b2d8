/**
 * Preference pairs: finding the shared prompt, and turning a pair into the
 * conversations a trainer renders.
 * @module
 */
import type { Conversation, Message } from '../records/conversation.js';
import type { PreferenceRecord } from '../records/record-types.js';
import { render } from '../templates/render.js';
import type { Segment } from '../templates/segments.js';
import type { RenderOptions, Template } from '../templates/template-types.js';
import { converted, failed, type Conversion } from './conversion.js';
import { alpacaToConversation } from './from-records.js';

/** A preference pair with its prompt made explicit. */
export interface PreferencePair {
  /** The shared prompt; ends with a user message. */
  prompt: Conversation;
  /** The preferred continuation. */
  chosen: Message[];
  /** The dispreferred continuation. */
  rejected: Message[];
}

/**
 * Makes a pair's prompt explicit: from `instruction`/`input`, from `prompt`,
 * or, when there is none, as the longest common run of leading messages of
 * `chosen` and `rejected` that ends with a user message.
 */
export function preferenceToPair(record: PreferenceRecord): Conversion<PreferencePair> {
  const system = typeof record.system === 'string' ? { system: record.system } : {};
  if (typeof record.instruction === 'string' || record.prompt !== undefined) {
    const prompt: Conversation =
      typeof record.instruction === 'string'
        ? alpacaToConversation({ instruction: record.instruction, input: record.input, ...system })
        : { ...system, messages: typeof record.prompt === 'string' ? [{ role: 'user', content: record.prompt }] : [...record.prompt!] };
    return converted({ prompt, chosen: answer(record.chosen), rejected: answer(record.rejected) });
  }
  if (typeof record.chosen === 'string' || typeof record.rejected === 'string') {
    return failed('no shared prompt, and "chosen"/"rejected" are not message lists', { field: 'prompt' });
  }
  const [chosen, rejected] = [record.chosen, record.rejected];
  let shared = 0;
  while (shared < chosen.length && shared < rejected.length && sameMessage(chosen[shared]!, rejected[shared]!)) shared++;
  while (shared > 0 && chosen[shared - 1]!.role !== 'user') shared--;
  if (shared === 0) return failed('"chosen" and "rejected" share no leading user message', { field: 'chosen' });
  return converted({ prompt: { ...system, messages: chosen.slice(0, shared) }, chosen: chosen.slice(shared), rejected: rejected.slice(shared) });
}

/** One side of a pair as a whole conversation (for supervised training on `chosen`, say). */
export function preferenceToConversation(record: PreferenceRecord, options: { side?: 'chosen' | 'rejected' } = {}): Conversion<Conversation> {
  const side = options.side ?? 'chosen';
  const pair = preferenceToPair(record);
  if (!pair.ok) return pair;
  const { prompt } = pair.value;
  return converted({ ...prompt, messages: [...prompt.messages, ...pair.value[side]] }, { dropped: [side === 'chosen' ? 'rejected' : 'chosen'] });
}

/** Both sides of a pair, rendered. */
export interface RenderedPreference {
  /** Prompt and preferred continuation. */
  chosen: Segment[];
  /** Prompt and dispreferred continuation. */
  rejected: Segment[];
}

/** Renders both sides of a pair with one template (for DPO-style training). */
export function renderPreference(pair: PreferencePair, options: RenderOptions & { template: Template }): RenderedPreference {
  const side = (messages: Message[]) => render({ ...pair.prompt, messages: [...pair.prompt.messages, ...messages] }, options);
  return { chosen: side(pair.chosen), rejected: side(pair.rejected) };
}

function answer(value: string | Message[]): Message[] {
  return typeof value === 'string' ? [{ role: 'assistant', content: value }] : value;
}

function sameMessage(a: Message, b: Message): boolean {
  return a.role === b.role && a.content === b.content;
}
