/**
 * `TunekitAttention` and `TunekitAttentionGrad`: GPT-2's causal
 * self-attention straight from c_attn's packed output, without the
 * [B, H, T, T] scores/probabilities on the tape (see native/attention.h).
 * Op by op, the tape keeps about four [B, H, T, T] tensors per layer
 * (scaled scores, softmax output, dropout mask, dropped probabilities: 2.3 GB
 * for GPT-2 124M at 1×1024); this keeps qkv, the output and two floats per
 * query row, and the backward recomputes the probabilities.
 *
 * Forward: inputs { qkv [B, T, 3C], mask [1 or B, 1, T, T] (additive) },
 * attrs {@link AttentionAttrs} → [out [B, T, C], stats [B, H, T, 2]].
 * Backward: inputs { dy [B, T, C], qkv, mask, out, stats }, same attrs → dqkv.
 */
import type { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import type { KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import { makeOutput, requireFloat32, sizeOf } from './cpu-tensors';
import type { NativeKernel } from './native-kernel';

/** Kernel names, as @tunekit/core looks them up. */
export const ATTENTION = 'TunekitAttention';
export const ATTENTION_GRAD = 'TunekitAttentionGrad';

/** Attributes of both kernels. */
export interface AttentionAttrs {
  heads: number;
  /** Multiplies q·k before the mask is added (1/√D, GPT-2's optional 1/(layer+1) included). */
  scale: number;
  /** Skip keys after each query's position: only when the mask is causal and nothing else can mask a whole row. */
  skipFuture: boolean;
  /** Inverted dropout on the probabilities (0: none); the mask equals `TunekitDropoutMask`'s for shape [B, H, T, T] and `seed`. */
  dropoutRate: number;
  seed: number;
}

/** [batch, time, maskBatch] after checking qkv and mask shapes. */
function shapeOf(qkv: TensorInfo, mask: TensorInfo, heads: number, kernel: string): [number, number, number] {
  const [batch, time, width] = qkv.shape as [number, number, number];
  if (qkv.shape.length !== 3 || width % (3 * heads) !== 0) throw new Error(`${kernel}: qkv must be [B, T, 3·heads·D], got [${qkv.shape.join(', ')}]`);
  const [maskBatch, one, rows, cols] = mask.shape as [number, number, number, number];
  if (mask.shape.length !== 4 || one !== 1 || rows !== time || cols !== time || (maskBatch !== 1 && maskBatch !== batch)) {
    throw new Error(`${kernel}: mask must be [1 or ${batch}, 1, ${time}, ${time}], got [${mask.shape.join(', ')}]`);
  }
  return [batch, time, maskBatch];
}

function call(attrs: AttentionAttrs): [number, number, boolean, number, number] {
  return [attrs.heads, attrs.scale, attrs.skipFuture, attrs.dropoutRate, attrs.seed];
}

export const attentionKernel: NativeKernel = {
  kernelName: ATTENTION,
  extra: true,
  create(addon): KernelFunc {
    return (args) => {
      const backend = args.backend as MathBackendCPU;
      const { qkv, mask } = args.inputs as { qkv: TensorInfo; mask: TensorInfo };
      const attrs = args.attrs as unknown as AttentionAttrs;
      const [batch, time, maskBatch] = shapeOf(qkv, mask, attrs.heads, ATTENTION);
      const channels = (qkv.shape[2] as number) / 3;
      const out = new Float32Array(batch * time * channels);
      const stats = new Float32Array(batch * attrs.heads * time * 2);
      const [heads, scale, skip, rate, seed] = call(attrs);
      addon.attention(requireFloat32(backend, qkv, ATTENTION, 'qkv'), requireFloat32(backend, mask, ATTENTION, 'mask'), out, stats, batch, time, heads, maskBatch, scale, skip, rate, seed);
      return [makeOutput(backend, [batch, time, channels], out), makeOutput(backend, [batch, heads, time, 2], stats)];
    };
  },
};

export const attentionGradKernel: NativeKernel = {
  kernelName: ATTENTION_GRAD,
  extra: true,
  create(addon): KernelFunc {
    return (args) => {
      const backend = args.backend as MathBackendCPU;
      const { dy, qkv, mask, out, stats } = args.inputs as { dy: TensorInfo; qkv: TensorInfo; mask: TensorInfo; out: TensorInfo; stats: TensorInfo };
      const attrs = args.attrs as unknown as AttentionAttrs;
      const [batch, time, maskBatch] = shapeOf(qkv, mask, attrs.heads, ATTENTION_GRAD);
      const channels = (qkv.shape[2] as number) / 3;
      if (sizeOf(dy.shape) !== batch * time * channels || sizeOf(out.shape) !== batch * time * channels) throw new Error(`${ATTENTION_GRAD}: dy and out must be [${batch}, ${time}, ${channels}]`);
      if (sizeOf(stats.shape) !== batch * attrs.heads * time * 2) throw new Error(`${ATTENTION_GRAD}: stats must be [${batch}, ${attrs.heads}, ${time}, 2]`);
      const dqkv = new Float32Array(sizeOf(qkv.shape));
      const [heads, scale, skip, rate, seed] = call(attrs);
      addon.attentionGrad(
        requireFloat32(backend, qkv, ATTENTION_GRAD, 'qkv'), requireFloat32(backend, mask, ATTENTION_GRAD, 'mask'), requireFloat32(backend, out, ATTENTION_GRAD, 'out'),
        requireFloat32(backend, stats, ATTENTION_GRAD, 'stats'), requireFloat32(backend, dy, ATTENTION_GRAD, 'dy'), dqkv, batch, time, heads, maskBatch, scale, skip, rate, seed,
      );
      return makeOutput(backend, [...qkv.shape], dqkv);
    };
  },
};
