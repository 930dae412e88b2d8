/**
 * `TunekitAttention` and `TunekitAttentionGrad`: GPT-2's causal
 * self-attention straight from c_attn's packed output, without the
 * [B, H, T, T] scores/probabilities on the tape (see native/attention.h).
 * Op by op, the tape keeps about four [B, H, T, T] tensors per layer
 * (scaled scores, softmax output, dropout mask, dropped probabilities: 2.3 GB
 * for GPT-2 124M at 1×1024); this keeps qkv, the output and two floats per
 * query row, and the backward recomputes the probabilities.
 * Inputs, attributes and outputs: @tunekit/backend-spec's `TunekitAttention`
 * and `TunekitAttentionGrad`; stats [B, H, T, 2] holds each row's maximum and
 * 1/sum.
 */
import type { TensorInfo } from '@tensorflow/tfjs-core';
import { TunekitAttention, TunekitAttentionGrad, type TunekitAttentionAttrs } from '@tunekit/backend-spec';
import { makeOutput, requireFloat32, sizeOf } from './cpu-tensors';
import { outputArray, zeroedOutputArray } from './reusable-arrays';
import { kernelInputError } from './kernel-errors';
import { optionalKernel } from './native-kernel';

/** [batch, time, maskBatch] after checking qkv and mask shapes. */
function shapeOf(qkv: TensorInfo, mask: TensorInfo, heads: number, kernel: string): [number, number, number] {
  const [batch, time, width] = qkv.shape as [number, number, number];
  if (qkv.shape.length !== 3 || width % (3 * heads) !== 0) throw kernelInputError(kernel, `qkv must be [B, T, 3·heads·D], got [${qkv.shape.join(', ')}]`);
  const [maskBatch, one, rows, cols] = mask.shape as [number, number, number, number];
  if (mask.shape.length !== 4 || one !== 1 || rows !== time || cols !== time || (maskBatch !== 1 && maskBatch !== batch)) {
    throw kernelInputError(kernel, `mask must be [1 or ${batch}, 1, ${time}, ${time}], got [${mask.shape.join(', ')}]`);
  }
  return [batch, time, maskBatch];
}

function call(attrs: TunekitAttentionAttrs): [number, number, boolean, number, number] {
  return [attrs.heads, attrs.scale, attrs.skipFuture, attrs.dropoutRate, attrs.seed];
}

export const attentionKernel = optionalKernel(TunekitAttention, (addon) => ({ qkv, mask }, attrs, backend) => {
  const [batch, time, maskBatch] = shapeOf(qkv, mask, attrs.heads, TunekitAttention);
  const channels = (qkv.shape[2] as number) / 3;
  const out = outputArray(batch * time * channels);
  const stats = outputArray(batch * attrs.heads * time * 2);
  const [heads, scale, skip, rate, seed] = call(attrs);
  addon.attention(requireFloat32(backend, qkv, TunekitAttention, 'qkv'), requireFloat32(backend, mask, TunekitAttention, 'mask'), out, stats, batch, time, heads, maskBatch, scale, skip, rate, seed);
  return [makeOutput(backend, [batch, time, channels], out), makeOutput(backend, [batch, heads, time, 2], stats)];
});

export const attentionGradKernel = optionalKernel(TunekitAttentionGrad, (addon) => ({ dy, qkv, mask, out, stats }, attrs, backend) => {
  const [batch, time, maskBatch] = shapeOf(qkv, mask, attrs.heads, TunekitAttentionGrad);
  const channels = (qkv.shape[2] as number) / 3;
  if (sizeOf(dy.shape) !== batch * time * channels || sizeOf(out.shape) !== batch * time * channels) throw kernelInputError(TunekitAttentionGrad, `dy and out must be [${batch}, ${time}, ${channels}]`);
  if (sizeOf(stats.shape) !== batch * attrs.heads * time * 2) throw kernelInputError(TunekitAttentionGrad, `stats must be [${batch}, ${attrs.heads}, ${time}, 2]`);
  const dqkv = zeroedOutputArray(sizeOf(qkv.shape));
  const [heads, scale, skip, rate, seed] = call(attrs);
  addon.attentionGrad(
    requireFloat32(backend, qkv, TunekitAttentionGrad, 'qkv'), requireFloat32(backend, mask, TunekitAttentionGrad, 'mask'), requireFloat32(backend, out, TunekitAttentionGrad, 'out'),
    requireFloat32(backend, stats, TunekitAttentionGrad, 'stats'), requireFloat32(backend, dy, TunekitAttentionGrad, 'dy'), dqkv, batch, time, heads, maskBatch, scale, skip, rate, seed,
  );
  return makeOutput(backend, [...qkv.shape], dqkv);
});
