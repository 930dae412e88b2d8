/** Shape check for preference pairs. @module */
import { checkString, describeType, isObject, type FieldIssue } from './field-issue.js';

const ROLES = ['system', 'user', 'assistant'];

/**
 * Checks a preference pair: `chosen` and `rejected` are required, each a
 * non-blank string or a list of `{role, content}` messages; the shared prompt
 * is `instruction` (+ `input`), or `prompt` (string or messages), or absent,
 * in which case both answers must be message lists.
 */
export function checkPreference(value: unknown): FieldIssue[] {
  if (!isObject(value)) {
    return [{ code: 'data_type', message: `expected an object with "chosen" and "rejected", got ${describeType(value)}` }];
  }
  const issues: FieldIssue[] = [];
  checkString(value, 'instruction', false, issues);
  checkString(value, 'input', false, issues);
  checkString(value, 'system', false, issues);
  if (value.prompt !== undefined && value.prompt !== null) checkTextOrMessages(value, 'prompt', issues);
  checkTextOrMessages(value, 'chosen', issues);
  checkTextOrMessages(value, 'rejected', issues);
  const hasPrompt = typeof value.instruction === 'string' || value.prompt !== undefined;
  if (!hasPrompt && (typeof value.chosen === 'string' || typeof value.rejected === 'string')) {
    issues.push({
      field: 'prompt',
      code: 'missing_field',
      message: 'no shared prompt ("instruction" or "prompt"): "chosen" and "rejected" must then be message lists',
    });
  }
  return issues;
}

function checkTextOrMessages(record: Record<string, unknown>, key: string, issues: FieldIssue[]): void {
  const value = record[key];
  if (!Array.isArray(value)) {
    checkString(record, key, true, issues);
    return;
  }
  if (value.length === 0) issues.push({ field: key, code: 'empty_field', message: `"${key}" is empty` });
  value.forEach((message, i) => {
    const path = `${key}[${i}]`;
    if (!isObject(message)) {
      issues.push({ field: path, code: 'data_type', message: `expected a {role, content} message, got ${describeType(message)}` });
      return;
    }
    if (typeof message.role !== 'string' || !ROLES.includes(message.role)) {
      issues.push({ field: `${path}.role`, code: 'unknown_value', message: `role must be one of ${ROLES.join(', ')}` });
    }
    checkString(message, 'content', true, issues, `${path}.content`);
  });
}
