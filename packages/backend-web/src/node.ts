/**
 * @packageDocumentation
 * `@tunekit/backend-web/node`: WebGPU in Node through Dawn (the optional
 * `webgpu` peer), with the SwiftShader, OpenGL or system driver.
 */
export { CHROMIUM_SWIFTSHADER_ICD, createNodeWebGPU, NodeWebGPUError, type NodeWebGPU, type NodeWebGPUDriver, type NodeWebGPUOptions } from './node/node-webgpu';
export { aptInstallCommand, DAWN_DRIVER_PACKAGES } from './node/system-packages';
export type * from './webgpu/webgpu-types';
