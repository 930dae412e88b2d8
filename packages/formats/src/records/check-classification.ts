/** Shape check for classification rows. @module */
import { checkString, describeType, isObject, type FieldIssue, type RecordCheck } from './field-issue.js';

/** Options of {@link classificationCheck}. */
export interface ClassificationCheckOptions {
  /** The allowed labels; any other label is reported (`unknown_label`). */
  labels?: readonly (string | number)[];
}

/**
 * Builds the check for classification rows: `text` is a required non-blank
 * string, `label` a non-blank string or a number, optionally from a fixed set.
 */
export function classificationCheck(options: ClassificationCheckOptions = {}): RecordCheck {
  const allowed = options.labels?.map(String);
  return (value) => {
    if (!isObject(value)) {
      return [{ code: 'data_type', message: `expected an object with "text" and "label", got ${describeType(value)}` }];
    }
    const issues: FieldIssue[] = [];
    checkString(value, 'text', true, issues);
    const label = value.label;
    if (typeof label === 'number') {
      if (!Number.isFinite(label)) issues.push({ field: 'label', code: 'wrong_type', message: 'label must be a finite number' });
    } else {
      checkString(value, 'label', true, issues);
    }
    const ok = typeof label === 'string' || typeof label === 'number';
    if (ok && allowed && !allowed.includes(String(label))) {
      issues.push({ field: 'label', code: 'unknown_label', message: `unknown label "${label}" (expected one of: ${allowed.join(', ')})` });
    }
    return issues;
  };
}

/** The classification check with no label set. */
export const checkClassification: RecordCheck = classificationCheck();
