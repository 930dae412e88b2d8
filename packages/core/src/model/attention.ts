/** Causal multi-head self-attention with a key/value cache and prefix hook. */
import * as tf from '@tensorflow/tfjs-core';
import type { GPT2Config } from './config';
import type { ForwardContext, ForwardHooks } from './hooks';
import type { KVCache } from './kv-cache';
import { opPathAttention } from './attention-op-path';
import { canFuseAttention, fusedAttention } from './fused-attention';
import { linear } from './layers';
import type { BlockParams } from './params';

/** What every layer's attention needs to know about the current pass. */
export interface AttentionPass {
  config: GPT2Config;
  hooks: ForwardHooks | undefined;
  context: ForwardContext;
  cache: KVCache | undefined;
  /** Whether the prefix-tuning hook adds its keys/values in this pass. */
  withPrefix: boolean;
  /**
   * Additive mask [1 or B, 1, T, S]: 0 where allowed, a large negative value
   * elsewhere. Always causal; a [1, ...] mask is only causal (padding makes
   * it per-row), which lets the fused attention skip future keys.
   */
  mask: tf.Tensor4D;
}

/** [B, T, C] → [B, H, T, D]. */
function splitHeads(x: tf.Tensor, numHeads: number): tf.Tensor4D {
  const [batch, time, channels] = x.shape as [number, number, number];
  return tf.transpose(tf.reshape(x, [batch, time, numHeads, channels / numHeads]), [0, 2, 1, 3]);
}

/** [B, H, T, D] → [B, T, C]. */
function mergeHeads(x: tf.Tensor4D): tf.Tensor3D {
  const [batch, heads, time, headDim] = x.shape;
  return tf.reshape(tf.transpose(x, [0, 2, 1, 3]), [batch, time, heads * headDim]);
}

/** Self-attention of one block: x [B, T, C] (already layer-normed) → [B, T, C]. */
export function selfAttention(x: tf.Tensor3D, params: BlockParams['attention'], layer: number, pass: AttentionPass): tf.Tensor3D {
  const { config, hooks, context, cache } = pass;
  const batch = x.shape[0];
  const qkv = linear(x, params.cAttn, `h.${layer}.attn.c_attn`, hooks, context) as tf.Tensor3D; // [B, T, 3C]
  const headDim = config.embeddingDim / config.numHeads;
  let scale = 1 / Math.sqrt(headDim);
  if (config.scaleAttentionByLayer) scale /= layer + 1;
  const dropoutRate = context.training ? Math.max(0, config.attentionDropout) : 0;
  if (!cache && !(pass.withPrefix && hooks?.attentionPrefix) && canFuseAttention(qkv, pass.mask, dropoutRate)) {
    // Draws the dropout seed exactly when the op path's dropout() would, so later seeds are unchanged.
    const seed = dropoutRate > 0 ? context.nextSeed() : 0;
    const attended = fusedAttention(qkv, pass.mask, { heads: config.numHeads, scale, dropoutRate, seed });
    return linear(attended, params.cProj, `h.${layer}.attn.c_proj`, hooks, context) as tf.Tensor3D;
  }
  const [q, k, v] = tf.split(qkv, 3, -1) as [tf.Tensor, tf.Tensor, tf.Tensor];
  const query = splitHeads(q, config.numHeads); // [B, H, T, D]
  let key = splitHeads(k, config.numHeads); // [B, H, T, D]
  let value = splitHeads(v, config.numHeads);
  if (pass.withPrefix && hooks?.attentionPrefix) {
    const prefix = hooks.attentionPrefix.get(layer, batch, context); // [B, H, P, D]
    key = tf.concat([prefix.key, key], 2);
    value = tf.concat([prefix.value, value], 2);
  }
  const past = cache?.get(layer);
  if (past) {
    key = tf.concat([past.key, key], 2); // [B, H, S, D]
    value = tf.concat([past.value, value], 2);
  }
  if (cache) cache.set(layer, key, value);

  // Draws the dropout seed where dropout() would, as the fused path does.
  const seed = dropoutRate > 0 ? context.nextSeed() : 0;
  const attended = mergeHeads(opPathAttention(query, key, value, pass.mask, { scale, dropoutRate, seed })); // [B, T, C]
  return linear(attended, params.cProj, `h.${layer}.attn.c_proj`, hooks, context) as tf.Tensor3D;
}
