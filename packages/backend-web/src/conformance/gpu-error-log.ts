/**
 * GPU errors per test. tfjs does not look at WebGPU validation errors (a
 * failed kernel silently yields zeros or a stale buffer), so the conformance
 * tests collect them through `createWebBackend({ onGPUError })` and file each
 * under the test that was running. The suite found one this way: `train()`'s
 * gradient norm is a `tf.addN` over all 28 gradients, beyond the 8 storage
 * buffers a WebGPU shader stage may bind, and it reported a wrong norm until
 * backend-web replaced webgpu's AddN with one that adds in groups.
 */
import type { WebGPUDeviceError } from '../index';

/** Collects the device's errors and files them under the test that ran. */
export class GPUErrorLog {
  /** Error lines (`kind: message`) of each test that raised any. */
  readonly byTest = new Map<string, string[]>();
  private pending: WebGPUDeviceError[] = [];

  /** Pass as `onGPUError`. */
  readonly report = (error: WebGPUDeviceError): void => {
    this.pending.push(error);
  };

  /** Files the errors raised so far under `test` (call after each test). */
  async close(test: string): Promise<void> {
    // Dawn delivers uncaptured errors from its event loop; let it run once more.
    await new Promise((resolve) => setTimeout(resolve, 20));
    if (this.pending.length) this.byTest.set(test, [...(this.byTest.get(test) ?? []), ...this.pending.map((e) => `${e.kind}: ${e.message}`)]);
    this.pending = [];
  }

  /** Every error, as `test: kind: message`; prints how many each test raised. */
  all(log: (line: string) => void): string[] {
    const out: string[] = [];
    for (const [test, lines] of this.byTest) {
      log(`GPU errors in ${test}: ${lines.length} (first: ${lines[0]})`);
      out.push(...lines.map((line) => `${test}: ${line}`));
    }
    return out;
  }
}
