/**
 * Text generation: greedy or sampled decoding, with a key/value cache,
 * streaming, stop conditions, and left truncation when the context fills.
 */
import { InvalidArgumentError } from '@tunekit/formats';
import * as tf from '@tensorflow/tfjs-core';
import type { GPT2Model } from '../model/gpt2-model';
import type { ForwardHooks } from '../model/hooks';
import { KVCache } from '../model/kv-cache';
import { assertNotTraining } from '../train/model-lock';
import { SeededRandom } from '../util/random';
import { chooseToken, penalizeRepeats, type SamplingOptions, validateSampling } from './sampling';
import { findStop, safeLength } from './stop-strings';

/** Options of {@link generate} and {@link generateStream}. */
export interface GenerateOptions extends SamplingOptions {
  /** The model to generate with. */
  model: GPT2Model;
  /** Text or token ids to continue. */
  prompt: string | readonly number[];
  /** Tokens to generate at most. Default 50. */
  maxNewTokens?: number;
  /** Stop when one of these strings appears; it is not included in the text. */
  stop?: string[];
  /** Token that ends generation (default: the model's `<|endoftext|>`); `null` to never stop on a token. */
  eosTokenId?: number | null;
  /**
   * Reuse keys/values of earlier tokens (much faster). Default true. Both
   * give the same tokens, also past the context length: when the window
   * fills, both jump forward to the most recent tokens (see {@link generateStream}).
   */
  useCache?: boolean;
  /** Seed of the sampler. Default 0. */
  seed?: number;
  /** Let a string prompt contain `<|endoftext|>` as the special token. Default false. */
  allowEndOfText?: boolean;
  /** Adapter hooks to use (default: the model's active ones); `null` for the bare base model. */
  hooks?: ForwardHooks | null;
  /** Called with every new token and the text it settles. */
  onToken?: (chunk: GenerationChunk) => void;
  /** Stops generation early (finish reason `abort`). */
  signal?: AbortSignal;
}

/** One streamed step. */
export interface GenerationChunk {
  /** The token chosen at this step. */
  token: number;
  /** Newly settled text (may be empty while a character or stop string is incomplete). */
  text: string;
}

/** Why generation ended. */
export type FinishReason = 'eos' | 'stop' | 'length' | 'abort';

/** The outcome of {@link generate}. */
export interface GenerateResult {
  /** Generated text, without the prompt, the EOS token, or a stop string. */
  text: string;
  /** Generated token ids (the EOS token excluded). */
  tokens: number[];
  /** The prompt's token ids as fed to the model (after any left truncation). */
  promptTokens: number[];
  finishReason: FinishReason;
}

function promptIds(model: GPT2Model, prompt: string | readonly number[], allowEndOfText: boolean): number[] {
  const ids = typeof prompt === 'string' ? model.tokenizer.encode(prompt, { allowEndOfText }) : [...prompt];
  if (ids.length === 0) throw new InvalidArgumentError('generate: the prompt is empty;', { fix: 'pass at least one token (e.g. <|endoftext|> with allowEndOfText)' });
  return ids;
}

/** Positions the hooks occupy before the real tokens (prefix and prompt tuning). */
function virtualLength(hooks: ForwardHooks | undefined): number {
  return (hooks?.attentionPrefix?.length ?? 0) + (hooks?.promptEmbeddings?.length ?? 0);
}

/** Logits of the last position, as a plain array. */
async function lastLogits(model: GPT2Model, ids: number[], cache: KVCache | undefined, hooks: ForwardHooks | undefined): Promise<Float32Array> {
  const row = tf.tidy(() => {
    const hidden = model.transformer([ids], { cache, hooks: hooks ?? null }).hidden; // [1, T', C]
    const last = tf.slice(hidden, [0, hidden.shape[1] - 1, 0], [1, 1, hidden.shape[2]]);
    return model.lmHead(last as tf.Tensor3D);
  });
  const values = (await row.data()) as Float32Array;
  row.dispose();
  return values;
}

/**
 * Generates tokens one at a time. Yields each token with the text it settles.
 * The returned value (when the iterator finishes) is the full result.
 *
 * Context overflow: a prompt that leaves less than `min(maxNewTokens,
 * window/2)` positions free loses its left part. When prompt and generated
 * tokens fill the window, the model next reads only the most recent
 * `window − min(remaining tokens, window/4)` of them (at least 1) and reads
 * from there on until the window fills again: a jump, not a one-token slide,
 * because a KV cache cannot slide under GPT-2's absolute positions. The
 * uncached path applies the same rule, so `useCache` never changes the tokens.
 *
 * A model being trained is refused (`ModelBusyError`), except from
 * inside the trainer's callbacks, where its weights are still.
 */
