/** The one error the kernels throw for inputs that break a kernel's contract. */
import { InvalidArgumentError } from '@tunekit/formats';

/**
 * Inputs `kernel` cannot take (a shape, size or dtype its contract rules
 * out). The kernels' callers are core's fused paths, which keep to the
 * contract, so reaching this from core is a bug to report; a direct
 * `runKernel` caller fixes its inputs.
 */
export function kernelInputError(kernel: string, message: string): InvalidArgumentError {
  return new InvalidArgumentError(`${kernel}: ${message}.`, {
    fix: `Pass ${kernel} the inputs its signature names (the optional kernels' are in @tunekit/backend-spec); if @tunekit/core made this call, please report it.`,
  });
}
