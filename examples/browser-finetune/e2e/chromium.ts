/**
 * Launching the system Chromium for the end-to-end test: headless, with
 * WebGPU enabled (on a machine without a GPU Chromium runs it on SwiftShader,
 * its CPU Vulkan), a fresh profile, and the background services that would
 * reach the network turned off.
 */
import { existsSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BrowserContext, chromium } from 'playwright-core';

/** Debian's chromium; override with `TUNEKIT_CHROMIUM`. */
export const CHROMIUM_PATH = process.env.TUNEKIT_CHROMIUM ?? '/usr/bin/chromium';

export const CHROMIUM_ARGS = [
  '--headless=new',
  '--no-sandbox',
  '--enable-unsafe-webgpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--no-first-run',
  '--disable-sync',
  '--disable-quic',
];

/** The Debian package that provides {@link CHROMIUM_PATH} (CI's package list is checked against it). */
export const CHROMIUM_DEBIAN_PACKAGE = 'chromium';

/** Why the browser cannot run here, or undefined when it can. */
export function chromiumMissing(): string | undefined {
  return existsSync(CHROMIUM_PATH)
    ? undefined
    : `${CHROMIUM_PATH} not found (\`apt-get install -y --no-install-recommends ${CHROMIUM_DEBIAN_PACKAGE}\`, or set TUNEKIT_CHROMIUM)`;
}

/** Starts Chromium with a fresh profile in a temporary folder. */
export async function launchChromium(): Promise<BrowserContext> {
  const profile = await mkdtemp(join(tmpdir(), 'tunekit-chromium-'));
  return chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: CHROMIUM_ARGS,
    acceptDownloads: true,
    viewport: { width: 960, height: 900 },
  });
}
