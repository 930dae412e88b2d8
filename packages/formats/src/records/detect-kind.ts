/** Guessing a record's kind from its keys. @module */
import { isObject } from './field-issue.js';
import type { RecordKind } from './record-types.js';

/**
 * Guesses the kind of a parsed record from its keys, or `undefined`.
 * Preference pairs win over Alpaca (the preference file has both key sets).
 */
export function detectKind(value: unknown): RecordKind | undefined {
  if (!isObject(value)) return undefined;
  if ('chosen' in value && 'rejected' in value) return 'preference';
  if ('instruction' in value) return 'alpaca';
  if ('conversations' in value) return 'sharegpt';
  if ('messages' in value) return 'openai';
  if ('text' in value && 'label' in value) return 'classification';
  return undefined;
}
