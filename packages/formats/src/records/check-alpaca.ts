/** Shape check for Alpaca records. @module */
import { checkString, describeType, isObject, type FieldIssue } from './field-issue.js';

/**
 * Checks an Alpaca record: `instruction` and `output` are required non-blank
 * strings; `input` and `system` optional strings; `history` an optional list
 * of `[question, answer]` string pairs. Other keys are ignored (the preference
 * file adds `chosen`/`rejected` and still reads as Alpaca).
 */
export function checkAlpaca(value: unknown): FieldIssue[] {
  if (!isObject(value)) {
    return [{ code: 'data_type', message: `expected an object with "instruction" and "output", got ${describeType(value)}` }];
  }
  const issues: FieldIssue[] = [];
  checkString(value, 'instruction', true, issues);
  checkString(value, 'input', false, issues);
  checkString(value, 'output', true, issues);
  checkString(value, 'system', false, issues);
  const history = value.history;
  if (history !== undefined && history !== null) {
    if (!Array.isArray(history)) {
      issues.push({ field: 'history', code: 'wrong_type', message: `expected a list of [question, answer] pairs, got ${describeType(history)}` });
    } else {
      history.forEach((pair, i) => {
        const ok = Array.isArray(pair) && pair.length === 2 && pair.every((s) => typeof s === 'string');
        if (!ok) issues.push({ field: `history[${i}]`, code: 'wrong_type', message: 'expected a [question, answer] pair of strings' });
      });
    }
  }
  return issues;
}
