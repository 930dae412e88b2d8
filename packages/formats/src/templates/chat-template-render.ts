/**
 * Renders a Hugging Face chat template the way transformers'
 * `apply_chat_template` does: the same variables, globals and
 * `continue_final_message` rule, on `@huggingface/jinja` (patched to follow
 * Python's jinja2; see patches/ at the repository root).
 * @module
 */
import { Template as JinjaTemplate } from '@huggingface/jinja';
import { plainGenerationBlocks } from './generation-blocks.js';
import { pythonStrftime } from './python-strftime.js';
import { ChatTemplateRaisedError, TemplateError } from './template-errors.js';

/** One message as chat templates see it: a role, content, and any other fields (`tool_calls`, `name`…). */
export interface ChatTemplateMessage {
  /** `system`, `user`, `assistant`, `tool`… */
  role: string;
  /** The text (or content blocks, for templates that read them). */
  content?: unknown;
  /** Other fields, passed to the template as they are. */
  [field: string]: unknown;
}

/**
 * The special tokens of a tokenizer, as transformers passes them to a
 * template (`special_tokens_map`): each one that is set becomes a variable.
 */
export interface SpecialTokens {
  /** `bos_token`. */
  bos_token?: string;
  /** `eos_token`. */
  eos_token?: string;
  /** `unk_token`. */
  unk_token?: string;
  /** `sep_token`. */
  sep_token?: string;
  /** `pad_token`. */
  pad_token?: string;
  /** `cls_token`. */
  cls_token?: string;
  /** `mask_token`. */
  mask_token?: string;
  /** `additional_special_tokens`. */
  additional_special_tokens?: readonly string[];
}

/** Options of {@link applyChatTemplate}, named after transformers' arguments. */
export interface ApplyChatTemplateOptions {
  /** The messages. */
  messages: readonly ChatTemplateMessage[];
  /** Append the cue for the assistant's next turn, whoever spoke last. Default false. */
  addGenerationPrompt?: boolean;
  /**
   * Leave the final message open so generation continues it (prefilling):
   * the output is cut right after the final message's text. Cannot be
   * combined with {@link ApplyChatTemplateOptions.addGenerationPrompt}.
   */
  continueFinalMessage?: boolean;
  /** Tool definitions (JSON schemas), the `tools` variable. transformers passes `None` when absent. */
  tools?: readonly unknown[];
  /** Documents for retrieval-augmented templates, the `documents` variable. */
  documents?: readonly unknown[];
  /** `bos_token`, `eos_token`… */
  specialTokens?: SpecialTokens;
  /** Any other variables the template reads, e.g. `{ enable_thinking: false }`. */
  variables?: Readonly<Record<string, unknown>>;
  /** The clock of `strftime_now`. Default: the current local time. */
  now?: () => Date;
  /** A name for error messages. Default `chat_template`. */
  name?: string;
}

const compiled = new Map<string, JinjaTemplate>();

/** Parses a template once per source text; parse errors become {@link TemplateError}s. */
export function compileChatTemplate(source: string): JinjaTemplate {
  let template = compiled.get(source);
  if (!template) {
    try {
      template = new JinjaTemplate(plainGenerationBlocks(source));
    } catch (e) {
      throw new TemplateError(`cannot parse the chat template: ${e instanceof Error ? e.message : String(e)}`, { code: 'chat_template_syntax', cause: e, fix: "Correct the Jinja syntax at the place named, or use the model's own chat_template." });
    }
    compiled.set(source, template);
  }
  return template;
}

/** The error `raise_exception` throws inside the engine, recognised on the way out. */
class RaisedInTemplate extends Error {} // plain Error: internal, turned into ChatTemplateRaisedError on the way out

/**
 * Renders a chat template to text exactly as transformers'
 * `apply_chat_template(..., tokenize=False)` does.
 * Throws {@link ChatTemplateRaisedError} when the template calls
 * `raise_exception`, and {@link TemplateError} for any other failure.
 */
