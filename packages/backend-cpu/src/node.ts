/**
 * @packageDocumentation
 * `@tunekit/backend-cpu/node`: file access on Node's file system, the `files`
 * the CPU backend brings in Node (and `@tunekit/backend-node` and
 * `@tunekit/backend-web` use there). A separate entry so that browser bundles,
 * which never run it, need not carry it.
 */
export { nodeFileIO, type NodeFileIOOptions } from './node/node-file-io';
export type { WritableFile } from './node/write-fully';
