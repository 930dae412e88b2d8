/**
 * Starts Dawn for one test file (one Dawn instance per test process), or says
 * why it cannot. On a machine without the software drivers the WebGPU tests
 * are skipped with the reason printed; CI installs the drivers and sets
 * `TUNEKIT_REQUIRE_WEBGPU=1`, which turns a driver that does not start into a
 * failure instead of a skip.
 */
import { createNodeWebGPU, type NodeWebGPU, type NodeWebGPUDriver } from '../node';

/** Set to `1` (as CI does) to fail, not skip, when Dawn's driver cannot start. */
export const REQUIRE_WEBGPU_ENV = 'TUNEKIT_REQUIRE_WEBGPU';

/** Whether a missing WebGPU driver must fail the tests. */
export function webgpuRequired(env: Record<string, string | undefined> = process.env): boolean {
  return env[REQUIRE_WEBGPU_ENV] === '1';
}

/** Dawn on the driver, or the reason it is missing (then the caller skips). */
export interface DawnForTests {
  dawn?: NodeWebGPU;
  skipReason?: string;
}

/**
 * Starts Dawn's `driver`. When it cannot start, prints
 * `[backend-web] <what> skipped (<driver>): <reason>` and returns the reason,
 * or throws when {@link REQUIRE_WEBGPU_ENV} is `1`.
 */
export async function startDawnForTests(driver: NodeWebGPUDriver, what: string): Promise<DawnForTests> {
  try {
    return { dawn: await createNodeWebGPU({ driver }) };
  } catch (error) {
    const reason = (error as Error).message;
    if (webgpuRequired()) {
      throw new Error(`${REQUIRE_WEBGPU_ENV}=1, but ${what} cannot run: Dawn's ${driver} driver did not start: ${reason}`, { cause: error }); // plain Error: test support: fails the test run when WebGPU is required
    }
    console.warn(`[backend-web] ${what} skipped (${driver}): ${reason}`);
    return { skipReason: reason };
  }
}
