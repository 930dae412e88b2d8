/**
 * The SIMD levels and thread counts each native-vs-stock comparison runs
 * under, so the AVX2 and portable kernels are tested on an AVX-512 machine
 * too. A level the CPU lacks is reported as skipped, with the reason.
 */
import { loadAddon } from '../native/load-addon';
import type { NativeISA } from '../native/addon-types';
import { nativeKernelsInfo, registerNativeCPUKernels } from '../index';

export interface NativeMode {
  isa: NativeISA;
  threads: number;
  /** Why this mode cannot run here, if it cannot. */
  skip?: string;
}

const info = nativeKernelsInfo();

// CI builds the addon, so there a missing or self-test-failing addon must fail the
// suites rather than skip every native comparison (TUNEKIT_REQUIRE_NATIVE=1 in .ci/run).
if (!info.available && process.env.TUNEKIT_REQUIRE_NATIVE === '1') {
  // plain Error: test support, it only fails the suites that import it.
  throw new Error(`TUNEKIT_REQUIRE_NATIVE=1 but the native addon is unavailable: ${info.reason}`);
}

/** Why native comparisons are skipped (undefined when they run). */
export const nativeSkipReason: string | undefined = info.available ? undefined : `native addon unavailable: ${info.reason}`;

/** ISA levels (best first) × a few thread counts (1, 3 for odd splits, the default). */
export function nativeModes(): NativeMode[] {
  const addon = loadAddon().addon;
  const detected = addon?.info().detectedIsa;
  // Levels per architecture, best first; every CPU runs the portable `scalar` kernel.
  const x86: NativeISA[] = ['avx512', 'avx2'];
  const order: NativeISA[] = [...x86, 'neon', 'scalar'];
  const lacks = (isa: NativeISA, has: NativeISA): boolean => {
    if (isa === 'scalar' || isa === has) return false;
    if (isa === 'neon' || has === 'neon' || has === 'scalar') return true;
    return x86.indexOf(isa) < x86.indexOf(has);
  };
  const hardware = addon?.info().hardwareThreads ?? 1;
  const modes: NativeMode[] = [];
  for (const isa of order) {
    const skip = !detected ? nativeSkipReason : lacks(isa, detected) ? `CPU lacks ${isa} (has ${detected})` : undefined;
    for (const threads of [...new Set([hardware, 1, 3])]) modes.push({ isa, threads, skip });
  }
  return modes;
}

/** Switches the addon to a mode (call before registering with `mode.threads`). */
export function useIsa(isa: NativeISA): void {
  loadAddon().addon?.setIsa(isa);
}

/** Back to the best level the CPU has. */
export function restoreIsa(): void {
  const addon = loadAddon().addon;
  if (addon) addon.setIsa(addon.info().detectedIsa);
}

/** Switches the addon to a mode and (re-)registers the kernels with its thread count. */
export function setMode(mode: { isa: string; threads: number }): void {
  useIsa(mode.isa as NativeISA);
  registerNativeCPUKernels({ threads: mode.threads });
}

/** The modes this machine can run. */
export function runnableModes(): NativeMode[] {
  return nativeModes().filter((m) => !m.skip);
}
