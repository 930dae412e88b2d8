/**
 * CI's Debian package list (`.ci/system-packages.txt`, read by `.ci/run`)
 * must cover what the WebGPU helpers and this browser test tell a user to
 * install, and `.ci/run` must take its list from that file only, so the two
 * cannot drift apart again.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DAWN_DRIVER_PACKAGES } from '../../../packages/backend-web/src/node/system-packages';
import { CHROMIUM_DEBIAN_PACKAGE } from './chromium';

const root = new URL('../../../', import.meta.url);
const listed = readFileSync(new URL('.ci/system-packages.txt', root), 'utf8')
  .split('\n')
  .map((line) => line.replace(/#.*/, '').trim().split(/\s+/)[0])
  .filter((name): name is string => Boolean(name));
const ciRun = readFileSync(new URL('.ci/run', root), 'utf8');

describe('CI system packages', () => {
  it('the list holds every package the WebGPU drivers and the browser test need', () => {
    const needed = [...DAWN_DRIVER_PACKAGES.swiftshader, ...DAWN_DRIVER_PACKAGES.opengl, CHROMIUM_DEBIAN_PACKAGE];
    expect(needed.filter((name) => !listed.includes(name))).toEqual([]);
  });

  it('.ci/run installs from that list and names no package itself', () => {
    expect(ciRun).toContain('done < .ci/system-packages.txt');
    const installLines = ciRun.split('\n').filter((line) => /apt-get install/.test(line));
    expect(installLines.length).toBeGreaterThan(0);
    for (const line of installLines) {
      for (const name of listed) expect(line.split(/\s+/)).not.toContain(name);
    }
  });
});
