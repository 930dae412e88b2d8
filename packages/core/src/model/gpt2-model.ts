/** GPT-2 with its language-modelling head (tied to `wte`, or a separate `lm_head.weight` when untied). */
import { InvalidArgumentError, InvalidStateError } from '@tunekit/formats';
import * as tf from '@tensorflow/tfjs-core';
import { type ResolvedBackend, vocabChunkRowsFor } from '../backend/resolve-backend';
import '../tf/register-gradients';
import { tidyObject } from '../tf/tidy-object';
import { type GPT2Tokenizer, gpt2Tokenizer } from '../tokenizer/gpt2-tokenizer';
import { type GPT2Config, isTied, validateConfig } from './config';
import type { ForwardHooks } from './hooks';
import type { ParameterSource } from './parameter-source';
import type { EmbeddingTable } from './embedding-table';
import { type GPT2Params, buildParams, disposeParams, namedVariables, outputTable, randomValueSource, type ValueSource } from './params';
import { runTransformer, toIdTensor, type TransformerOptions, type TransformerOutput } from './transformer';

/** Options of {@link GPT2Model.forward}. */
export interface ForwardOptions extends Omit<TransformerOptions, 'hooks'> {
  /** Adapter hooks for this call; default: the model's active {@link GPT2Model.hooks}. `null` runs the bare base model. */
  hooks?: ForwardHooks | null;
}

/** Logits (and, when asked for, hidden states) of a forward pass. The caller disposes every tensor returned. */
export interface ForwardOutput {
  /** Next-token logits [B, T', V]. */
  logits: tf.Tensor3D;
  /** With `outputHiddenStates`: hidden states after `ln_f` [B, T', C]. */
  hidden?: tf.Tensor3D;
  /** With `outputHiddenStates`: the embeddings, then each block's output (before `ln_f`), each [B, T', C]. */
  hiddenStates?: tf.Tensor3D[];
}

/** Options for building a model. */
export interface ModelOptions {
  /** Largest number of `wte` (and untied `lm_head`) rows per chunk. Default: what the backend's binding limit allows (one chunk when unlimited). */
  vocabChunkRows?: number;
}

/** Options of {@link GPT2Model.fromValues} and {@link GPT2Model.random}. */
export interface FromValuesOptions extends ModelOptions {
  /** The started backend the model lives on (from `resolveBackend`); sizes chunks and supplies file access. */
  backend?: ResolvedBackend;
}

/** Parameter counts, like PEFT's `print_trainable_parameters`. */
export interface ParameterReport {
  trainable: number;
  total: number;
  /** trainable / total × 100. */
  percent: number;
}

/** A GPT-2 model: parameters, tokenizer, forward pass, and adapter hook points. */
export class GPT2Model implements ParameterSource {
  readonly config: GPT2Config;
  readonly params: GPT2Params;
  readonly tokenizer: GPT2Tokenizer = gpt2Tokenizer;
  /**
   * The backend the model was created on: its capabilities size the loss's
   * chunks and its files are where `saveModel` writes by default. Undefined
   * for a model built directly from values without one.
   */
  readonly backend: ResolvedBackend | undefined;
  /** Adapter hooks applied by default on every forward pass (set by the adapter API). */
  hooks: ForwardHooks | undefined;
  private disposed = false;

  constructor(config: GPT2Config, params: GPT2Params, backend?: ResolvedBackend) {
    validateConfig(config);
    if (isTied(config) === (params.lmHead !== undefined)) {
      throw new InvalidArgumentError(`GPT2Model: config.tieWordEmbeddings is ${String(config.tieWordEmbeddings ?? true)} but the parameters ${params.lmHead ? 'have' : 'lack'} a separate lm_head`, { fix: 'Set config.tieWordEmbeddings to match the weights: false with a separate lm_head, true (or unset) without.' });
    }
    this.config = config;
    this.params = params;
    this.backend = backend;
  }

