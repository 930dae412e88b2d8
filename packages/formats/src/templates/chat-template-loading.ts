/**
 * Reading a chat template from the files of a Hugging Face model folder, as
 * people have them: `tokenizer_config.json` (its `chat_template` is a string,
 * or a list of `{name, template}`), and the newer `chat_template.jinja` file,
 * which transformers prefers when both exist. Browser-safe: it takes the
 * files' bytes or text; `@tunekit/formats/node` reads them from a folder.
 * @module
 */
import { isObject } from '../records/field-issue.js';
import type { SpecialTokens } from './chat-template-render.js';
import { fromChatTemplate, tokenText } from './jinja-template.js';
import { TemplateError } from './template-errors.js';
import type { JinjaChatTemplate } from './template-types.js';

/** A file's content: bytes (UTF-8), its text, or (for JSON) the parsed value. */
export type ModelFileContent = Uint8Array | string | Record<string, unknown>;

/** The files of a model folder that hold a chat template; either may be missing. */
export interface ChatTemplateFiles {
  /** `tokenizer_config.json`. */
  tokenizerConfig?: ModelFileContent;
  /** `chat_template.jinja`. */
  chatTemplateJinja?: Uint8Array | string;
}

/** Options of {@link chatTemplateFromFiles}. */
export interface LoadChatTemplateOptions {
  /** Which of several named templates (`tool_use`, `rag`…). Default `default`. */
  templateName?: string;
  /** A name for messages. */
  name?: string;
  /** Variables passed on every render, e.g. `{ enable_thinking: false }`. */
  variables?: Readonly<Record<string, unknown>>;
}

const SPECIAL_TOKEN_KEYS = ['bos_token', 'eos_token', 'unk_token', 'sep_token', 'pad_token', 'cls_token', 'mask_token'] as const;

/**
 * Builds the template of a model folder's files. `chat_template.jinja` wins
 * over `tokenizer_config.json`'s `chat_template` (as in transformers); the
 * special tokens always come from `tokenizer_config.json`.
 */
export function chatTemplateFromFiles(files: ChatTemplateFiles, options: LoadChatTemplateOptions = {}): JinjaChatTemplate {
  const config = files.tokenizerConfig === undefined ? {} : parseJson(files.tokenizerConfig);
  const wanted = options.templateName ?? 'default';
  const source =
    files.chatTemplateJinja !== undefined && wanted === 'default'
      ? { template: decode(files.chatTemplateJinja), from: 'chat_template.jinja' }
      : { template: pickTemplate(config.chat_template, wanted), from: `tokenizer_config.json chat_template${wanted === 'default' ? '' : ` "${wanted}"`}` };
  return fromChatTemplate({
    template: source.template,
    specialTokens: specialTokensOf(config),
    variables: options.variables,
    name: options.name ?? (wanted === 'default' ? 'chat_template' : `chat_template:${wanted}`),
    source: source.from,
  });
}

/**
 * Reads the `chat_template` and special tokens of a `tokenizer_config.json`
 * (parsed, its text or its bytes). When `chat_template` is a list of named
 * templates, `templateName` picks one (default `default`).
 */
export function fromTokenizerConfig(config: ModelFileContent, options: LoadChatTemplateOptions = {}): JinjaChatTemplate {
  return chatTemplateFromFiles({ tokenizerConfig: config }, options);
}

/** The special tokens transformers passes to templates (`special_tokens_map`): strings or AddedToken objects. */
export function specialTokensOf(config: Record<string, unknown>): SpecialTokens {
  const tokens: Record<string, unknown> = {};
  for (const key of SPECIAL_TOKEN_KEYS) {
    const text = tokenText(config[key]);
    if (text !== undefined) tokens[key] = text;
  }
  const additional = config.additional_special_tokens;
  if (Array.isArray(additional)) tokens.additional_special_tokens = additional.map(tokenText).filter((t): t is string => t !== undefined);
  return tokens as SpecialTokens;
}

function pickTemplate(value: unknown, wanted: string): string {
  if (Array.isArray(value)) {
    const names = value.map((t) => (isObject(t) ? String(t.name) : '?'));
    const entry = value.find((t) => isObject(t) && t.name === wanted);
    if (!isObject(entry) || typeof entry.template !== 'string') {
      throw new TemplateError(`tokenizer_config.json has no chat template named "${wanted}" (has: ${names.join(', ')})`, { code: 'chat_template_not_found', fix: `Pick one of: ${names.join(', ')}.` });
    }
    return entry.template;
  }
  if (typeof value === 'string') {
    if (wanted !== 'default') throw new TemplateError(`tokenizer_config.json has a single chat template, not one named "${wanted}"`, { code: 'chat_template_not_found', fix: 'Leave templateName out.' });
    return value;
  }
  throw new TemplateError('the model folder has no chat template (no chat_template.jinja, and no "chat_template" in tokenizer_config.json)', {
    code: 'chat_template_not_found',
    fix: 'Give the template source to fromChatTemplate, or pick a built-in template.',
  });
}

function decode(content: Uint8Array | string): string {
  return typeof content === 'string' ? content : new TextDecoder('utf-8').decode(content);
}

function parseJson(content: ModelFileContent): Record<string, unknown> {
  if (typeof content !== 'string' && !(content instanceof Uint8Array)) return content;
  let parsed: unknown;
  try {
    parsed = JSON.parse(decode(content));
  } catch (e) {
    throw new TemplateError(`tokenizer_config.json is not valid JSON: ${e instanceof Error ? e.message : String(e)}`, { code: 'chat_template_config', cause: e, fix: 'Check that the file is a complete tokenizer_config.json (re-download it if it was cut short).' });
  }
  if (!isObject(parsed)) throw new TemplateError('tokenizer_config.json must be a JSON object', { code: 'chat_template_config', fix: 'Pass the tokenizer_config.json of a Hugging Face model: one object with a chat_template field.' });
  return parsed;
}
