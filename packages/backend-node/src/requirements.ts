/**
 * What the optional tfjs-node packages need, in one place so messages and
 * docs agree. Sources (tensorflow/tfjs at 0fc04d9, the tree 4.22 ships from):
 *  - tfjs-node/scripts/deps-constants.js: `LIBTENSORFLOW_VERSION = '2.9.1'`,
 *    and `ALL_SUPPORTED_COMBINATION` lists GPU builds for `gpu-linux-x86_64`
 *    and `gpu-windows-x86_64` only;
 *  - tfjs-node/README.md: "Linux GPU (Ubuntu 14.04 or higher and Cuda 11.2 w/
 *    CUDNN v8)", with the table NVIDIA driver >450.x, CUDA Toolkit 11.2,
 *    cuDNN SDK 8.1.0.
 */

/** The tfjs-node release line matching our `@tensorflow/tfjs-core` peer. */
export const TFJS_NODE_VERSION = '4.22';
/** The libtensorflow that tfjs-node's install step downloads. */
export const LIBTENSORFLOW_VERSION = '2.9.1';
/** CUDA toolkit the GPU build of that libtensorflow links against. */
export const CUDA_VERSION = '11.2';
/** cuDNN the GPU build of that libtensorflow links against. */
export const CUDNN_VERSION = '8.1';
/** Oldest NVIDIA driver for CUDA 11.2, per tfjs-node's README. */
export const NVIDIA_DRIVER = '>450.x';

/** The two optional peer packages. */
export type TfjsNodePackage = '@tensorflow/tfjs-node-gpu' | '@tensorflow/tfjs-node';

/** The install command for a package, pinned to our tfjs line. */
export function installCommand(packageName: TfjsNodePackage): string {
  return `npm i ${packageName}@${TFJS_NODE_VERSION}`;
}

/** Requirements of a package, as one sentence for error messages. */
export function requirementsOf(packageName: TfjsNodePackage): string {
  if (packageName === '@tensorflow/tfjs-node') {
    return `Its install step downloads libtensorflow ${LIBTENSORFLOW_VERSION} (CPU build for Linux, macOS and Windows on x86-64).`;
  }
  return (
    `Its install step downloads libtensorflow ${LIBTENSORFLOW_VERSION} (GPU build, Linux x86-64 and Windows x86-64 only), ` +
    `which needs an NVIDIA driver ${NVIDIA_DRIVER}, CUDA ${CUDA_VERSION} and cuDNN ${CUDNN_VERSION} on the library path (LD_LIBRARY_PATH on Linux).`
  );
}
