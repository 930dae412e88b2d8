/**
 * The GPT-2 forward pass up to the final layer norm: embeddings, blocks,
 * `ln_f`. The LM head lives with the model (it is tied to `wte`).
 */
import { InvalidArgumentError, InvalidStateError } from '@tunekit/formats';
import * as tf from '@tensorflow/tfjs-core';
import { SeededRandom } from '../util/random';
import { causalMask, paddingMask } from './attention-mask';
import type { AttentionPass } from './attention';
import { frozenPrefix, frozenPrefixBlocks, runOffTape } from './frozen-prefix';
import { transformerBlock } from './block';
import type { GPT2Config } from './config';
import type { ForwardContext, ForwardHooks } from './hooks';
import type { KVCache } from './kv-cache';
import { dropout, layerNorm } from './layers';
import type { BlockParams, GPT2Params } from './params';

/**
 * One transformer block as a function of its input and the tensors it reads
 * besides the weights (`extras`: the attention mask). Every call with the same
 * tensors gives the same output: the dropout seeds drawn by the first call
 * are replayed by later ones.
 */
export type ReplayableBlock = (x: tf.Tensor3D, extras: readonly tf.Tensor[]) => tf.Tensor3D;

/**
 * Runs a block in place of calling it directly: gradient checkpointing keeps
 * only `x` and `extras` for the backward pass and calls `block` again there.
 */
export type BlockRunner = (block: ReplayableBlock, x: tf.Tensor3D, extras: readonly tf.Tensor[]) => tf.Tensor3D;

/** Options of one forward pass. */
export interface TransformerOptions {
  /** Enables dropout. Default false. */
  training?: boolean;
  /** Seed of the dropout masks of this pass (default: a fixed seed). */
  seed?: number;
  /** A cache to read earlier keys/values from and append this pass's to. */
  cache?: KVCache;
  /** 1 for real tokens, 0 for padding, [B, T]; needed only for left padding or batched generation. */
  attentionMask?: tf.Tensor2D;
  /** Adapter hooks active in this pass. */
  hooks?: ForwardHooks;
  /** Also return the embeddings and each block's output. */
  outputHiddenStates?: boolean;
  /** Runs each block (gradient checkpointing); not used with a cache. Default: blocks are called directly. */
  blockRunner?: BlockRunner;
  /**
   * The variables the caller takes gradients for in this pass (`train()`
   * passes its trainable variables). With it, the embeddings and the leading
   * blocks that read none of them run off the gradient tape: they keep no
   * activations for the backward pass, which never reaches them. Values and
   * gradients are unchanged. Ignored (everything is recorded) while an
   * adapter hook is active, with a cache, and with `outputHiddenStates`.
   * Default: every op is recorded.
   */
  gradientsFor?: ReadonlySet<tf.Variable>;
}

/** Result of the transformer: hidden states after `ln_f`, and optionally every intermediate one. */
export interface TransformerOutput {
  /** [B, T', C] after the final layer norm; T' = T plus any prompt-tuning tokens. */
  hidden: tf.Tensor3D;
  /** Embeddings, then the output of each block (before `ln_f`), each [B, T', C]. */
  hiddenStates?: tf.Tensor3D[];
}

/** Checks ids eagerly so that a bad id gives a clear error instead of garbage rows. */
export function toIdTensor(inputIds: number[][] | tf.Tensor2D, vocabSize: number): tf.Tensor2D {
  if (inputIds instanceof tf.Tensor) {
    if (inputIds.rank !== 2) throw new InvalidArgumentError(`inputIds must be [batch, time], got shape [${inputIds.shape}]`, { fix: 'Pass inputIds as a rank-2 int32 tensor [batch, time].' });
    return inputIds.dtype === 'int32' ? inputIds : tf.cast(inputIds, 'int32');
  }
  if (!Array.isArray(inputIds) || inputIds.length === 0 || !Array.isArray(inputIds[0])) {
    throw new InvalidArgumentError('inputIds must be a non-empty number[][] (batch of token id rows) or an int32 tensor [B, T]', { fix: 'Pass token ids from the tokenizer as [[id, id, …]] (one row per sequence).' });
  }
  const time = (inputIds[0] as number[]).length;
  inputIds.forEach((row, b) => {
    if (row.length !== time) throw new InvalidArgumentError(`inputIds rows must have equal length: row 0 has ${time}, row ${b} has ${row.length}`, { fix: 'Pad the rows to one length (collate does), or run them one at a time.' });
    row.forEach((id, t) => {
      if (!Number.isInteger(id) || id < 0 || id >= vocabSize) {
        throw new InvalidArgumentError(`inputIds[${b}][${t}] = ${id} is not a token id in [0, ${vocabSize})`, { fix: "Tokenise with the model's own tokenizer; ids must be below its vocabSize." });
      }
    });
  });
  return tf.tensor2d(inputIds.flat(), [inputIds.length, time], 'int32');
}

