/**
 * `_FusedMatMul` (matMul + bias + activation, from `tf.fused.matMul`): the
 * product runs natively; bias and activation go through whatever cpu
 * kernels are registered for Add and the activation (the same sequence the
 * stock kernel runs), so they pick up native overrides too.
 */
import type { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import { type _FusedMatMulAttrs, type KernelFunc, type NamedAttrMap, type TensorInfo, _FusedMatMul, getKernel } from '@tensorflow/tfjs-core';
import { InvalidStateError, UnsupportedError } from '@tunekit/formats';
import { nativeMatMul } from './batch-mat-mul';
import type { NativeKernel } from './native-kernel';

type Activation = _FusedMatMulAttrs['activation'];

function runRegistered(name: string, backend: MathBackendCPU, inputs: Record<string, TensorInfo>, attrs: NamedAttrMap = {}): TensorInfo {
  const kernel = getKernel(name, 'cpu');
  if (!kernel) {
    throw new InvalidStateError(`_FusedMatMul: tfjs's cpu backend has no ${name} kernel registered.`, {
      fix: "Import '@tensorflow/tfjs-backend-cpu' (its full entry, which registers every kernel) before running a fused matMul on the cpu backend.",
    });
  }
  return kernel.kernelFunc({ inputs, backend, attrs }) as TensorInfo;
}

function activate(backend: MathBackendCPU, x: TensorInfo, activation: Activation, prelu: TensorInfo | undefined, leakyreluAlpha: number | undefined): TensorInfo {
  switch (activation) {
    case 'relu': return runRegistered('Relu', backend, { x });
    case 'elu': return runRegistered('Elu', backend, { x });
    case 'relu6': return runRegistered('Relu6', backend, { x });
    case 'sigmoid': return runRegistered('Sigmoid', backend, { x });
    case 'prelu': return runRegistered('Prelu', backend, { x, alpha: prelu as TensorInfo });
    case 'leakyrelu': return runRegistered('LeakyRelu', backend, { x }, { alpha: leakyreluAlpha as number });
    default: throw new UnsupportedError(`_FusedMatMul: activation ${activation} has not been implemented for the CPU backend.`, { fix: "Use linear, relu, elu, relu6, sigmoid, prelu or leakyrelu (the activations of tfjs's cpu backend), or apply the activation after the matMul." });
  }
}

export const fusedMatMulKernel: NativeKernel = {
  kernelName: _FusedMatMul,
  create(addon, stock): KernelFunc {
    return (args) => {
      const backend = args.backend as MathBackendCPU;
      const { a, b, bias, preluActivationWeights } = args.inputs as { a: TensorInfo; b: TensorInfo; bias?: TensorInfo; preluActivationWeights?: TensorInfo };
      const { transposeA, transposeB, activation, leakyreluAlpha } = args.attrs as unknown as _FusedMatMulAttrs;
      const product = nativeMatMul(addon, backend, a, b, transposeA, transposeB);
      if (!product) return stock(args);
      let current = product;
      if (bias) {
        const withBias = runRegistered('Add', backend, { a: current, b: bias });
        backend.disposeIntermediateTensorInfo(current);
        current = withBias;
      }
      // 'linear' (or none) is the identity: the stock kernel copies by reference, we return as is.
      if (activation && activation !== 'linear') {
        const activated = activate(backend, current, activation, preluActivationWeights, leakyreluAlpha);
        backend.disposeIntermediateTensorInfo(current);
        current = activated;
      }
      return current;
    };
  },
};
