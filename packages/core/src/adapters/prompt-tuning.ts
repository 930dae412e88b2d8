/**
 * Prompt tuning: P learned embeddings [P, C] prepended to the token
 * embeddings, as PEFT's `inputs_embeds = cat(prompts, wte(ids))`. The virtual
 * tokens take positions 0..P−1, so the transformer returns P + T positions and
 * labels need P leading ignore labels (see {@link prependIgnoreLabels}).
 */
import { InvalidArgumentError } from '@tunekit/formats';
import * as tf from '@tensorflow/tfjs-core';
import type { GPT2Model } from '../model/gpt2-model';
import type { ForwardHooks } from '../model/hooks';
import type { TensorToWrite } from '../io/safetensors';
import { PROMPT_EMBEDDINGS_KEY } from './peft-keys';
import { SeededRandom } from '../util/random';
import { type Adapter, assertNotDisposed, type PEFTConfigJSON, variableTensors } from './adapter';
import { float32Variable, variableOf } from '../tf/variables';
import { normal } from './lora-init';

/** How the soft prompt starts (PEFT's `prompt_tuning_init`). */
export type PromptTuningInit =
  /** N(0, 1), PEFT's default (`nn.Embedding`'s init). */
  | 'RANDOM'
  /** The token embeddings of `initText`, repeated or cut to P tokens. */
  | 'TEXT'
  /** The token embeddings of P random vocabulary ids. */
  | 'SAMPLE_VOCAB';

/** Prompt-tuning options (PEFT `PromptTuningConfig` names in parentheses). */
export interface PromptTuningConfig {
  /** Number of virtual tokens P (`num_virtual_tokens`). */
  numVirtualTokens: number;
  /** Initialisation (`prompt_tuning_init`). */
  init: PromptTuningInit;
  /** Text for `'TEXT'` initialisation (`prompt_tuning_init_text`). */
  initText?: string;
  /** Tokenizer name written to the config for `'TEXT'` (`tokenizer_name_or_path`; PEFT requires one). Default `openai-community/gpt2`. */
  tokenizerNameOrPath?: string;
  /** Seed of `'RANDOM'` and `'SAMPLE_VOCAB'`. */
  seed: number;
}

/** Defaults of every {@link PromptTuningConfig} field (PEFT's). */
export const DEFAULT_PROMPT_TUNING: Readonly<PromptTuningConfig> = Object.freeze({
  numVirtualTokens: 20,
  init: 'RANDOM',
  seed: 0,
});

/** Options of {@link createPromptTuning}. */
export interface CreatePromptTuningOptions extends Partial<PromptTuningConfig> {
  /** The model whose embedding width (and, for `'TEXT'`/`'SAMPLE_VOCAB'`, token embeddings) the prompt uses. */
  model: GPT2Model;
}

/** A prompt-tuning adapter. Create it with {@link createPromptTuning}. */
export class PromptTuningAdapter implements Adapter {
  readonly peftType = 'PROMPT_TUNING' as const;
  readonly config: PromptTuningConfig;
  readonly hooks: ForwardHooks;
  private readonly embeddings: tf.Variable; // [P, C]
  private readonly modelShape: { numLayers: number; numHeads: number };
  private disposed = false;

  /** Builds the adapter; `values` [P, C] come from a saved file. */
  constructor(model: GPT2Model, config: PromptTuningConfig, values?: Float32Array) {
    const P = config.numVirtualTokens;
    const { embeddingDim: C, contextLength, vocabSize } = model.config;
    if (!Number.isInteger(P) || P <= 0) throw new InvalidArgumentError(`prompt tuning: numVirtualTokens must be a positive integer, got ${P}`, { fix: 'Pass numVirtualTokens as a whole number ≥ 1 (e.g. 20).' });
    if (P >= contextLength) throw new InvalidArgumentError(`prompt tuning: ${P} virtual tokens leave no room in the context of ${contextLength}`, { fix: 'Use fewer virtual tokens than the context length (e.g. 20).' });
    this.config = config;
    this.modelShape = { numLayers: model.config.numLayers, numHeads: model.config.numHeads };
    if (values) {
      this.embeddings = float32Variable(values, [P, C]);
    } else if (config.init === 'RANDOM') {
      this.embeddings = float32Variable(normal(P * C, 1, new SeededRandom(config.seed)), [P, C]);
    } else {
      const ids = config.init === 'TEXT' ? textIds(model, config.initText, P) : sampleIds(vocabSize, P, config.seed);
      this.embeddings = variableOf(() => model.params.wte.gather(tf.tensor1d(ids, 'int32')));
    }
    this.hooks = {
      promptEmbeddings: {
        length: P,
        get: (batch) => tf.tile(tf.expandDims(this.embeddings, 0), [batch, 1, 1]) as tf.Tensor3D, // [B, P, C]
      },
    };
  }

