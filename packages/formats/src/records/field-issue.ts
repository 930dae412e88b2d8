/**
 * What a record check reports, and the small helpers every check shares.
 * @module
 */

/** One problem with one field of one record. */
export interface FieldIssue {
  /** The field, as a path (`messages[2].content`); absent for the record as a whole. */
  field?: string;
  /** What is wrong, in words. */
  message: string;
  /**
   * A stable code to count by: `data_type`, `missing_field`, `wrong_type`,
   * `empty_field`, `unknown_label`, or one of the OpenAI cookbook's codes.
   */
  code: string;
}

/** Checks one parsed value against a record kind; returns every problem found. */
export type RecordCheck = (value: unknown) => FieldIssue[];

/** True for `{...}` values (not arrays, not null). */
export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Names a value's JSON type for messages: "an array", "a number", "null"… */
export function describeType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  return `a ${typeof value}`;
}

/**
 * Checks that `record[key]` is a string. A missing or `null` optional field is
 * fine; a required one must also be non-blank.
 */
export function checkString(
  record: Record<string, unknown>,
  key: string,
  required: boolean,
  issues: FieldIssue[],
  path: string = key,
): void {
  const value = record[key];
  if (value === undefined || value === null) {
    if (required) issues.push({ field: path, code: 'missing_field', message: `missing required field "${key}"` });
    return;
  }
  if (typeof value !== 'string') {
    issues.push({ field: path, code: 'wrong_type', message: `expected a string, got ${describeType(value)}` });
    return;
  }
  if (required && value.trim() === '') issues.push({ field: path, code: 'empty_field', message: `"${key}" is empty` });
}
