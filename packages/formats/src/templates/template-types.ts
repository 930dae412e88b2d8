/**
 * Templates are data: plain objects that one generic renderer reads.
 * @module
 */
import type { Conversation } from '../records/conversation.js';
import type { SpecialTokens } from './chat-template-render.js';
import type { Segment } from './segments.js';

/**
 * One piece of a template: text with `{content}`, `{round}` placeholders, a
 * BOS/EOS marker, or a named special token (ChatGLM3's `<|user|>`).
 */
export type TemplatePart = string | MarkerPart | TokenPart;

/** The tokenizer's BOS or EOS, whose text comes from the render options. */
export interface MarkerPart {
  /** Which marker. */
  readonly special: 'bos' | 'eos';
}

/** A special token written by name in the source template. */
export interface TokenPart {
  /** The token's text, e.g. `<|user|>`. */
  readonly token: string;
}

/** How a template places the system prompt. */
export interface SystemSlot {
  /** The parts, with `{content}` for the system text. */
  readonly format: readonly TemplatePart[];
  /** Used when the conversation has no system prompt. */
  readonly default?: string;
  /** Used instead of {@link SystemSlot.default} when the first user turn has an Alpaca `input` (Stanford Alpaca). */
  readonly defaultWithInput?: string;
  /** Render the slot even for an empty system text (FastChat templates always do). Default false. */
  readonly renderEmpty?: boolean;
  /**
   * An empty system text (`''`) falls back to {@link SystemSlot.default}, as
   * LLaMA-Factory's `system or default_system` does. Default false: `''`
   * means "no system prompt" (or an empty one with `renderEmpty`).
   */
  readonly emptyUsesDefault?: boolean;
  /** `before` the first round (default), or prepended to the `first-user` message's content (Llama 2). */
  readonly placement?: 'before' | 'first-user';
}

/**
 * A chat template as data, rendered by `render`. A rendering is:
 * `prefix`, `system`, then for each round `separator` (between rounds),
 * `user` (a prompt, ending with the assistant cue) and `assistant` (the
 * answer, trainable), and finally an EOS when {@link ChatTemplate.finalEos}.
 */
export interface ChatTemplate {
  /** Tells chat templates from Jinja ones. */
  readonly kind: 'chat';
  /** Registry name (`chatml`, `llama-2`…). */
  readonly name: string;
  /** A human title. */
  readonly title: string;
  /** Where the exact strings come from. */
  readonly source: string;
  /** Parts placed once at the very start (ChatGLM3's `[gMASK]sop`). */
  readonly prefix?: readonly TemplatePart[];
  /** The system slot; absent when the source has no system prompt (a non-empty one is then an error). */
  readonly system?: SystemSlot;
  /** A user turn and the cue that the assistant speaks next. Placeholders `{content}`, `{round}`. */
  readonly user: readonly TemplatePart[];
  /** Replaces {@link ChatTemplate.user} when the conversation is a single round (ChatGLM-6B's bare query). */
  readonly userAlone?: readonly TemplatePart[];
  /** An assistant answer, all trainable. Placeholder `{content}`. */
  readonly assistant: readonly TemplatePart[];
  /** Placed between rounds, after an answer (not trainable). */
  readonly separator?: readonly TemplatePart[];
  /** Append one EOS after the last answer only (ChatGLM's, and LLaMA-Factory's `efficient_eos`). */
  readonly finalEos?: boolean;
  /** How an Alpaca `input` joins the user content; `{content}`, `{input}`. Default `{content}\n{input}`. */
  readonly inputFormat?: string;
  /** Number of the first round in `{round}`. Default 0. */
  readonly roundBase?: 0 | 1;
  /** Trim whitespace around message contents, as Meta's Llama 2 code does. */
  readonly stripContent?: boolean;
  /** The source defines a single round only; more rounds are an error. */
  readonly singleTurn?: boolean;
  /** Strings that end generation, besides the EOS marker. */
  readonly stop: readonly string[];
}

/** A Hugging Face `chat_template` (Jinja), rendered as transformers renders it. */
export interface JinjaChatTemplate {
  /** Tells Jinja templates from chat templates. */
  readonly kind: 'jinja';
  /** A name for messages. */
  readonly name: string;
  /** A human title. */
  readonly title: string;
  /** Where it comes from. */
  readonly source: string;
  /** The Jinja source. */
  readonly template: string;
  /** The `bos_token` text the template may print (also in {@link JinjaChatTemplate.specialTokens}). */
  readonly bosToken?: string;
  /** The `eos_token` text the template may print (also in {@link JinjaChatTemplate.specialTokens}). */
  readonly eosToken?: string;
  /** Every special token passed to the template, as transformers passes `special_tokens_map`. */
  readonly specialTokens: SpecialTokens;
  /** Variables passed on every render (e.g. `{ enable_thinking: false }`); a render's own variables win. */
  readonly variables?: Readonly<Record<string, unknown>>;
  /** Strings that end generation (the EOS token, when known). */
  readonly stop: readonly string[];
  /**
   * Renders with this template. Bound by `fromChatTemplate`, so the Jinja
   * engine is bundled only by applications that build a Jinja template.
   */
  readonly renderSegments: (conversation: Conversation, options?: RenderOptions) => Segment[];
}

/** Any template `render` accepts. */
export type Template = ChatTemplate | JinjaChatTemplate;

/** Options of the renderers. The last four apply to Jinja templates only. */
export interface RenderOptions {
  /** Text of the EOS marker. Default `<|endoftext|>` (GPT-2's). */
  eos?: string;
  /** Text of the BOS marker. Default `<|endoftext|>` (GPT-2 uses its one special token for both). */
  bos?: string;
  /** Append the assistant cue whoever spoke last (transformers' `add_generation_prompt`). Default: when the conversation ends with a user message. */
  addGenerationPrompt?: boolean;
  /** Tool definitions (JSON schemas), the template's `tools`. */
  tools?: readonly unknown[];
  /** Documents for retrieval-augmented templates, the template's `documents`. */
  documents?: readonly unknown[];
  /** Extra template variables, e.g. `{ enable_thinking: false }`. */
  variables?: Readonly<Record<string, unknown>>;
}

export { TemplateError } from './template-errors.js';
