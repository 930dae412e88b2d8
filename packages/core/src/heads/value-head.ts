/**
 * A scalar value per sequence, for reward models: TRL's `ValueHead`
 * (`AutoModelForCausalLMWithValueHead.v_head`): dropout, then
 * `summary = Linear(n_embd, 1)` with a bias. Variables are named as TRL
 * saves them, `v_head.summary.weight` [1, C] and `v_head.summary.bias` [1].
 */
import { InvalidArgumentError, InvalidStateError } from '@tunekit/formats';
import * as tf from '@tensorflow/tfjs-core';
import type { GPT2Model } from '../model/gpt2-model';
import { dropout } from '../model/layers';
import { headInputDim, normalVariable, zerosVariable } from './head-init';
import { EVAL_CONTEXT, type HeadApplyOptions, type SequenceHead } from './sequence-head';

/** Options of {@link ValueHead}. */
export interface ValueHeadOptions {
  /** The model the head sits on (gives `embeddingDim`). */
  model?: GPT2Model;
  /** Input width, when no model is given. */
  embeddingDim?: number;
  /** Seed of the initialisation. Default 0. */
  seed?: number;
  /** Standard deviation of the initial weight (the bias starts at 0). Default 0.02. */
  initStd?: number;
  /** Dropout on the pooled state while training (TRL's `summary_dropout_prob`). Default 0.1. */
  dropout?: number;
}

/** A reward/value head: pooled hidden states [B, C] → one scalar per sequence. */
export class ValueHead implements SequenceHead {
  /** Hook and module name: `v_head.summary`. */
  readonly name = 'v_head.summary';
  readonly inputDim: number;
  readonly outputDim = 1;
  /** The weight [1, C] (`nn.Linear` layout, out × in). */
  readonly weight: tf.Variable;
  /** The bias [1]. */
  readonly bias: tf.Variable;
  /** Dropout rate while training. */
  readonly dropoutRate: number;
  private disposed = false;

  constructor(options: ValueHeadOptions = {}) {
    this.inputDim = headInputDim(options, 'ValueHead');
    const rate = options.dropout ?? 0.1;
    if (!(rate >= 0 && rate < 1)) throw new InvalidArgumentError(`ValueHead: dropout must be in [0, 1), got ${rate}`, { fix: 'Pass dropout as a probability such as 0.1, or 0.' });
    this.dropoutRate = rate;
    this.weight = normalVariable([1, this.inputDim], options.initStd ?? 0.02, options.seed ?? 0);
    this.bias = zerosVariable([1]);
  }

  /** `v_head.summary.weight` and `v_head.summary.bias`. */
  parameters(): Map<string, tf.Variable> {
    this.assertAlive();
    return new Map([
      ['v_head.summary.weight', this.weight],
      ['v_head.summary.bias', this.bias],
    ]);
  }

  /** Pooled hidden states [B, C] → values [B, 1]. */
  apply(pooled: tf.Tensor2D, options: HeadApplyOptions = {}): tf.Tensor2D {
    this.assertAlive();
    return tf.tidy(() => {
      const context = options.context ?? EVAL_CONTEXT;
      const input = dropout(pooled, this.dropoutRate, context) as tf.Tensor2D;
      const values = tf.add(tf.matMul(input, this.weight, false, true), this.bias) as tf.Tensor2D; // [B, 1]
      const linearHook = options.hooks?.linear;
      return linearHook ? linearHook(this.name, input, values, context) : values;
    });
  }

  /** Whether {@link ValueHead.dispose} has been called. */
  get isDisposed(): boolean {
    return this.disposed;
  }

  /** Releases the variables. */
  dispose(): void {
    if (this.disposed) return;
    this.weight.dispose();
    this.bias.dispose();
    this.disposed = true;
  }

  private assertAlive(): void {
    if (this.disposed) throw new InvalidStateError('This ValueHead has been disposed.', { fix: 'Create a new head.' });
  }
}
