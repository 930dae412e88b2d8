/**
 * The dataset report: the OpenAI cookbook's format checks, warnings,
 * distributions, over-length examples and an epochs/token budget, for any
 * record kind and any template.
 * @module
 */
import { toConversation, type ConvertOptions } from '../convert/convert-record.js';
import type { Conversation } from '../records/conversation.js';
import type { ClassificationRecord, OpenAiChatRecord, RecordKind } from '../records/record-types.js';
import type { ReadError } from '../read/read-error.js';
import type { ReadResult } from '../read/read-records.js';
import { render } from '../templates/render.js';
import type { RenderOptions, Template } from '../templates/template-types.js';
import { conversationMessages, cookbookTokens, cookbookTrainableTokens, type CookbookMessage } from './cookbook-tokens.js';
import { distribution, type Distribution } from './distribution.js';
import { countSegments, resolveTokenCounter, type TokenCounter, type TokenizeFn } from './token-counter.js';

/** Settings of the cookbook's epochs estimate. */
export interface BudgetSettings {
  /** Epochs when the dataset is neither small nor large. Cookbook: 3. */
  targetEpochs: number;
  /** Small datasets get more epochs, up to about this many examples seen. Cookbook: 100. */
  minTargetExamples: number;
  /** Large datasets get fewer epochs, down to about this many examples seen. Cookbook: 25,000. */
  maxTargetExamples: number;
  /** Fewest epochs. Cookbook: 1. */
  minEpochs: number;
  /** Most epochs. Cookbook: 25. */
  maxEpochs: number;
}

/** The cookbook's defaults for the epochs estimate. */
export const DEFAULT_BUDGET: Readonly<BudgetSettings> = { targetEpochs: 3, minTargetExamples: 100, maxTargetExamples: 25_000, minEpochs: 1, maxEpochs: 25 };

