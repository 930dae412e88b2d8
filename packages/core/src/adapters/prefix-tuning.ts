/**
 * Prefix tuning: P learned key/value positions per layer. The flat prefix
 * [P, L·2·C] is laid out as PEFT's `view(B, P, L·2, H, D).permute(2,0,3,1,4)`
 * reads it: for layer l, columns [2l·C, (2l+1)·C) are the keys and the next C
 * the values, each split into H heads of D channels.
 */
import { InvalidArgumentError } from '@tunekit/formats';
import * as tf from '@tensorflow/tfjs-core';
import type { GPT2Model } from '../model/gpt2-model';
import type { AttentionPrefix, ForwardHooks } from '../model/hooks';
import type { TensorToWrite } from '../io/safetensors';
import { PREFIX_ENCODER_KEYS, PROMPT_EMBEDDINGS_KEY } from './peft-keys';
import { SeededRandom } from '../util/random';
import { type Adapter, assertNotDisposed, type PEFTConfigJSON } from './adapter';
import { float32Variable } from '../tf/variables';
import { kaimingUniform, normal } from './lora-init';

/** Prefix-tuning options (PEFT `PrefixTuningConfig` names in parentheses). */
export interface PrefixTuningConfig {
  /** Number of learned positions P per layer (`num_virtual_tokens`). */
  numVirtualTokens: number;
  /** Produce the prefix with an MLP `Embedding(P, C) → Linear(C, hidden) → tanh → Linear(hidden, L·2·C)` (`prefix_projection`). */
  prefixProjection: boolean;
  /** Hidden width of that MLP (`encoder_hidden_size`); default C. */
  encoderHiddenSize?: number;
  /** `'random'`: N(0, 1) as PEFT's `nn.Embedding`; `'zero'`: a zero prefix (`init_weights: "zero"`; zeroes the MLP's last layer with projection). */
  init: 'random' | 'zero';
  /** Seed of the initialisation. */
  seed: number;
}

/** Defaults of every {@link PrefixTuningConfig} field (PEFT's). */
export const DEFAULT_PREFIX_TUNING: Readonly<PrefixTuningConfig> = Object.freeze({
  numVirtualTokens: 20,
  prefixProjection: false,
  init: 'random',
  seed: 0,
});

/** Options of {@link createPrefixTuning}. */
export interface CreatePrefixTuningOptions extends Partial<PrefixTuningConfig> {
  /** The model whose layers, heads and width the prefix is shaped for. */
  model: GPT2Model;
}

/** The prefix MLP's variables (PyTorch `nn.Linear` layout, weight [out, in]). */
interface PrefixEncoder {
  embedding: tf.Variable; // [P, C]
  w1: tf.Variable; // [hidden, C]
  b1: tf.Variable; // [hidden]
  w2: tf.Variable; // [L·2·C, hidden]
  b2: tf.Variable; // [L·2·C]
}

/** A prefix-tuning adapter. Create it with {@link createPrefixTuning}. */
export class PrefixTuningAdapter implements Adapter {
  readonly peftType = 'PREFIX_TUNING' as const;
  readonly config: PrefixTuningConfig & { encoderHiddenSize: number };
  readonly hooks: ForwardHooks;
  private readonly numLayers: number;
  private readonly numHeads: number;
  private readonly channels: number;
  /** The flat prefix [P, L·2·C], without projection. */
  private readonly flat: tf.Variable | undefined;
  private readonly encoder: PrefixEncoder | undefined;
  private disposed = false;

  /** Builds the adapter; `flatValues` [P, L·2·C] come from a saved file (no projection then). */
  constructor(model: GPT2Model, config: PrefixTuningConfig, flatValues?: Float32Array) {
    const { numLayers, numHeads, embeddingDim: C, contextLength } = model.config;
    const P = config.numVirtualTokens;
    if (!Number.isInteger(P) || P <= 0) throw new InvalidArgumentError(`prefix tuning: numVirtualTokens must be a positive integer, got ${P}`, { fix: 'Pass numVirtualTokens as a whole number ≥ 1 (e.g. 20).' });
    if (P >= contextLength) throw new InvalidArgumentError(`prefix tuning: ${P} virtual tokens leave no room in the context of ${contextLength}`, { fix: 'Use fewer virtual tokens than the context length (e.g. 20).' });
    const hidden = config.encoderHiddenSize ?? C;
    if (!Number.isInteger(hidden) || hidden <= 0) throw new InvalidArgumentError(`prefix tuning: encoderHiddenSize must be a positive integer, got ${hidden}`, { fix: 'Pass encoderHiddenSize as a whole number ≥ 1, or leave it out for the model size.' });
    if (flatValues && config.prefixProjection) throw new InvalidArgumentError('prefix tuning: saved prefixes are MLP outputs;', { fix: 'load them without prefixProjection' });
    this.config = { ...config, encoderHiddenSize: hidden };
    this.numLayers = numLayers;
    this.numHeads = numHeads;
    this.channels = C;
    const width = numLayers * 2 * C;
    const random = new SeededRandom(config.seed);
    const zero = config.init === 'zero';
    if (config.prefixProjection) {
      this.encoder = {
        embedding: float32Variable(normal(P * C, 1, random), [P, C]),
        w1: float32Variable(kaimingUniform(hidden, C, random), [hidden, C]),
        b1: float32Variable(uniform(hidden, 1 / Math.sqrt(C), random), [hidden]),
        w2: float32Variable(zero ? new Float32Array(width * hidden) : kaimingUniform(width, hidden, random), [width, hidden]),
        b2: float32Variable(zero ? new Float32Array(width) : uniform(width, 1 / Math.sqrt(hidden), random), [width]),
      };
    } else {
      const values = flatValues ?? (zero ? new Float32Array(P * width) : normal(P * width, 1, random));
      this.flat = float32Variable(values, [P, width]);
    }
    this.hooks = {
      attentionPrefix: { length: P, get: (layer, batch) => this.prefix(layer, batch) },
    };
  }

