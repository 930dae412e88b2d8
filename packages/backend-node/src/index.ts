/**
 * @packageDocumentation
 * `@tunekit/backend-node`: run `@tunekit/core` on TensorFlow's native library
 * through tfjs-node — a CUDA GPU with `@tensorflow/tfjs-node-gpu`, or the CPU
 * with `@tensorflow/tfjs-node`. Both are optional peers; without them
 * `doInit()` throws {@link NodeBackendUnavailableError} saying what to install.
 */
export { createNodeBackend, nodeBackend, type NodeBackendOptions, type NodeDevice, type PackageImporter } from './node-backend';
export { NodeBackendUnavailableError, type NodeBackendFailure, type NodePackageAttempt } from './errors';
export {
  CUDA_VERSION, CUDNN_VERSION, LIBTENSORFLOW_VERSION, NVIDIA_DRIVER, TFJS_NODE_VERSION, installCommand, requirementsOf, type TfjsNodePackage,
} from './requirements';
