/** One pre-layer-norm transformer block: x + attn(ln_1(x)), then x + mlp(ln_2(x)). */
import type * as tf from '@tensorflow/tfjs-core';
import { type AttentionPass, selfAttention } from './attention';
import { layerNorm, linear, linearGelu, residualDropoutAdd } from './layers';
import type { BlockParams } from './params';

/** x [B, T, C] → [B, T, C]. */
export function transformerBlock(x: tf.Tensor3D, params: BlockParams, layer: number, pass: AttentionPass): tf.Tensor3D {
  const { config, hooks, context } = pass;
  const attended = selfAttention(layerNorm(x, params.ln1, config.layerNormEpsilon) as tf.Tensor3D, params.attention, layer, pass);
  const afterAttention = residualDropoutAdd(x, attended, config.residualDropout, context);

  const normed = layerNorm(afterAttention, params.ln2, config.layerNormEpsilon);
  const hidden = linearGelu(normed, params.mlp.cFc, config.activation, `h.${layer}.mlp.c_fc`, hooks, context); // [B, T, F]
  const projected = linear(hidden, params.mlp.cProj, `h.${layer}.mlp.c_proj`, hooks, context);
  return residualDropoutAdd(afterAttention, projected, config.residualDropout, context) as tf.Tensor3D;
}
