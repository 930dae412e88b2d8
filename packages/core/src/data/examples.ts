/** The tokenised examples the collators and the trainer work on. */

/** Where an example came from, for error messages. */
export interface ExampleSource {
  /** The file name (or `<records>` for records given in memory). */
  file: string;
  /** 1-based line of the record, when known. */
  line?: number;
  /** 0-based index of the record in its file. */
  record: number;
}

/** One causal-LM (SFT) example: a token sequence, and which tokens carry loss. */
export interface CausalLMExample {
  /** Token ids of the whole text (prompt, response and any EOS). */
  inputIds: number[];
  /**
   * Aligned with `inputIds` (not shifted): the id where the token is a
   * response token, -100 where it is prompt. Used when the collator masks
   * prompts; absent means every token is a response token.
   */
  labels?: number[];
  /** Origin, for errors. */
  source?: ExampleSource;
}

/** One classification example. */
export interface ClassificationExample {
  /** Token ids of the text. */
  inputIds: number[];
  /** Class index in [0, numLabels). */
  label: number;
  /** Origin, for errors. */
  source?: ExampleSource;
}

/** One preference pair for reward modelling: the same prompt with a preferred and a dispreferred answer. */
export interface PreferenceExample {
  /** Token ids of prompt + preferred answer. */
  chosen: number[];
  /** Token ids of prompt + dispreferred answer. */
  rejected: number[];
  /**
   * Aligned with `chosen`: the id where the token belongs to the answer, -100
   * where it is prompt. DPO scores only answer tokens and needs it; the reward
   * task ignores it. {@link encodePreferenceExamples} fills it from the template.
   */
  chosenLabels?: number[];
  /** As `chosenLabels`, for `rejected`. */
  rejectedLabels?: number[];
  /**
   * The reference model's log-probabilities of the chosen and rejected
   * answers, when already computed (DPO computes them once per pair and keeps
   * them here). They depend on the reduction (`'sum'` or `'mean'`) they were made with.
   */
  reference?: ReferenceLogProbs;
  /** Origin, for errors. */
  source?: ExampleSource;
}

/** A reference model's log-probabilities of one pair's two answers. */
export interface ReferenceLogProbs {
  /** log π_ref(chosen answer | prompt). */
  chosen: number;
  /** log π_ref(rejected answer | prompt). */
  rejected: number;
  /** How the token log-probabilities were reduced. */
  reduction: 'sum' | 'mean';
}

/** Formats a source as `file:line (record n)`. */
export function describeSource(source: ExampleSource | undefined, fallbackIndex?: number): string {
  if (!source) return fallbackIndex === undefined ? 'an example' : `example ${fallbackIndex}`;
  return `${source.file}${source.line !== undefined ? `:${source.line}` : ''} (record ${source.record})`;
}