export async function* generateStream(options: GenerateOptions): AsyncGenerator<GenerationChunk, GenerateResult> {
  const { model, prompt } = options;
  assertNotTraining(model);
  validateSampling(options);
  const maxNewTokens = options.maxNewTokens ?? 50;
  if (!(Number.isInteger(maxNewTokens) && maxNewTokens >= 0)) throw new InvalidArgumentError(`maxNewTokens must be a non-negative integer, got ${maxNewTokens}`, { fix: 'Pass maxNewTokens as a whole number ≥ 0.' });
  const hooks = options.hooks === null ? undefined : (options.hooks ?? model.hooks);
  const window = model.config.contextLength - virtualLength(hooks);
  if (window < 2) throw new InvalidArgumentError(`generate: adapters use ${virtualLength(hooks)} of ${model.config.contextLength} positions; nothing is left for text`, { fix: 'Use fewer virtual tokens (numVirtualTokens), or a model with a longer context.' });
  const eos = options.eosTokenId === undefined ? model.config.eosTokenId : options.eosTokenId;
  const stops = (options.stop ?? []).filter((s) => s.length > 0);
  const random = new SeededRandom(options.seed ?? 0);
  const useCache = options.useCache ?? true;

  // Keep room for the answer: a prompt that fills the window loses its left part.
  let context = promptIds(model, prompt, options.allowEndOfText ?? false);
  const room = Math.max(1, Math.min(maxNewTokens, Math.floor(window / 2)));
  if (context.length > window - room) context = context.slice(context.length - (window - room));
  const fedPrompt = [...context];

  const generated: number[] = [];
  let emitted = 0;
  let finishReason: FinishReason = 'length';
  let cache = useCache ? new KVCache() : undefined;
  let pending = context; // tokens not yet seen by the cache
  let start = 0; // the model reads context[start…]: one sliding rule for both paths
  try {
    for (let step = 0; step < maxNewTokens; step++) {
      if (options.signal?.aborted) {
        finishReason = 'abort';
        break;
      }
      assertNotTraining(model); // a run may have started since the last token
      if (context.length - start > window) {
        // The window is full: jump forward, keeping the most recent tokens and
        // room for the rest (a quarter of the window at most). The cache must
        // start again there (GPT-2's positions are absolute), and the uncached
        // path reads the same tokens, so both give the same tokens.
        start = context.length - Math.max(1, window - Math.max(1, Math.min(maxNewTokens - step, Math.floor(window / 4))));
        if (cache) {
          cache.dispose();
          cache = new KVCache();
          pending = context.slice(start);
        }
      }
      const input = cache ? pending : context.slice(start);
      const logits = await lastLogits(model, input, cache, hooks);
      if (options.repetitionPenalty) penalizeRepeats(logits, context, options.repetitionPenalty);
      const token = chooseToken(logits, options, random);
      if (eos !== null && token === eos) {
        finishReason = 'eos';
        break;
      }
      generated.push(token);
      context = [...context, token];
      pending = [token];
      const text = model.tokenizer.decode(generated);
      const stopAt = findStop(text, stops);
      const settled = stopAt >= 0 ? stopAt : safeLength(text, stops);
      const chunk = { token, text: text.slice(emitted, Math.max(emitted, settled)) };
      emitted = Math.max(emitted, settled);
      options.onToken?.(chunk);
      yield chunk;
      if (stopAt >= 0) {
        finishReason = 'stop';
        break;
      }
    }
  } finally {
    cache?.dispose();
  }
  const fullText = model.tokenizer.decode(generated);
  const stopAt = findStop(fullText, stops);
  return { text: stopAt >= 0 ? fullText.slice(0, stopAt) : fullText, tokens: generated, promptTokens: fedPrompt, finishReason };
}

/**
 * Generates a continuation of `prompt` (text or token ids).
 *
 * @example
 * ```ts
 * const { text } = await generate({ model, prompt: 'The capital of France is', maxNewTokens: 20 });
 * ```
 */
export async function generate(options: GenerateOptions): Promise<GenerateResult> {
  const stream = generateStream(options);
  for (;;) {
    const step = await stream.next();
    if (step.done) return step.value;
  }
}
