/**
 * Finding a Vulkan loader for Dawn's SwiftShader driver. Dawn opens
 * `libvulkan.so.1` by name when it creates its instance. Debian's chromium
 * bundles a copy of that loader in its own folder, but a machine that has
 * chromium without the `libvulkan1` package has none on the library path, and
 * setting LD_LIBRARY_PATH after the process started changes nothing. Loading
 * chromium's copy first, by its full path and kept resident, makes Dawn's
 * later `dlopen("libvulkan.so.1")` find it by its soname.
 */
import { existsSync } from 'node:fs';
import { constants } from 'node:os';

/** The Vulkan loader Debian's chromium bundles. */
export const CHROMIUM_VULKAN_LOADER = '/usr/lib/chromium/libvulkan.so.1';

/** glibc's RTLD_NODELETE: keep the library loaded after Node's dlclose. Node's constants omit it. */
const RTLD_NODELETE = 0x1000;

/** Which loader Dawn will get: the system's, chromium's, or none. */
export type VulkanLoader = 'system' | 'chromium' | 'none';

/**
 * Loads `file` into the process; true when the dynamic linker could load it.
 * `process.dlopen` expects a Node addon, so a plain library loads and then
 * fails with "did not self-register": that error means success here.
 */
function loadLibrary(file: string, flags: number): boolean {
  try {
    process.dlopen({ exports: {} }, file, flags);
    return true;
  } catch (error) {
    return /self-register/.test((error as Error).message);
  }
}

/**
 * Makes sure a Vulkan loader is there for Dawn: the system's when it loads,
 * else chromium's bundled copy (pinned in memory). Returns which one, or
 * `'none'`. Linux only; elsewhere the platform's loader is assumed.
 *
 * @param chromiumLoader - where chromium's copy lives (a parameter for tests)
 */
export function ensureVulkanLoader(chromiumLoader: string = CHROMIUM_VULKAN_LOADER): VulkanLoader {
  if (process.platform !== 'linux') return 'system';
  if (loadLibrary('libvulkan.so.1', constants.dlopen.RTLD_LAZY)) return 'system';
  if (existsSync(chromiumLoader) && loadLibrary(chromiumLoader, constants.dlopen.RTLD_NOW | constants.dlopen.RTLD_GLOBAL | RTLD_NODELETE)) {
    return 'chromium';
  }
  return 'none';
}
