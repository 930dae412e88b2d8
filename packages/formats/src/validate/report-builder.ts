/**
 * The report, accumulated one record at a time: only numbers per example
 * (for the distributions) and the located problems are kept, never the
 * records, so validating a file takes memory for its statistics, not for
 * its contents.
 * @module
 */
import { toConversation, type ConvertOptions } from '../convert/convert-record.js';
import type { ReadError } from '../read/read-error.js';
import type { LocatedRecord } from '../read/read-records.js';
import type { Conversation } from '../records/conversation.js';
import type { AnyRecord, ClassificationRecord, OpenAIChatRecord, RecordKind } from '../records/record-types.js';
import { render } from '../templates/render.js';
import { DEFAULT_BUDGET, estimateEpochs } from './budget.js';
import { conversationMessages, cookbookTokens, cookbookTrainableTokens, type CookbookMessage } from './cookbook-tokens.js';
import { distribution } from './distribution.js';
import { countSegments, type TokenCounter } from './token-counter.js';
import type { OverLengthExample, ValidationOptions, ValidationReport } from './validation-report.js';

/** Accumulates a {@link ValidationReport} from problems and records, in file order. */
export class ReportBuilder {
  private readonly contextLength: number;
  private readonly errors: ReadError[] = [];
  private readonly untrainable: ReadError[] = [];
  private readonly messages: number[] = [];
  private readonly total: number[] = [];
  private readonly trainable: number[] = [];
  private readonly overLength: OverLengthExample[] = [];
  private readonly warnings = { missingSystem: 0, missingUser: 0 };
  private readonly labels: Record<string, number> = {};
  private goodRecords = 0;
  private badRecords = 0;
  private lastBadRecord: number | undefined;

  /**
   * @param options - what to count and how
   * @param counter - the token counter (see {@link counterFor})
   */
  constructor(
    private readonly options: ValidationOptions,
    private readonly counter: TokenCounter,
  ) {
    this.contextLength = options.contextLength ?? 1024;
  }

  /** Adds a problem the reader found; a record's several problems count it once. */
  addProblem(error: ReadError): void {
    this.errors.push(error);
    // The reader yields a record's problems together, so comparing with the last one is enough.
    if (error.record !== undefined && error.record !== this.lastBadRecord) {
      this.badRecords++;
      this.lastBadRecord = error.record;
    }
  }

  /** Adds a record that passed its format's checks. */
  addRecord(located: LocatedRecord<AnyRecord>, kind: RecordKind): void {
    this.goodRecords++;
    const where = { file: located.file, line: located.line, record: located.index };
    const trainingProblem = (code: string, message: string, field?: string) =>
      (this.options.strict ? this.errors : this.untrainable).push({ ...where, field, message, code });
    if (kind === 'classification') {
      const label = String((located.record as ClassificationRecord).label);
      this.labels[label] = (this.labels[label] ?? 0) + 1;
    }
    const conversation = conversationFor(located.record, kind, this.options.convert);
    if (!conversation.ok) trainingProblem('conversion', conversation.message, conversation.field);
    // Without a template the cookbook's count runs on the messages as filed, so
    // OpenAI examples the cookbook accepts still count even when they cannot train here.
    let messages: readonly CookbookMessage[];
    let tokens: { total: number; trainable: number };
    if (this.options.template) {
      if (!conversation.ok) return;
      try {
        tokens = countSegments(render(conversation.value, { template: this.options.template, ...this.options.renderOptions }), { counter: this.counter });
      } catch (e) {
        trainingProblem('template', e instanceof Error ? e.message : String(e));
        return;
      }
      messages = conversationMessages(conversation.value);
    } else {
      if (kind === 'openai') messages = (located.record as OpenAIChatRecord).messages;
      else if (conversation.ok) messages = conversationMessages(conversation.value);
      else return;
      tokens = { total: cookbookTokens(messages, { counter: this.counter }), trainable: cookbookTrainableTokens(messages, { counter: this.counter }) };
    }
    if (!messages.some((m) => m.role === 'system')) this.warnings.missingSystem++;
    if (!messages.some((m) => m.role === 'user')) this.warnings.missingUser++;
    this.messages.push(messages.length);
    this.total.push(tokens.total);
    this.trainable.push(tokens.trainable);
    if (tokens.total > this.contextLength) this.overLength.push({ index: located.index, line: located.line, tokens: tokens.total });
  }

  /** The report over everything added. */
  finish(file: string, kind: RecordKind | undefined): ValidationReport {
    const byLine = (a: ReadError, b: ReadError) => a.line - b.line;
    const errors = [...this.errors].sort(byLine);
    const errorCounts: Record<string, number> = {};
    for (const e of errors) errorCounts[e.code ?? 'error'] = (errorCounts[e.code ?? 'error'] ?? 0) + 1;
    const examples = this.total.length;
    const tokensPerEpoch = this.total.reduce((sum, n) => sum + Math.min(this.contextLength, n), 0);
    const epochs = estimateEpochs(examples, { ...DEFAULT_BUDGET, ...this.options.budget });
    const report: ValidationReport = {
      file,
      kind,
      records: this.goodRecords + this.badRecords,
      examples,
      errors,
      errorCounts,
      warnings: { ...this.warnings },
      untrainable: [...this.untrainable].sort(byLine),
      messages: distribution(this.messages),
      totalTokens: distribution(this.total),
      trainableTokens: distribution(this.trainable),
      overLength: { contextLength: this.contextLength, count: this.overLength.length, examples: [...this.overLength] },
      budget: { epochs, tokensPerEpoch, totalTokens: epochs * tokensPerEpoch },
      tokenizer: { name: this.counter.name, exact: this.counter.exact, method: this.options.template ? 'template' : 'cookbook' },
    };
    if (kind === 'classification') report.labels = { ...this.labels };
    return report;
  }
}

/**
 * Classification rows without an instruction are counted as the text (the
 * prompt) followed by the label (the answer).
 */
function conversationFor(record: AnyRecord, kind: RecordKind, convert: ConvertOptions = {}) {
  if (kind === 'classification' && !convert.instruction) {
    const row = record as ClassificationRecord;
    const conversation: Conversation = { messages: [{ role: 'user', content: row.text }, { role: 'assistant', content: String(row.label) }] };
    return { ok: true as const, value: conversation };
  }
  return toConversation(record, { kind, ...convert });
}