export function applyChatTemplate(source: string, options: ApplyChatTemplateOptions): string {
  const name = options.name ?? 'chat_template';
  if (options.continueFinalMessage && options.addGenerationPrompt) {
    throw new TemplateError('continueFinalMessage and addGenerationPrompt cannot both be set: the first continues the final message, the second starts a new one', { code: 'chat_template_options', fix: 'Set only one: continueFinalMessage to extend the last message, addGenerationPrompt to start a new answer.' });
  }
  const text = renderRaw(source, options, name);
  return options.continueFinalMessage ? cutAfterFinalMessage(text, options.messages, name) : text;
}

/** One render with every variable transformers passes; no post-processing. */
export function renderRaw(source: string, options: ApplyChatTemplateOptions, name: string): string {
  const template = compileChatTemplate(source);
  const now = options.now ?? (() => new Date());
  const tokens = Object.fromEntries(Object.entries(options.specialTokens ?? {}).filter(([, v]) => v !== undefined && v !== null));
  try {
    return template.render({
      ...tokens,
      ...options.variables,
      messages: options.messages,
      // transformers always passes these two, as None when not given, so `tools is defined` is true.
      tools: options.tools ?? null,
      documents: options.documents ?? null,
      add_generation_prompt: options.addGenerationPrompt ?? false,
      raise_exception: (message: unknown) => {
        throw new RaisedInTemplate(String(message));
      },
      strftime_now: (format: unknown) => pythonStrftime(now(), String(format)),
    });
  } catch (e) {
    if (e instanceof RaisedInTemplate) throw new ChatTemplateRaisedError(name, e.message);
    throw new TemplateError(`template "${name}" failed: ${e instanceof Error ? e.message : String(e)}`, { code: 'chat_template_failed', cause: e, fix: 'Check the conversation against what the template expects (roles, fields), or use another template.' });
  }
}

/**
 * transformers' `continue_final_message`: find the final message's text
 * (stripped) at its last occurrence and cut the output after it, keeping the
 * message's own trailing whitespace only when the template printed it.
 */
function cutAfterFinalMessage(text: string, messages: readonly ChatTemplateMessage[], name: string): string {
  const final = finalText(messages[messages.length - 1]);
  const stripped = final === undefined ? undefined : pythonStrip(final);
  const at = stripped === undefined ? -1 : text.lastIndexOf(stripped);
  if (final === undefined || stripped === undefined || at === -1) {
    throw new TemplateError(`template "${name}" does not print the final message as it is, so continueFinalMessage cannot find where it ends`, { code: 'chat_template_continue', fix: 'Leave continueFinalMessage out with this template, or use one that prints messages unchanged.' });
  }
  const keepTrailing = text.slice(at, at + pythonLstrip(final).length) === final;
  return text.slice(0, at + (keepTrailing ? pythonLstrip(final).length : stripped.length));
}

/** The text to continue: a string content, or the last text block (as transformers picks it). */
function finalText(message: ChatTemplateMessage | undefined): string | undefined {
  const content = message?.content;
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) {
    for (let i = content.length - 1; i >= 0; i--) {
      const block: unknown = content[i];
      if (block && typeof block === 'object' && typeof (block as { text?: unknown }).text === 'string') return (block as { text: string }).text;
    }
  }
  return undefined;
}

/** Python's `str.isspace` set: what `str.strip()` with no argument removes. */
const PYTHON_SPACE = '\\t\\n\\v\\f\\r\\x1c-\\x20\\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000';
const LEADING = new RegExp(`^[${PYTHON_SPACE}]+`);
const TRAILING = new RegExp(`[${PYTHON_SPACE}]+$`);

/** Python's `str.lstrip()`. */
export const pythonLstrip = (s: string): string => s.replace(LEADING, '');
/** Python's `str.strip()`. */
export const pythonStrip = (s: string): string => s.replace(LEADING, '').replace(TRAILING, '');
