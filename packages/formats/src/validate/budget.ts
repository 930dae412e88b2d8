/** The OpenAI cookbook's epochs and token budget. @module */

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

/** What training will cost, in the cookbook's terms. */
export interface BudgetEstimate {
  /** The cookbook's default number of epochs for this many examples. */
  epochs: number;
  /** Tokens in one epoch, each example capped at the context. */
  tokensPerEpoch: number;
  /** `epochs × tokensPerEpoch`. */
  totalTokens: number;
}

/**
 * The cookbook's default epochs: 3, raised so that small datasets see about
 * 100 examples in total, lowered so that large ones see at most 25,000,
 * within [1, 25].
 */
export function estimateEpochs(examples: number, options: Readonly<BudgetSettings> = DEFAULT_BUDGET): number {
  const budget = options;
  if (examples === 0) return 0;
  if (examples * budget.targetEpochs < budget.minTargetExamples) {
    return Math.min(budget.maxEpochs, Math.floor(budget.minTargetExamples / examples));
  }
  if (examples * budget.targetEpochs > budget.maxTargetExamples) {
    return Math.max(budget.minEpochs, Math.floor(budget.maxTargetExamples / examples));
  }
  return budget.targetEpochs;
}
