/** The error of a kernel variant whose gradient tunekit does not define. */
import { TunekitError } from '@tunekit/formats';

/**
 * Training reached a kernel with attributes no gradient of tunekit's covers
 * (its own gradients cover what GPT-2 training records, not all of tfjs).
 */
export class UnsupportedGradientError extends TunekitError {
  /**
   * @param kernelName - the tfjs kernel, e.g. `GatherV2`
   * @param variant - the attribute that is not covered, e.g. `batchDims 1`
   */
  constructor(kernelName: string, variant: string) {
    super('unsupported_gradient', `No gradient for ${kernelName} with ${variant}: tunekit registers gradients only for the kernel variants GPT-2 training uses.`, {
      fix: "Import '@tensorflow/tfjs' (whose gradients cover every kernel) before @tunekit/core, or avoid that op in custom code under training.",
    });
  }
}
