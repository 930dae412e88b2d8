/**
 * The dataset report: the OpenAI cookbook's format checks, warnings,
 * distributions, over-length examples and an epochs/token budget, for any
 * record kind and any template.
 * @module
 */
import type { ConvertOptions } from '../convert/convert-record.js';
import type { ReadError } from '../read/read-error.js';
import type { ReadResult } from '../read/read-records.js';
import type { RecordKind } from '../records/record-types.js';
import type { RenderOptions, Template } from '../templates/template-types.js';
import type { BudgetEstimate, BudgetSettings } from './budget.js';
import type { Distribution } from './distribution.js';
import { ReportBuilder } from './report-builder.js';
import { encodingCounter, resolveTokenCounter, type OpenAIEncoding, type TokenCounter, type TokenizeFn } from './token-counter.js';

/** Options of {@link buildReport} and {@link validateSource}. */
export interface ValidationOptions {
  /** Count tokens on this template's rendering (total and trainable). Without one, the cookbook's per-message estimate is used. */
  template?: Template;
  /** EOS/BOS texts for the template. */
  renderOptions?: RenderOptions;
  /** A ready token counter; wins over {@link ValidationOptions.tokenize} and {@link ValidationOptions.encoding}. */
  counter?: TokenCounter;
  /** Any tokenizer function; wins over {@link ValidationOptions.encoding}. */
  tokenize?: TokenizeFn;
  /**
   * Count with this OpenAI encoding (needs the optional `gpt-tokenizer`
   * package; an error when it is missing). Default by record kind, see
   * {@link defaultEncoding}, falling back to a labelled estimate when
   * `gpt-tokenizer` is not installed.
   */
  encoding?: OpenAIEncoding;
  /** Context length examples must fit in. Default 1024 (GPT-2). */
  contextLength?: number;
  /** Conversion options (the instruction for classification rows, the side of preference pairs). */
  convert?: ConvertOptions;
  /** Epochs estimate settings; defaults are the cookbook's. */
  budget?: Partial<BudgetSettings>;
  /**
   * Treat records tunekit cannot train on as they are (see
   * {@link ValidationReport.untrainable}) as errors. Default false: the
   * format's own checks (the cookbook's, for OpenAI chat) decide what is an
   * error, and these are warnings.
   */
  strict?: boolean;
}

/** An example longer than the context. */
export interface OverLengthExample {
  /** 0-based record index. */
  index: number;
  /** Its first line. */
  line: number;
  /** Its token count. */
  tokens: number;
}

/** The cookbook's warnings. */
export interface ReportWarnings {
  /** Examples without a system message. */
  missingSystem: number;
  /** Examples without a user message. */
  missingUser: number;
}

/** Examples longer than the context. */
export interface OverLengthSummary {
  /** The context length checked against. */
  contextLength: number;
  /** How many examples are longer. */
  count: number;
  /** Which ones. */
  examples: OverLengthExample[];
}

/** How a report counted tokens. */
export interface TokenizerInfo {
  /** The counter's name (`gpt2 (r50k_base)`, `cl100k_base`, `o200k_base`, `custom`, or the estimate's label). */
  name: string;
  /** False for the character-based estimate. */
  exact: boolean;
  /** `template`: on the rendered text; `cookbook`: the per-message formula. */
  method: 'template' | 'cookbook';
}

/** The report. */
export interface ValidationReport {
  /** File name, as given to the reader. */
  file: string;
  /** Record kind. */
  kind: RecordKind | undefined;
  /** Records seen, good or bad. */
  records: number;
  /** Records that passed every check and entered the statistics. */
  examples: number;
  /** Every problem, located. */
  errors: ReadError[];
  /** Problems by code (the cookbook's `format_errors`). */
  errorCounts: Record<string, number>;
  /** The cookbook's warnings: examples without a system or a user message. */
  warnings: ReportWarnings;
  /**
   * Records that pass their format's checks but that tunekit cannot train on
   * as they are: they do not convert to user/assistant rounds (an OpenAI
   * example with a system and an assistant message but no user message,
   * which the cookbook accepts), or the template cannot render them. Located
   * warnings; empty with {@link ValidationOptions.strict}, where they are
   * errors.
   */
  untrainable: ReadError[];
  /** Messages per example. */
  messages: Distribution;
  /** Total tokens per example. */
  totalTokens: Distribution;
  /** Trainable tokens per example (assistant answers with weight ≠ 0). */
  trainableTokens: Distribution;
  /** Examples longer than the context. */
  overLength: OverLengthSummary;
  /** The cookbook's epochs estimate and the tokens trained on (each example capped at the context). */
  budget: BudgetEstimate;
  /** Label counts, for classification rows. */
  labels?: Record<string, number>;
  /** How tokens were counted. */
  tokenizer: TokenizerInfo;
}

/**
 * The encoding a report counts with when none is given: the cookbook's
 * `cl100k_base` for OpenAI chat records counted the cookbook's way (no
 * template), so its numbers come out; GPT-2's `r50k_base` otherwise, since
 * that is what tunekit trains.
 */
export function defaultEncoding(kind: RecordKind | undefined, options: { template?: Template }): OpenAIEncoding {
  const { template } = options;
  return kind === 'openai' && !template ? 'cl100k_base' : 'r50k_base';
}

/**
 * The counter the options ask for: a given counter or function, else the
 * given encoding (an error when `gpt-tokenizer` is missing), else the kind's
 * default encoding (an estimate when `gpt-tokenizer` is missing).
 */
export async function counterFor(kind: RecordKind | undefined, options: ValidationOptions): Promise<TokenCounter> {
  if (options.counter) return options.counter;
  if (!options.tokenize && options.encoding) return encodingCounter(options.encoding);
  return resolveTokenCounter({ tokenize: options.tokenize, encoding: defaultEncoding(kind, { template: options.template }) });
}

/** Builds the report for what a reader returned (see {@link validateSource} to stream instead). */
export async function buildReport(read: ReadResult, options: ValidationOptions = {}): Promise<ValidationReport> {
  const builder = new ReportBuilder(options, await counterFor(read.kind, options));
  for (const error of read.errors) builder.addProblem(error);
  for (const located of read.records) builder.addRecord(located, read.kind!);
  return builder.finish(read.records[0]?.file ?? read.errors[0]?.file ?? '<input>', read.kind);
}
