/**
 * Self-attention through the optional fused kernels `TunekitAttention` /
 * `TunekitAttentionGrad` (@tunekit/cpu-kernels registers them): straight from
 * c_attn's packed qkv [B, T, 3C] to the merged heads [B, T, C]. The tape keeps
 * qkv, the output and two floats per query row instead of about four
 * [B, H, T, T] score/probability tensors per layer, and no split, head
 * transposes or dropout mask are materialised.
 *
 * Used for passes without a KV cache or attention prefix (training,
 * evaluation, cache-less forward); generation with a cache keeps the op path.
 */
import * as tf from '@tensorflow/tfjs-core';
import { TunekitAttention, TunekitAttentionGrad, type TunekitAttentionAttrs } from '@tunekit/backend-spec';
import { activeBackendHas, runOptionalKernel } from '../tf/optional-kernel';

/**
 * What the fused kernel needs besides qkv and the mask: its attributes but
 * `skipFuture`, which {@link fusedAttention} derives from the mask. The
 * dropout rate is this pass's (0 outside training), and the seed the one the
 * op path's dropout would draw.
 */
export type FusedAttentionSettings = Omit<TunekitAttentionAttrs, 'skipFuture'>;

/** Whether the fused kernels can run this pass: backend has them, float32, mask [1 or B, 1, T, T] (no cached keys), rate < 1. */
export function canFuseAttention(qkv: tf.Tensor, mask: tf.Tensor, dropoutRate: number): boolean {
  const [batch, time] = qkv.shape as [number, number, number];
  const [maskBatch, , rows, cols] = mask.shape;
  return (
    qkv.dtype === 'float32' && qkv.rank === 3 && mask.rank === 4 && rows === time && cols === time && (maskBatch === 1 || maskBatch === batch) &&
    dropoutRate < 1 && activeBackendHas(TunekitAttention, TunekitAttentionGrad)
  );
}

/**
 * Causal attention of qkv [B, T, 3C] under the additive mask → [B, T, C].
 * A mask shared by the batch ([1, 1, T, T]) is the plain causal mask
 * (runTransformer adds padding as a per-row mask), so the kernel may skip
 * the keys after each query; a per-row mask is applied in full.
 */
export function fusedAttention(qkv: tf.Tensor3D, mask: tf.Tensor4D, settings: FusedAttentionSettings): tf.Tensor3D {
  const attrs: TunekitAttentionAttrs = { ...settings, skipFuture: mask.shape[0] === 1 };
  const run = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const [x, save] = args as [tf.Tensor, tf.GradSaveFunc];
    const [out, stats] = runOptionalKernel(TunekitAttention, { qkv: x, mask }, { ...attrs });
    save([x, out, stats, mask]);
    return {
      value: out,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [sqkv, sout, sstats, smask] = saved as [tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor];
        return runOptionalKernel(TunekitAttentionGrad, { dy, qkv: sqkv, mask: smask, out: sout, stats: sstats }, { ...attrs });
      },
    };
  }) as (x: tf.Tensor) => tf.Tensor;
  return run(qkv) as tf.Tensor3D;
}
