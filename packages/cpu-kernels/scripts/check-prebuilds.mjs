#!/usr/bin/env node
/**
 * `prepublishOnly`: refuses to publish @tunekit/cpu-kernels unless every
 * platform we promise a prebuilt binary for has one in prebuilds/ for the
 * right architecture. Without it, npm users on that platform would silently
 * compile C++ at install time (or fall back to a slower engine), which is
 * what the prebuilt binaries exist to avoid. Packing (pack-install, CI) does
 * not run this: CI builds only linux-x64; the arm64 binary is a release step.
 *
 *   node scripts/check-prebuilds.mjs [packageRoot]
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The binaries a published tarball must carry, and their ELF machine (e_machine). */
export const REQUIRED_PREBUILDS = [
  { path: join('prebuilds', 'linux-x64', 'node.napi.glibc.node'), elfMachine: 62, build: 'pnpm --filter @tunekit/cpu-kernels build:prebuilt' },
  { path: join('prebuilds', 'linux-arm64', 'node.napi.glibc.node'), elfMachine: 183, build: 'pnpm --filter @tunekit/cpu-kernels build:prebuilt:arm64' },
];

/** The problems that keep `root` from being published; empty when it may be. */
export function prebuildProblems(root) {
  const problems = [];
  for (const { path, elfMachine, build } of REQUIRED_PREBUILDS) {
    const file = join(root, path);
    if (!existsSync(file)) {
      problems.push(`${path} is missing: build it with \`${build}\``);
      continue;
    }
    const bytes = readFileSync(file);
    if (bytes.length < 20 || bytes.readUInt32BE(0) !== 0x7f454c46) problems.push(`${path} is not an ELF shared object: rebuild it with \`${build}\``);
    else if (bytes.readUInt16LE(18) !== elfMachine) problems.push(`${path} is for ELF machine ${bytes.readUInt16LE(18)}, expected ${elfMachine}: rebuild it with \`${build}\``);
  }
  return problems;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const root = process.argv[2] ?? join(fileURLToPath(new URL('.', import.meta.url)), '..');
  const problems = prebuildProblems(root);
  if (problems.length > 0) {
    console.error(`@tunekit/cpu-kernels cannot be published without its prebuilt binaries:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    process.exit(1);
  }
  console.log('prebuilt binaries present: ' + REQUIRED_PREBUILDS.map((p) => p.path).join(', '));
}