  /** Builds a model whose tensors come from `source` (a checkpoint, or random values). */
  static fromValues(config: GPT2Config, source: ValueSource, options: FromValuesOptions = {}): GPT2Model {
    const capabilities = options.backend?.capabilities;
    const vocabChunkRows = options.vocabChunkRows ?? (capabilities && vocabChunkRowsFor(capabilities, config.embeddingDim));
    return new GPT2Model(config, buildParams(config, source, vocabChunkRows, capabilities?.maxBindingBytes), options.backend);
  }

  /** A randomly initialised model (`transformers`' GPT-2 initialisation: N(0, 0.02²), residual projections scaled by 1/√(2·layers)); deterministic for a seed. */
  static random(config: GPT2Config, seed = 0, options: FromValuesOptions = {}): GPT2Model {
    return GPT2Model.fromValues(config, randomValueSource(config, seed), options);
  }

  /**
   * Runs the model. `inputIds` is a batch of equal-length rows (number[][]) or
   * an int32 tensor [B, T]. Returns logits [B, T', V] (T' includes any
   * prompt-tuning tokens), plus hidden states with `outputHiddenStates`.
   */
  forward(inputIds: number[][] | tf.Tensor2D, options: ForwardOptions = {}): ForwardOutput {
    return tidyObject(() => {
      const out = this.transformer(inputIds, options);
      const logits = this.lmHead(out.hidden);
      // Hidden states are returned only when asked for, so that the common
      // `const { logits } = model.forward(ids)` leaves nothing undisposed.
      return options.outputHiddenStates ? { logits, hidden: out.hidden, hiddenStates: out.hiddenStates } : { logits };
    });
  }

  /** The transformer without the LM head: hidden states after `ln_f` [B, T', C]. */
  transformer(inputIds: number[][] | tf.Tensor2D, options: ForwardOptions = {}): TransformerOutput {
    this.assertAlive();
    return tidyObject(() => {
      const ids = toIdTensor(inputIds, this.config.vocabSize);
      const hooks = options.hooks === null ? undefined : (options.hooks ?? this.hooks);
      return runTransformer(this.params, this.config, ids, { ...options, hooks });
    });
  }

  /**
   * The matrix [V, C] the LM head projects onto: `wte` when tied (GPT-2's
   * default), the separate `lm_head.weight` when `config.tieWordEmbeddings`
   * is false. Losses and generation use this, never `params.wte` directly.
   */
  get outputEmbedding(): EmbeddingTable {
    return outputTable(this.params);
  }

  /** The LM head: hidden [B, T, C] → logits [B, T, V], against {@link GPT2Model.outputEmbedding}. */
  lmHead(hidden: tf.Tensor3D): tf.Tensor3D {
    return tf.tidy(() => {
      const [batch, time, channels] = hidden.shape;
      const logits = this.outputEmbedding.project(tf.reshape(hidden, [batch * time, channels]));
      return tf.reshape(logits, [batch, time, this.config.vocabSize]);
    });
  }

  /** Every base variable by its Hugging Face checkpoint name; a `wte` split into chunks appears as `wte.weight#0`, `wte.weight#1`, …, an untied head as `lm_head.weight` (or its chunks). */
  parameters(): Map<string, tf.Variable> {
    this.assertAlive();
    return namedVariables(this.params);
  }

  /** Trainable and total parameter counts of the base model. */
  parameterReport(): ParameterReport {
    let trainable = 0;
    let total = 0;
    for (const variable of this.parameters().values()) {
      total += variable.size;
      if (variable.trainable) trainable += variable.size;
    }
    return { trainable, total, percent: total ? (100 * trainable) / total : 0 };
  }

  /** Whether {@link GPT2Model.dispose} has been called. */
  get isDisposed(): boolean {
    return this.disposed;
  }

  /** Releases every tensor of the model. The model is unusable afterwards. */
  dispose(): void {
    if (this.disposed) return;
    disposeParams(this.params);
    this.disposed = true;
  }

  private assertAlive(): void {
    if (this.disposed) throw new InvalidStateError('This GPT2Model has been disposed.', { fix: 'Load or create the model again; dispose() frees its weights.' });
  }
}
