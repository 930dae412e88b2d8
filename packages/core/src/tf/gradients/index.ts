/**
 * The gradients GPT-2 training needs, written for tunekit against tfjs-core's
 * public API. tfjs-core's Node entry registers none, and its own gradient
 * modules load only through a bundler, so core brings these instead of a copy
 * of tfjs-core's internals. The list is every kernel the tape records on the
 * trained path of every task, head, adapter, loss and backend (measured by
 * running the conformance and golden suites with a logging registry; see
 * docs/bundling.md); `gradients.test.ts` checks each against finite
 * differences and against tfjs's own gradient.
 */
import * as tf from '@tensorflow/tfjs-core';
import { activationGradients } from './activations';
import { arithmeticGradients } from './arithmetic';
import { matMulGradients } from './mat-mul';
import { reductionGradients } from './reductions';
import { shapeGradients } from './shapes';

/** Every gradient tunekit defines, one per kernel name. */
export const trainingGradients: readonly tf.GradConfig[] = [
  ...arithmeticGradients,
  ...activationGradients,
  ...reductionGradients,
  ...shapeGradients,
  ...matMulGradients,
];

/**
 * Registers each of {@link trainingGradients} into the installed tfjs-core's
 * (global) registry unless a gradient for that kernel is already there, e.g.
 * tfjs's own from `@tensorflow/tfjs`, or ours from a second copy of core.
 * Returns the kernel names it registered.
 */
export function registerTrainingGradients(): string[] {
  const registered: string[] = [];
  for (const config of trainingGradients) {
    if (tf.getGradient(config.kernelName) !== undefined) continue;
    tf.registerGradient(config);
    registered.push(config.kernelName);
  }
  return registered;
}
