/**
 * Dawn's SwiftShader driver on a machine with chromium but without the
 * system Vulkan loader (`libvulkan1`). The test hides the system loader in a
 * private mount namespace (`unshare -m`, root only) and runs two child
 * processes there: plain Dawn, which must find no adapter (so the namespace
 * really hides it), and `createNodeWebGPU`, which must get one through
 * chromium's bundled loader.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { webgpuRequired } from '../conformance/dawn-for-tests';
import { CHROMIUM_SWIFTSHADER_ICD } from './node-webgpu';
import { CHROMIUM_VULKAN_LOADER } from './vulkan-loader';

const SYSTEM_LOADER = '/usr/lib/x86_64-linux-gnu/libvulkan.so.1';
const packageRoot = fileURLToPath(new URL('../../', import.meta.url));
const nodeWebGPU = fileURLToPath(new URL('./node-webgpu.ts', import.meta.url));

const plainDawn = `
  process.env.VK_ICD_FILENAMES = ${JSON.stringify(CHROMIUM_SWIFTSHADER_ICD)};
  const { create } = await import('webgpu');
  const adapter = await create(['backend=vulkan']).requestAdapter().catch(() => null);
  console.log(adapter ? 'ADAPTER' : 'NO_ADAPTER');
  process.exit(0);`;
const withHelper = `
  const { createNodeWebGPU } = await import(${JSON.stringify(nodeWebGPU)});
  const dawn = await createNodeWebGPU({ driver: 'swiftshader' }).catch((error) => { console.log('ERROR', error.message); process.exit(0); });
  console.log('ADAPTER');
  dawn.release();
  process.exit(0);`;

/** The environment minus VK_ICD_FILENAMES, so the helper finds chromium's ICD by itself. */
function withoutIcdVariable(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  delete env.VK_ICD_FILENAMES;
  return env;
}

/** Runs `code` as an ES module in a mount namespace where the system Vulkan loader is an empty file. */
function runWithoutSystemLoader(code: string): { stdout: string; stderr: string; status: number | null } {
  const target = realpathSync(SYSTEM_LOADER);
  const script = `mount --bind /dev/null ${target} && exec "$0" --import tsx --input-type=module -e "$1"`;
  const result = spawnSync('unshare', ['-m', 'sh', '-c', script, process.execPath, code], {
    cwd: packageRoot, // where `webgpu` resolves
    encoding: 'utf8',
    timeout: 60_000,
    env: withoutIcdVariable(),
  });
  return { stdout: result.stdout ?? '', stderr: result.stderr ?? '', status: result.status };
}

function whyNot(): string | undefined {
  if (process.platform !== 'linux') return 'Linux only';
  if (process.getuid?.() !== 0) return 'needs root for unshare -m';
  if (!existsSync(SYSTEM_LOADER)) return `${SYSTEM_LOADER} is not installed here, so there is nothing to hide`;
  if (!existsSync(CHROMIUM_VULKAN_LOADER) || !existsSync(CHROMIUM_SWIFTSHADER_ICD)) return "Debian's chromium is not installed";
  const probe = spawnSync('unshare', ['-m', 'true']);
  if (probe.status !== 0) return `unshare -m is not permitted here (${String(probe.stderr ?? probe.error)})`;
  return undefined;
}

const skipReason = whyNot();
if (skipReason && webgpuRequired()) throw new Error(`TUNEKIT_REQUIRE_WEBGPU=1, but the Vulkan-loader fallback test cannot run: ${skipReason}`);

describe.skipIf(skipReason !== undefined)(`SwiftShader without libvulkan1${skipReason ? ` (skipped: ${skipReason})` : ''}`, () => {
  it('plain Dawn finds no adapter when the system loader is hidden', () => {
    const run = runWithoutSystemLoader(plainDawn);
    expect(run.stdout.trim().split('\n').at(-1), run.stderr).toBe('NO_ADAPTER');
  });

  it("createNodeWebGPU falls back to chromium's bundled loader and gets an adapter", () => {
    const run = runWithoutSystemLoader(withHelper);
    expect(run.stdout.trim().split('\n').at(-1), run.stderr).toBe('ADAPTER');
  });
});