  get isDisposed(): boolean {
    return this.disposed;
  }

  /** `prompt_embeddings` [P, C]. */
  parameters(): Map<string, tf.Variable> {
    assertNotDisposed(this, 'prompt-tuning');
    return new Map([[PROMPT_EMBEDDINGS_KEY, this.embeddings]]);
  }

  peftConfig(): PEFTConfigJSON {
    const text = this.config.init === 'TEXT';
    return {
      peft_type: 'PROMPT_TUNING',
      num_virtual_tokens: this.config.numVirtualTokens,
      token_dim: this.embeddings.shape[1] as number,
      num_layers: this.modelShape.numLayers,
      num_attention_heads: this.modelShape.numHeads,
      num_transformer_submodules: 1,
      prompt_tuning_init: this.config.init,
      prompt_tuning_init_text: text ? (this.config.initText as string) : null,
      tokenizer_name_or_path: text ? (this.config.tokenizerNameOrPath ?? 'openai-community/gpt2') : null,
    };
  }

  peftTensors(): Promise<Map<string, TensorToWrite>> {
    return variableTensors(this);
  }

  dispose(): void {
    if (this.disposed) return;
    this.embeddings.dispose();
    this.disposed = true;
  }
}

/** PEFT's TEXT init: the text's ids, cut to P or repeated until P. */
function textIds(model: GPT2Model, text: string | undefined, count: number): number[] {
  if (!text) throw new InvalidArgumentError("prompt tuning: init 'TEXT' needs a non-empty initText", { fix: "Pass initText (e.g. 'Classify the sentiment:'), or use init 'RANDOM'." });
  const ids = model.tokenizer.encode(text);
  if (ids.length === 0) throw new InvalidArgumentError(`prompt tuning: initText ${JSON.stringify(text)} has no tokens`, { fix: 'Pass an initText with at least one word.' });
  return Array.from({ length: count }, (_, i) => ids[i % ids.length] as number);
}

/** PEFT's SAMPLE_VOCAB init: P ids drawn uniformly from the vocabulary. */
function sampleIds(vocabSize: number, count: number, seed: number): number[] {
  const random = new SeededRandom(seed);
  return Array.from({ length: count }, () => random.nextInt(vocabSize));
}

/**
 * Creates a prompt-tuning adapter.
 *
 * @example
 * ```ts
 * const adapter = createPromptTuning({ model, numVirtualTokens: 8, init: 'TEXT', initText: 'Answer the instruction:' });
 * applyAdapter({ model, adapter });
 * ```
 */
export function createPromptTuning(options: CreatePromptTuningOptions): PromptTuningAdapter {
  const { model, ...rest } = options;
  const config = { ...DEFAULT_PROMPT_TUNING, ...Object.fromEntries(Object.entries(rest).filter(([, v]) => v !== undefined)) } as PromptTuningConfig;
  if (!['RANDOM', 'TEXT', 'SAMPLE_VOCAB'].includes(config.init)) throw new InvalidArgumentError(`prompt tuning: init must be 'RANDOM', 'TEXT' or 'SAMPLE_VOCAB', got ${String(config.init)}`, { fix: "Pass init: 'RANDOM', 'TEXT' (with initText) or 'SAMPLE_VOCAB'." });
  return new PromptTuningAdapter(model, config);
}
