/**
 * The Debian packages each software WebGPU driver needs, named once: the
 * error messages print them, and CI's package list
 * (`.ci/system-packages.txt`) is checked against them so the two cannot drift.
 */

/** Debian packages per Dawn software driver. */
export const DAWN_DRIVER_PACKAGES = {
  /** SwiftShader's Vulkan ICD comes with chromium; libvulkan1 is the loader Dawn opens. */
  swiftshader: ['chromium', 'libvulkan1'],
  /** Mesa's EGL and llvmpipe for Dawn's OpenGL ES backend. */
  opengl: ['libegl1', 'libegl-mesa0', 'libgl1-mesa-dri'],
} as const satisfies Record<string, readonly string[]>;

/** The one command that installs `packages` on Debian or Ubuntu. */
export function aptInstallCommand(packages: readonly string[]): string {
  return `apt-get install -y --no-install-recommends ${packages.join(' ')}`;
}
