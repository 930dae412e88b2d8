/** Shape check for ShareGPT records. @module */
import { checkString, describeType, isObject, type FieldIssue } from './field-issue.js';

/** The `from` tags we map to roles (LLaMA-Factory's, plus the role names some exports use). */
export const SHAREGPT_ROLES: Readonly<Record<string, 'system' | 'user' | 'assistant'>> = {
  system: 'system',
  human: 'user',
  user: 'user',
  gpt: 'assistant',
  assistant: 'assistant',
};

/**
 * Checks a ShareGPT record: a non-empty `conversations` list of
 * `{from, value}` turns whose `from` is a known tag, plus an optional
 * `system` string. LLaMA-Factory's tool tags (`observation`,
 * `function_call`) are reported: this package has no tool roles.
 */
export function checkShareGPT(value: unknown): FieldIssue[] {
  if (!isObject(value)) {
    return [{ code: 'data_type', message: `expected an object with "conversations", got ${describeType(value)}` }];
  }
  const issues: FieldIssue[] = [];
  checkString(value, 'system', false, issues);
  const turns = value.conversations;
  if (turns === undefined || turns === null) {
    issues.push({ field: 'conversations', code: 'missing_field', message: 'missing required field "conversations"' });
    return issues;
  }
  if (!Array.isArray(turns)) {
    issues.push({ field: 'conversations', code: 'wrong_type', message: `expected a list of turns, got ${describeType(turns)}` });
    return issues;
  }
  if (turns.length === 0) issues.push({ field: 'conversations', code: 'empty_field', message: '"conversations" is empty' });
  turns.forEach((turn, i) => {
    const path = `conversations[${i}]`;
    if (!isObject(turn)) {
      issues.push({ field: path, code: 'data_type', message: `expected a {from, value} turn, got ${describeType(turn)}` });
      return;
    }
    checkString(turn, 'from', true, issues, `${path}.from`);
    checkString(turn, 'value', true, issues, `${path}.value`);
    if (typeof turn.from === 'string' && turn.from.trim() !== '' && !(turn.from in SHAREGPT_ROLES)) {
      issues.push({
        field: `${path}.from`,
        code: 'unknown_value',
        message: `unsupported "from" tag "${turn.from}" (known: ${Object.keys(SHAREGPT_ROLES).join(', ')})`,
      });
    }
  });
  return issues;
}
