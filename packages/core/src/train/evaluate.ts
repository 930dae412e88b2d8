/** Evaluation: loss and accuracy of a task over batches of examples, without gradients. */
import { InvalidArgumentError } from '@tunekit/formats';
import { sequentialBatches } from '../data/batch-order';
import type { ClassificationCollateOptions, CausalLMCollateOptions, PadOptions } from '../data/collate';
import type { CausalLMExample, ClassificationExample, PreferenceExample } from '../data/examples';
import type { ClassificationHead } from '../heads/classification-head';
import type { ValueHead } from '../heads/value-head';
import type { GPT2Model } from '../model/gpt2-model';
import type { EvalMetrics } from './events';
import { causalLMTask } from './tasks/causal-lm-task';
import { classificationTask } from './tasks/classification-task';
import { type DPOOptions, resolveDPOOptions } from './tasks/dpo-loss';
import { dpoTask } from './tasks/dpo-task';
import { rewardTask } from './tasks/reward-task';
import type { Task } from './tasks/task';

/** Next-token prediction with the tied LM head. */
export interface CausalLMTaskSpec {
  /** The task. */
  task: 'causal-lm';
  /** No head: the LM head is tied to `wte`. */
  head?: undefined;
  /** How examples are batched (prompt masking, truncation). */
  collate?: CausalLMCollateOptions;
}

/** Sequence classification with a {@link ClassificationHead}. */
export interface ClassificationTaskSpec {
  /** The task. */
  task: 'classification';
  /** The head (trained unless frozen). */
  head: ClassificationHead;
  /** How examples are batched. */
  collate?: ClassificationCollateOptions;
}

/** Reward modelling on preference pairs with a {@link ValueHead}. */
export interface RewardTaskSpec {
  /** The task. */
  task: 'reward';
  /** The head (trained unless frozen). */
  head: ValueHead;
  /** How examples are batched. */
  collate?: PadOptions;
}

/**
 * Direct preference optimisation of the model itself on preference pairs
 * (with answer masks, from `encodeDPOPairs`). See docs/training.md for the
 * loss and the choice of reference.
 */
export interface DPOTaskSpec {
  /** The task. */
  task: 'dpo';
  /** No head: DPO scores answers with the LM head. */
  head?: undefined;
  /** β, loss type, label smoothing, sum or mean of token log-probabilities. */
  dpo?: DPOOptions;
  /**
   * A frozen reference model. Default: with adapters, the same model with
   * them off (no second copy of the weights); without, the model as it is
   * before the first update, scored once per pair before training.
   */
  reference?: GPT2Model;
  /** Padding and truncation (`maxLength` cuts rows from the end). */
  collate?: PadOptions;
}

/** A task and its head, as {@link train} and {@link evaluate} take it. */
export type TaskData = CausalLMTaskSpec | ClassificationTaskSpec | RewardTaskSpec | DPOTaskSpec;

/**
 * Builds the task object for a model. `context.training` says the caller
 * prepares the data before any update (so an adapter-less policy may still
 * serve as its own reference).
 */
export function createTask(model: GPT2Model, spec: TaskData, context: { training?: boolean } = {}): Task<unknown, unknown> {
  switch (spec.task) {
    case 'causal-lm':
      return causalLMTask(model, spec.collate) as Task<unknown, unknown>;
    case 'classification':
      if (!spec.head) throw new InvalidArgumentError("task 'classification' needs a ClassificationHead as head", { fix: 'Pass head: new ClassificationHead({ model, numLabels }).' });
      return classificationTask(model, spec.head, spec.collate) as Task<unknown, unknown>;
    case 'reward':
      if (!spec.head) throw new InvalidArgumentError("task 'reward' needs a ValueHead as head", { fix: 'Pass head: new ValueHead({ model }).' });
      return rewardTask(model, spec.head, spec.collate) as Task<unknown, unknown>;
    case 'dpo':
      return dpoTask(model, { dpo: resolveDPOOptions(spec.dpo), collate: spec.collate, reference: spec.reference, policyIsFresh: context.training ?? false }) as Task<unknown, unknown>;
    default:
      throw new InvalidArgumentError(`Unknown task "${String((spec as { task: unknown }).task)}" (expected causal-lm, classification, reward or dpo)`, { fix: "Pass task: 'causal-lm', 'classification', 'reward' or 'dpo'." });
  }
}

/** Metrics of `task` over the given batches of example indices. */
export async function evaluateBatches<E>(task: Task<E, unknown>, examples: readonly E[], batches: readonly number[][]): Promise<EvalMetrics> {
  let lossSum = 0;
  let correct = 0;
  let count = 0;
  let sums: Record<string, number> | undefined;
  for (const indices of batches) {
    const stats = await task.stats(task.collate(indices.map((i) => examples[i] as E)));
    lossSum += stats.lossSum;
    correct += stats.correct;
    count += stats.count;
    for (const [name, value] of Object.entries(stats.sums ?? {})) (sums ??= {})[name] = (sums[name] ?? 0) + value;
  }
  const metrics: EvalMetrics = { loss: count ? lossSum / count : Number.NaN, accuracy: count ? correct / count : Number.NaN, count };
  if (sums) metrics.metrics = Object.fromEntries(Object.entries(sums).map(([name, sum]) => [name, count ? sum / count : Number.NaN]));
  return metrics;
}

/** Options of {@link evaluate}. */
export type EvaluateOptions = TaskData & {
  /** The model (with its active adapters). */
  model: GPT2Model;
  /** Examples of the task's kind. */
  data: readonly (CausalLMExample | ClassificationExample | PreferenceExample)[];
  /** Examples per batch. Default 8. */
  batchSize?: number;
  /** Evaluate only the first this many batches. Default: all. */
  maxBatches?: number;
};

/**
 * Loss and accuracy over a dataset, in order: mean token loss and accuracy
 * for causal LM, loss and accuracy for classification (the chapter's
 * `calc_accuracy_loader`), pairwise loss and ranking accuracy for reward,
 * DPO loss, reward accuracy and the reward metrics (`metrics`) for DPO.
 */
export async function evaluate(options: EvaluateOptions): Promise<EvalMetrics> {
  const task = createTask(options.model, options);
  const batches = sequentialBatches({ size: options.data.length, batchSize: options.batchSize ?? 8, limit: options.maxBatches });
  const data = task.prepare ? await task.prepare(options.data) : options.data;
  return evaluateBatches(task, data as unknown[], batches);
}
