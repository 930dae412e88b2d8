/**
 * The OpenAI cookbook's format checks for chat fine-tuning records
 * (`examples/Chat_finetuning_data_prep.ipynb`), one issue per finding so the
 * counts per code match the notebook's `format_errors`.
 * @module
 */
import { describeType, isObject, type FieldIssue } from './field-issue.js';

/** Message keys the cookbook accepts. */
export const OPENAI_MESSAGE_KEYS: readonly string[] = ['role', 'content', 'name', 'function_call', 'weight'];
/** Roles the cookbook accepts (`function` is accepted there, but cannot be trained here). */
export const OPENAI_ROLES: readonly string[] = ['system', 'user', 'assistant', 'function'];

/**
 * Checks one chat record. Codes are the cookbook's: `data_type`,
 * `missing_messages_list`, `message_missing_key`, `message_unrecognized_key`,
 * `unrecognized_role`, `missing_content`, `example_missing_assistant_message`;
 * plus `invalid_weight` for a `weight` other than 0 or 1.
 */
export function checkOpenAI(value: unknown): FieldIssue[] {
  if (!isObject(value)) return [{ code: 'data_type', message: `expected an object, got ${describeType(value)}` }];
  const messages = value.messages;
  // The cookbook tests `not messages`: absent, null and empty all count.
  if (!Array.isArray(messages) || messages.length === 0) {
    return [{ field: 'messages', code: 'missing_messages_list', message: 'missing or empty "messages" list' }];
  }
  const issues: FieldIssue[] = [];
  messages.forEach((message, i) => checkMessage(message, `messages[${i}]`, issues));
  if (!messages.some((m) => isObject(m) && m.role === 'assistant')) {
    issues.push({ field: 'messages', code: 'example_missing_assistant_message', message: 'no assistant message' });
  }
  return issues;
}

function checkMessage(message: unknown, path: string, issues: FieldIssue[]): void {
  if (!isObject(message)) {
    issues.push({ field: path, code: 'data_type', message: `expected a message object, got ${describeType(message)}` });
    return;
  }
  if (!('role' in message) || !('content' in message)) {
    const missing = ['role', 'content'].filter((k) => !(k in message)).join(' and ');
    issues.push({ field: path, code: 'message_missing_key', message: `message has no ${missing}` });
  }
  const unknown = Object.keys(message).filter((k) => !OPENAI_MESSAGE_KEYS.includes(k));
  if (unknown.length > 0) {
    issues.push({ field: path, code: 'message_unrecognized_key', message: `unrecognised key(s): ${unknown.join(', ')}` });
  }
  const role = message.role;
  if (typeof role !== 'string' || !OPENAI_ROLES.includes(role)) {
    issues.push({ field: `${path}.role`, code: 'unrecognized_role', message: `unrecognised role ${JSON.stringify(role ?? null)}` });
  }
  const content = message.content;
  if ((!content && !message.function_call) || typeof content !== 'string') {
    issues.push({ field: `${path}.content`, code: 'missing_content', message: `missing content (got ${describeType(content)})` });
  }
  if ('weight' in message && message.weight !== 0 && message.weight !== 1) {
    issues.push({ field: `${path}.weight`, code: 'invalid_weight', message: `weight must be 0 or 1, got ${JSON.stringify(message.weight)}` });
  }
}
