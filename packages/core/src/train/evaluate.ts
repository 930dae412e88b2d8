/** Evaluation: loss and accuracy of a task over batches of examples, without gradients. */
import { sequentialBatches } from '../data/batch-order';
import type { ClassificationCollateOptions, CausalLMCollateOptions, PadOptions } from '../data/collate';
import type { CausalLMExample, ClassificationExample, PreferenceExample } from '../data/examples';
import type { ClassificationHead } from '../heads/classification-head';
import type { ValueHead } from '../heads/value-head';
import type { GPT2Model } from '../model/gpt2-model';
import type { EvalMetrics } from './events';
import { causalLMTask } from './tasks/causal-lm-task';
import { classificationTask } from './tasks/classification-task';
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

/** A task and its head, as {@link train} and {@link evaluate} take it. */
export type TaskData = CausalLMTaskSpec | ClassificationTaskSpec | RewardTaskSpec;

/** Builds the task object for a model. */
export function createTask(model: GPT2Model, spec: TaskData): Task<unknown, unknown> {
  switch (spec.task) {
    case 'causal-lm':
      return causalLMTask(model, spec.collate) as Task<unknown, unknown>;
    case 'classification':
      if (!spec.head) throw new Error("task 'classification' needs a ClassificationHead as head");
      return classificationTask(model, spec.head, spec.collate) as Task<unknown, unknown>;
    case 'reward':
      if (!spec.head) throw new Error("task 'reward' needs a ValueHead as head");
      return rewardTask(model, spec.head, spec.collate) as Task<unknown, unknown>;
    default:
      throw new Error(`Unknown task "${String((spec as { task: unknown }).task)}" (expected causal-lm, classification or reward)`);
  }
}

/** Metrics of `task` over the given batches of example indices. */
export async function evaluateBatches<E>(task: Task<E, unknown>, examples: readonly E[], batches: readonly number[][]): Promise<EvalMetrics> {
  let lossSum = 0;
  let correct = 0;
  let count = 0;
  for (const indices of batches) {
    const stats = await task.stats(task.collate(indices.map((i) => examples[i] as E)));
    lossSum += stats.lossSum;
    correct += stats.correct;
    count += stats.count;
  }
  return { loss: count ? lossSum / count : Number.NaN, accuracy: count ? correct / count : Number.NaN, count };
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
 * `calc_accuracy_loader`), pairwise loss and ranking accuracy for reward.
 */
export async function evaluate(options: EvaluateOptions): Promise<EvalMetrics> {
  const task = createTask(options.model, options);
  const batches = sequentialBatches(options.data.length, options.batchSize ?? 8, options.maxBatches);
  return evaluateBatches(task, options.data as unknown[], batches);
}