/** Runs embeddings → blocks → ln_f. ids [B, T] int32. */
export function runTransformer(params: GPT2Params, config: GPT2Config, ids: tf.Tensor2D, options: TransformerOptions = {}): TransformerOutput {
  const { hooks, cache } = options;
  const [batch, tokens] = ids.shape;
  const random = new SeededRandom(options.seed ?? 0);
  const context: ForwardContext = { training: options.training ?? false, nextSeed: () => random.nextSeed() };

  const past = cache?.length ?? 0;
  const fresh = past === 0;
  const prompt = fresh ? hooks?.promptEmbeddings?.get(batch, context) : undefined; // [B, P, C]
  const promptLength = prompt ? prompt.shape[1] : 0;
  const prefixLength = fresh && hooks?.attentionPrefix ? hooks.attentionPrefix.length : 0;
  const queries = promptLength + tokens;
  const positionStart = past + prefixLength;
  if (positionStart + queries > config.contextLength) {
    throw new InvalidArgumentError(
      `Sequence too long: positions ${positionStart}..${positionStart + queries - 1} exceed the context length ${config.contextLength}` +
        (past ? ` (${past} cached)` : '') + (prefixLength ? ` (${prefixLength} prefix tokens)` : '') + ';',
      { fix: 'truncate the input' },
    );
  }

  let mask: tf.Tensor4D = causalMask(queries, past + prefixLength); // [1, 1, T', S]
  if (options.attentionMask || cache?.attentionMask) {
    const parts: tf.Tensor2D[] = [];
    if (past) parts.push(cache?.attentionMask ?? tf.ones([batch, past]));
    if (prefixLength + promptLength) parts.push(tf.ones([batch, prefixLength + promptLength]));
    parts.push(options.attentionMask ?? tf.ones([batch, tokens]));
    const keyMask = tf.concat(parts, 1) as tf.Tensor2D; // [B, S]
    mask = tf.add(mask, paddingMask(keyMask));
    cache?.advance(0, keyMask);
  }

  const hiddenStates: tf.Tensor3D[] = [];
  const embed = (): tf.Tensor3D => {
    let e = params.wte.gather(ids) as tf.Tensor3D; // [B, T, C]
    if (prompt) e = tf.concat([prompt, e], 1);
    const positions = tf.range(positionStart, positionStart + queries, 1, 'int32');
    e = tf.add(e, tf.gather(params.wpe, positions)); // [B, T', C]
    if (options.outputHiddenStates) hiddenStates.push(e);
    return dropout(e, config.embeddingDropout, context) as tf.Tensor3D;
  };
  const pass: AttentionPass = { config, hooks, context, cache, withPrefix: prefixLength > 0, mask };
  // Blocks no gradient reaches run as one op that keeps nothing for backward (see frozen-prefix.ts).
  const frozen = frozenPrefixBlocks(params, { ...options, hooks });
  const runner = cache ? undefined : options.blockRunner;
  const runBlock = (x: tf.Tensor3D, layer: number): tf.Tensor3D => {
    const block = params.blocks[layer] as BlockParams;
    let out: tf.Tensor3D;
    if (runner && layer >= frozen) {
      const replayable = replayableBlock(context, (input, blockContext, [blockMask]) => transformerBlock(input, block, layer, { ...pass, context: blockContext, mask: blockMask as tf.Tensor4D }));
      out = runner(replayable, x, [mask]);
    } else {
      out = transformerBlock(x, block, layer, pass);
    }
    if (options.outputHiddenStates) hiddenStates.push(out);
    return out;
  };
  let x = frozen > 0 ? runOffTape(ids, () => frozenPrefix(embed, runBlock, frozen)) : embed();
  for (let layer = frozen; layer < params.blocks.length; layer++) x = runBlock(x, layer);
  cache?.advance(prefixLength + queries);
  const hidden = layerNorm(x, params.lnF, config.layerNormEpsilon) as tf.Tensor3D;
  return options.outputHiddenStates ? { hidden, hiddenStates } : { hidden };
}

/**
 * Makes a block callable more than once with the same result: the first call
 * draws its dropout seeds from the pass and records them, later calls (the
 * recomputation in backward) get the same seeds in the same order, so every
 * dropout mask — residual, attention (fused or not), LoRA — is the same.
 */
function replayableBlock(context: ForwardContext, run: (x: tf.Tensor3D, context: ForwardContext, extras: readonly tf.Tensor[]) => tf.Tensor3D): ReplayableBlock {
  let recorded: number[] | undefined;
  return (x, extras) => {
    if (!recorded) {
      const seeds: number[] = [];
      recorded = seeds;
      return run(x, { training: context.training, nextSeed: () => { const seed = context.nextSeed(); seeds.push(seed); return seed; } }, extras);
    }
    const seeds = recorded;
    let next = 0;
    const replay: ForwardContext = {
      training: context.training,
      nextSeed: () => {
        if (next >= seeds.length) throw new InvalidStateError(`a recomputed block drew more than the ${seeds.length} dropout seeds of its first run`, { fix: 'This is a tunekit bug: please report it with the train() settings.' });
        return seeds[next++] as number;
      },
    };
    return run(x, replay, extras);
  };
}
