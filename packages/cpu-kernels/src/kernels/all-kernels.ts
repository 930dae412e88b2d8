/** Every native override, in registration order. */
import { attentionGradKernel, attentionKernel } from './attention';
import { batchMatMulKernel } from './batch-mat-mul';
import { biasGeluGradKernel, biasGeluKernel } from './bias-gelu';
import { accumulateKernel } from './accumulate';
import { adamWKernel } from './adamw';
import { dropoutKernel } from './dropout';
import { dropoutMaskKernel } from './dropout-mask';
import { ELEMENTWISE_KERNELS } from './elementwise';
import { fusedMatMulKernel } from './fused-mat-mul';
import { geluGradKernel, geluKernel } from './gelu';
import { layerNormGradKernel, layerNormKernel } from './layer-norm';
import { linearKernel } from './linear';
import { loraLinearGradKernel, loraLinearKernel } from './lora-linear';
import type { NativeKernel } from './native-kernel';
import { softmaxCrossEntropyGradKernel, softmaxCrossEntropyKernel } from './softmax-cross-entropy';
import { sumOfSquaresKernel } from './sum-squares';
import { unsortedSegmentSumKernel } from './unsorted-segment-sum';

export const ALL_KERNELS: readonly NativeKernel[] = [batchMatMulKernel, fusedMatMulKernel, unsortedSegmentSumKernel, ...ELEMENTWISE_KERNELS, adamWKernel, accumulateKernel, dropoutMaskKernel, dropoutKernel, linearKernel, loraLinearKernel, loraLinearGradKernel, geluKernel, geluGradKernel, biasGeluKernel, biasGeluGradKernel, layerNormKernel, layerNormGradKernel, attentionKernel, attentionGradKernel, sumOfSquaresKernel, softmaxCrossEntropyKernel, softmaxCrossEntropyGradKernel];
