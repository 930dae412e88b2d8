/** Which JavaScript runtime this is: what every backend's defaults depend on. */

/** Whether this runtime is Node (or a Node-compatible one such as Bun or Deno's Node mode). */
export function isNodeRuntime(): boolean {
  const versions = (globalThis as { process?: { versions?: { node?: string } } }).process?.versions;
  return typeof versions?.node === 'string';
}
