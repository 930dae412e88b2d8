/**
 * The chat-template conformance corpus: real templates (templates/*.jinja,
 * described in sources.json), the conversations they render
 * (conversations.json) and the outputs of Python's jinja2 set up as
 * transformers sets it up (goldens.json, written by generate_goldens.py).
 * @module
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { ApplyChatTemplateOptions, ChatTemplateMessage, SpecialTokens } from '../../src/templates/chat-template-render.js';

const here = (name: string): string => fileURLToPath(new URL(name, import.meta.url));
const readJson = <T>(name: string): T => JSON.parse(readFileSync(here(name), 'utf8')) as T;

/** One corpus template, from sources.json. */
export interface CorpusSource {
  /** File stem under templates/. */
  id: string;
  /** The model repository it belongs to. */
  model: string;
  /** Where the copy was taken from. */
  carrier: { repo: string; path: string; commit: string; licence: string };
  /** The model's licence, as noted. */
  licence: string;
  /** Special tokens given to the template. */
  tokens: SpecialTokens & Record<string, unknown>;
  /** Shared values passed on every call (`tools`, `functions`). */
  always?: string[];
  /** Provenance remarks. */
  note?: string;
}

/** One golden: how it was rendered, and Python's text or error. */
export interface CorpusGolden {
  /** Key of conversations.json's `conversations`. */
  conversation: string;
  /** transformers' flag. */
  add_generation_prompt?: boolean;
  /** transformers' flag. */
  continue_final_message?: boolean;
  /** Shared values passed (`tools`, `functions`). */
  with: string[];
  /** Extra variables. */
  variables?: Record<string, unknown>;
  /** Python's output. */
  text?: string;
  /** Spans recorded by `{% generation %}` blocks, in code points, when the template has them. */
  generation?: [number, number][];
  /** The `raise_exception` message, or the Python exception class name. */
  error?: string;
  /** Python's full error text, for people. */
  detail?: string;
}

interface ConversationsFile {
  tools: unknown[];
  variables: Record<string, unknown>;
  conversations: Record<string, ChatTemplateMessage[]>;
}

/** One small template for one Python behaviour, with Python's output. */
export interface SnippetGolden {
  /** The template. */
  source: string;
  /** The value of the `text` variable. */
  text_variable: string;
  /** Python's output. */
  text?: string;
  /** The Python exception class, when it failed on purpose. */
  error?: string;
  /** Python's error text. */
  detail?: string;
}

interface GoldensFile {
  jinja2: string;
  now: string;
  snippets: Record<string, SnippetGolden>;
  goldens: Record<string, Record<string, CorpusGolden>>;
}

/** Every corpus template. */
export const SOURCES = readJson<CorpusSource[]>('sources.json');
/** The shared conversations and values. */
export const CONVERSATIONS = readJson<ConversationsFile>('conversations.json');
/** Python's outputs. */
export const GOLDENS = readJson<GoldensFile>('goldens.json');

/** The text of a corpus template. */
export const templateSource = (id: string): string => readFileSync(here(`templates/${id}.jinja`), 'utf8');

/** The instant `strftime_now` sees in goldens.json, as a local time (Python's naive `datetime`). */
export function goldenNow(): Date {
  const [date, time] = GOLDENS.now.split('T') as [string, string];
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  const [hh, mm, ss] = time.split(':').map(Number) as [number, number, number];
  return new Date(y, m - 1, d, hh, mm, ss);
}

/** The applyChatTemplate options that replay one golden. */
export function goldenOptions(source: CorpusSource, golden: CorpusGolden): ApplyChatTemplateOptions {
  const shared: Record<string, unknown> = { tools: CONVERSATIONS.tools, ...CONVERSATIONS.variables };
  const passed = Object.fromEntries(golden.with.map((name) => [name, shared[name]]));
  const { tools, ...others } = passed;
  const now = goldenNow();
  return {
    name: source.id,
    messages: CONVERSATIONS.conversations[golden.conversation]!,
    addGenerationPrompt: golden.add_generation_prompt ?? false,
    continueFinalMessage: golden.continue_final_message ?? false,
    tools: tools as unknown[] | undefined,
    specialTokens: source.tokens,
    variables: { ...others, ...golden.variables },
    now: () => now,
  };
}
