/**
 * The frozen prefix of a training forward pass: the embeddings and the
 * leading blocks that read no variable the step takes gradients for.
 *
 * While a gradient is being taken, tfjs records every op on the tape, and each
 * recorded op keeps the tensors its gradient function would need until the
 * backward pass ends — also ops whose gradient is never computed because
 * nothing before them trains. With the first eleven of GPT-2's twelve blocks
 * frozen (the classification chapter's setup), those saved activations are
 * most of a step's memory. Running the prefix inside one `tf.customGrad` op
 * keeps it off the tape (the engine records nothing while an op's forward
 * runs): its intermediates are freed block by block, as in inference, and only
 * its output enters the tape. The kernels, their inputs and the order of the
 * dropout seeds are unchanged, so values and gradients are the same floats.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { ForwardHooks } from './hooks';
import type { KVCache } from './kv-cache';
import { blockVariables, type GPT2Params } from './params';

/** What decides how much of a pass may run off the tape. */
export interface FrozenPrefixQuery {
  /** The variables gradients are taken for; without it, nothing runs off the tape. */
  gradientsFor?: ReadonlySet<tf.Variable>;
  /** Active adapter hooks: they may read trainable variables anywhere, so any hook keeps the whole pass on the tape. */
  hooks?: ForwardHooks;
  /** Generation with a cache: never differentiated, left as it is. */
  cache?: KVCache;
  /** Intermediate hidden states must be returned, so the prefix cannot be one op. */
  outputHiddenStates?: boolean;
}

function hasHooks(hooks: ForwardHooks | undefined): boolean {
  return hooks !== undefined && (hooks.linear !== undefined || hooks.promptEmbeddings !== undefined || hooks.attentionPrefix !== undefined);
}

/**
 * How many leading blocks (with the embeddings before them) can run off the
 * tape: those before the first block that reads a variable in
 * `gradientsFor`; all blocks when none does; 0 when the embeddings are
 * differentiated, a hook is active, a cache is used or hidden states are asked for.
 */
export function frozenPrefixBlocks(params: GPT2Params, query: FrozenPrefixQuery): number {
  const trained = query.gradientsFor;
  if (!trained || query.cache || query.outputHiddenStates || hasHooks(query.hooks)) return 0;
  if ([...params.wte.chunks, params.wpe].some((variable) => trained.has(variable))) return 0;
  const first = params.blocks.findIndex((block, layer) => blockVariables(block, layer).some(([, variable]) => trained.has(variable)));
  return first < 0 ? params.blocks.length : first;
}

/**
 * Runs `prefix` as one op that the gradient tape records without saved
 * tensors. `ids` is its input (the token ids: nothing differentiable flows
 * in), so the op is never on a path from a differentiated variable and its
 * gradient function never runs; it returns zeros for completeness.
 */
export function runOffTape(ids: tf.Tensor, prefix: () => tf.Tensor3D): tf.Tensor3D {
  const op = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const input = args[0] as tf.Tensor;
    return { value: prefix(), gradFunc: () => tf.zerosLike(input) };
  });
  return op(ids) as tf.Tensor3D;
}

/**
 * The embeddings, then blocks 0..count-1, each in a tidy of its own and its
 * input freed after it: off the tape, nothing else holds their intermediates,
 * so only one block's are alive at a time.
 */
export function frozenPrefix(embed: () => tf.Tensor3D, block: (x: tf.Tensor3D, layer: number) => tf.Tensor3D, count: number): tf.Tensor3D {
  let x = tf.tidy(embed);
  for (let layer = 0; layer < count; layer++) {
    const input = x;
    x = tf.tidy(() => block(input, layer));
    input.dispose();
  }
  return x;
}