  get isDisposed(): boolean {
    return this.disposed;
  }

  /** `prompt_embeddings` [P, L·2·C], or the MLP's variables under PEFT's module names. */
  parameters(): Map<string, tf.Variable> {
    assertNotDisposed(this, 'prefix-tuning');
    if (this.flat) return new Map([[PROMPT_EMBEDDINGS_KEY, this.flat]]);
    const e = this.encoder as PrefixEncoder;
    return new Map([
      [PREFIX_ENCODER_KEYS.embedding, e.embedding],
      [PREFIX_ENCODER_KEYS.w1, e.w1],
      [PREFIX_ENCODER_KEYS.b1, e.b1],
      [PREFIX_ENCODER_KEYS.w2, e.w2],
      [PREFIX_ENCODER_KEYS.b2, e.b2],
    ]);
  }

  /** The flat prefix [P, L·2·C] the model sees (the MLP output with projection). */
  flatPrefix(): tf.Tensor2D {
    assertNotDisposed(this, 'prefix-tuning');
    return tf.tidy(() => this.columns(0, this.numLayers * 2 * this.channels));
  }

  peftConfig(): PEFTConfigJSON {
    return {
      peft_type: 'PREFIX_TUNING',
      num_virtual_tokens: this.config.numVirtualTokens,
      token_dim: this.channels,
      num_layers: this.numLayers,
      num_attention_heads: this.numHeads,
      num_transformer_submodules: 1,
      encoder_hidden_size: this.config.encoderHiddenSize,
      prefix_projection: this.config.prefixProjection,
      init_weights: this.config.init === 'zero' ? 'zero' : null,
    };
  }

  /** `prompt_embeddings` [P, L·2·C]; with projection, the MLP's output, as PEFT saves it. */
  async peftTensors(): Promise<Map<string, TensorToWrite>> {
    const flat = this.flatPrefix();
    const data = (await flat.data()) as Float32Array;
    const shape = [...flat.shape];
    flat.dispose();
    return new Map([[PROMPT_EMBEDDINGS_KEY, { shape, data }]]);
  }

  dispose(): void {
    if (this.disposed) return;
    if (this.flat) this.flat.dispose();
    if (this.encoder) tf.dispose(Object.values(this.encoder));
    this.disposed = true;
  }

  /** Keys and values of one layer, each [B, H, P, D]. */
  private prefix(layer: number, batch: number): AttentionPrefix {
    const C = this.channels;
    const P = this.config.numVirtualTokens;
    const both = this.columns(2 * layer * C, 2 * C); // [P, 2C]
    const heads = (part: tf.Tensor2D): tf.Tensor4D => {
      const perHead = tf.transpose(tf.reshape(part, [P, this.numHeads, C / this.numHeads]), [1, 0, 2]); // [H, P, D]
      return tf.tile(tf.expandDims(perHead, 0), [batch, 1, 1, 1]) as tf.Tensor4D; // [B, H, P, D]
    };
    return {
      key: heads(tf.slice(both, [0, 0], [P, C])),
      value: heads(tf.slice(both, [0, C], [P, C])),
    };
  }

  /** Columns [start, start + width) of the flat prefix [P, L·2·C]; with projection only that slice of the last layer is computed. */
  private columns(start: number, width: number): tf.Tensor2D {
    if (this.flat) return tf.slice(this.flat as tf.Tensor2D, [0, start], [-1, width]);
    const e = this.encoder as PrefixEncoder;
    const hidden = tf.tanh(tf.add(tf.matMul(e.embedding, e.w1, false, true), e.b1)); // [P, hidden]
    const w2 = tf.slice(e.w2, [start, 0], [width, -1]); // [width, hidden]
    return tf.add(tf.matMul(hidden, w2, false, true), tf.slice(e.b2, [start], [width])) as tf.Tensor2D; // [P, width]
  }
}

/** Values ~ U(−bound, bound) (`nn.Linear`'s bias init). */
function uniform(count: number, bound: number, random: SeededRandom): Float32Array {
  const values = new Float32Array(count);
  for (let i = 0; i < count; i++) values[i] = (2 * random.next() - 1) * bound;
  return values;
}

/**
 * Creates a prefix-tuning adapter. Real tokens then start at position P (as
 * in Hugging Face's GPT-2 with `past_key_values`); labels need no change.
 *
 * @example
 * ```ts
 * const adapter = createPrefixTuning({ model, numVirtualTokens: 20 });
 * applyAdapter({ model, adapter });
 * ```
 */
export function createPrefixTuning(options: CreatePrefixTuningOptions): PrefixTuningAdapter {
  const { model, ...rest } = options;
  const config = { ...DEFAULT_PREFIX_TUNING, ...Object.fromEntries(Object.entries(rest).filter(([, v]) => v !== undefined)) } as PrefixTuningConfig;
  if (config.init !== 'random' && config.init !== 'zero') throw new InvalidArgumentError(`prefix tuning: init must be 'random' or 'zero', got ${String(config.init)}`, { fix: "Pass init: 'random' or 'zero'." });
  return new PrefixTuningAdapter(model, config);
}