/** Options of {@link buildReport}. */
export interface ValidationOptions {
  /** Count tokens on this template's rendering (total and trainable). Without one, the cookbook's per-message estimate is used. */
  template?: Template;
  /** EOS/BOS texts for the template. */
  renderOptions?: RenderOptions;
  /** A ready token counter; wins over {@link ValidationOptions.tokenize}. */
  counter?: TokenCounter;
  /** Any tokenizer function; default GPT-2's BPE when `gpt-tokenizer` is installed, else an estimate. */
  tokenize?: TokenizeFn;
  /** Context length examples must fit in. Default 1024 (GPT-2). */
  contextLength?: number;
  /** Conversion options (the instruction for classification rows). */
  convert?: ConvertOptions;
  /** Epochs estimate settings; defaults are the cookbook's. */
  budget?: Partial<BudgetSettings>;
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

/** What training will cost, in the cookbook's terms. */
export interface BudgetEstimate {
  /** The cookbook's default number of epochs for this many examples. */
  epochs: number;
  /** Tokens in one epoch, each example capped at the context. */
  tokensPerEpoch: number;
  /** `epochs × tokensPerEpoch`. */
  totalTokens: number;
}

/** How a report counted tokens. */
export interface TokenizerInfo {
  /** The counter's name (`gpt2 (r50k_base)`, `custom`, or the estimate's label). */
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

/** Builds the report for what a reader returned. */
export async function buildReport(read: ReadResult, options: ValidationOptions = {}): Promise<ValidationReport> {
  const counter = options.counter ?? (await resolveTokenCounter(options.tokenize));
  const contextLength = options.contextLength ?? 1024;
  const errors = [...read.errors];
  const badRecords = new Set(read.errors.map((e) => e.record).filter((r) => r !== undefined));
  const stats = { messages: [] as number[], total: [] as number[], trainable: [] as number[] };
  const warnings = { missingSystem: 0, missingUser: 0 };
  const overLength: OverLengthExample[] = [];
  const labels: Record<string, number> = {};
  const file = read.records[0]?.file ?? read.errors[0]?.file ?? '<input>';

  for (const located of read.records) {
    const fail = (code: string, message: string, field?: string) =>
      errors.push({ file: located.file, line: located.line, record: located.index, field, message, code });
    if (read.kind === 'classification') {
      const label = String((located.record as ClassificationRecord).label);
      labels[label] = (labels[label] ?? 0) + 1;
    }
    const conversation = conversationFor(located.record, read.kind!, options.convert);
    if (!conversation.ok) fail('conversion', conversation.message, conversation.field);
    // Without a template the cookbook's count runs on the messages as filed, so
    // OpenAI examples the cookbook accepts still count even when they cannot train here.
    let messages: CookbookMessage[];
    let tokens: { total: number; trainable: number };
    if (options.template) {
      if (!conversation.ok) continue;
      try {
        tokens = countSegments(render(conversation.value, options.template, options.renderOptions), counter);
      } catch (e) {
        fail('template', e instanceof Error ? e.message : String(e));
        continue;
      }
      messages = conversationMessages(conversation.value);
    } else {
      if (read.kind === 'openai') messages = (located.record as OpenAiChatRecord).messages;
      else if (conversation.ok) messages = conversationMessages(conversation.value);
      else continue;
      tokens = { total: cookbookTokens(messages, counter), trainable: cookbookTrainableTokens(messages, counter) };
    }
    if (!messages.some((m) => m.role === 'system')) warnings.missingSystem++;
    if (!messages.some((m) => m.role === 'user')) warnings.missingUser++;
    stats.messages.push(messages.length);
    stats.total.push(tokens.total);
    stats.trainable.push(tokens.trainable);
    if (tokens.total > contextLength) overLength.push({ index: located.index, line: located.line, tokens: tokens.total });
  }

  errors.sort((a, b) => a.line - b.line);
  const errorCounts: Record<string, number> = {};
  for (const e of errors) errorCounts[e.code ?? 'error'] = (errorCounts[e.code ?? 'error'] ?? 0) + 1;
  const examples = stats.total.length;
  const tokensPerEpoch = stats.total.reduce((sum, n) => sum + Math.min(contextLength, n), 0);
  const epochs = estimateEpochs(examples, { ...DEFAULT_BUDGET, ...options.budget });
  const report: ValidationReport = {
    file,
    kind: read.kind,
    records: read.records.length + badRecords.size,
    examples,
    errors,
    errorCounts,
    warnings,
    messages: distribution(stats.messages),
    totalTokens: distribution(stats.total),
    trainableTokens: distribution(stats.trainable),
    overLength: { contextLength, count: overLength.length, examples: overLength },
    budget: { epochs, tokensPerEpoch, totalTokens: epochs * tokensPerEpoch },
    tokenizer: { name: counter.name, exact: counter.exact, method: options.template ? 'template' : 'cookbook' },
  };
  if (read.kind === 'classification') report.labels = labels;
  return report;
}

/**
 * The cookbook's default epochs: 3, raised so that small datasets see about
 * 100 examples in total, lowered so that large ones see at most 25,000,
 * within [1, 25].
 */
export function estimateEpochs(examples: number, budget: Readonly<BudgetSettings> = DEFAULT_BUDGET): number {
  if (examples === 0) return 0;
  if (examples * budget.targetEpochs < budget.minTargetExamples) {
    return Math.min(budget.maxEpochs, Math.floor(budget.minTargetExamples / examples));
  }
  if (examples * budget.targetEpochs > budget.maxTargetExamples) {
    return Math.max(budget.minEpochs, Math.floor(budget.maxTargetExamples / examples));
  }
  return budget.targetEpochs;
}

/**
 * Classification rows without an instruction are counted as the text (the
 * prompt) followed by the label (the answer).
 */
function conversationFor(record: ReadResult['records'][number]['record'], kind: RecordKind, convert: ConvertOptions = {}) {
  if (kind === 'classification' && !convert.instruction) {
    const row = record as ClassificationRecord;
    const conversation: Conversation = { messages: [{ role: 'user', content: row.text }, { role: 'assistant', content: String(row.label) }] };
    return { ok: true as const, value: conversation };
  }
  return toConversation(record, kind, convert);
}
