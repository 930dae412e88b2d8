/**
 * The sequence-classification head of Hugging Face's
 * `GPT2ForSequenceClassification`: `score = Linear(n_embd, num_labels,
 * bias=False)` applied to the hidden state of each sequence's last real token.
 */
import { InvalidArgumentError, InvalidStateError } from '@tunekit/formats';
import * as tf from '@tensorflow/tfjs-core';
import type { GPT2Model } from '../model/gpt2-model';
import { headInputDim, normalVariable } from './head-init';
import { EVAL_CONTEXT, type HeadApplyOptions, type SequenceHead } from './sequence-head';

/** Options of {@link ClassificationHead}. */
export interface ClassificationHeadOptions {
  /** Number of classes (2 for spam/ham). */
  numLabels: number;
  /** The model the head sits on (gives `embeddingDim`). */
  model?: GPT2Model;
  /** Input width, when no model is given. */
  embeddingDim?: number;
  /** Seed of the N(0, initStd²) initialisation. Default 0. */
  seed?: number;
  /** Standard deviation of the initial weights. Default 0.02 (GPT-2's `initializer_range`, as `transformers` initialises `score`). */
  initStd?: number;
}

/**
 * A linear classifier over pooled hidden states. Its one variable,
 * `score.weight` [numLabels, C], is laid out as PyTorch's `nn.Linear`
 * (out × in) and named as in `GPT2ForSequenceClassification` checkpoints.
 *
 * @example
 * ```ts
 * const head = new ClassificationHead({ numLabels: 2, model, seed: 123 });
 * ```
 */
export class ClassificationHead implements SequenceHead {
  /** Hook and module name: `score`. */
  readonly name = 'score';
  readonly inputDim: number;
  readonly outputDim: number;
  /** The weight [numLabels, C]. */
  readonly weight: tf.Variable;
  private disposed = false;

  constructor(options: ClassificationHeadOptions) {
    if (!Number.isInteger(options.numLabels) || options.numLabels < 1) {
      throw new InvalidArgumentError(`ClassificationHead: numLabels must be a positive integer, got ${options.numLabels}`, { fix: 'Pass numLabels as the number of classes (a whole number ≥ 1).' });
    }
    this.inputDim = headInputDim(options, 'ClassificationHead');
    this.outputDim = options.numLabels;
    this.weight = normalVariable([options.numLabels, this.inputDim], options.initStd ?? 0.02, options.seed ?? 0);
  }

  /** Number of classes. */
  get numLabels(): number {
    return this.outputDim;
  }

  /** `{ 'score.weight': weight }`. */
  parameters(): Map<string, tf.Variable> {
    this.assertAlive();
    return new Map([['score.weight', this.weight]]);
  }

  /**
   * The head as a linear module that LoRA may target (pass it in
   * `createLoRA({ extraModules: [head.linearModule()] })`).
   */
  linearModule(): {
    /** `score`. */
    name: string;
    /** The weight [numLabels, C]. */
    weight: tf.Variable;
    /** `nn.Linear` layout: out × in. */
    layout: 'out-in';
  } {
    return { name: this.name, weight: this.weight, layout: 'out-in' };
  }

  /** Pooled hidden states [B, C] → class logits [B, numLabels]. */
  apply(pooled: tf.Tensor2D, options: HeadApplyOptions = {}): tf.Tensor2D {
    this.assertAlive();
    return tf.tidy(() => {
      const logits = tf.matMul(pooled, this.weight, false, true) as tf.Tensor2D; // [B, K]
      const linearHook = options.hooks?.linear;
      return linearHook ? linearHook(this.name, pooled, logits, options.context ?? EVAL_CONTEXT) : logits;
    });
  }

  /** Whether {@link ClassificationHead.dispose} has been called. */
  get isDisposed(): boolean {
    return this.disposed;
  }

  /** Releases the weight. */
  dispose(): void {
    if (this.disposed) return;
    this.weight.dispose();
    this.disposed = true;
  }

  private assertAlive(): void {
    if (this.disposed) throw new InvalidStateError('This ClassificationHead has been disposed.', { fix: 'Create a new head.' });
  }
}
