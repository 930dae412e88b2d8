import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const src = (pkg: string, file = 'index.ts') =>
  fileURLToPath(new URL(`./packages/${pkg}/src/${file}`, import.meta.url));

export default defineConfig({
  resolve: {
    // Tests run against the sources, not the built dist (no build step needed).
    alias: [
      { find: /^@tunekit\/core\/testing$/, replacement: src('core', 'testing/index.ts') },
      { find: /^@tunekit\/core$/, replacement: src('core') },
      { find: /^@tunekit\/formats\/node$/, replacement: src('formats', 'node.ts') },
      { find: /^@tunekit\/formats$/, replacement: src('formats') },
      { find: /^@tunekit\/backend-web\/node$/, replacement: src('backend-web', 'node.ts') },
      { find: /^@tunekit\/backend-node$/, replacement: src('backend-node') },
      { find: /^@tunekit\/backend-web$/, replacement: src('backend-web') },
      { find: /^@tunekit\/backend-cpu\/node$/, replacement: src('backend-cpu', 'node.ts') },
      { find: /^@tunekit\/backend-cpu$/, replacement: src('backend-cpu') },
      { find: /^@tunekit\/backend-spec$/, replacement: src('backend-spec') },
      // So `pnpm install && pnpm test` runs core on the native kernels without a build.
      { find: /^@tunekit\/cpu-kernels$/, replacement: src('cpu-kernels') },
    ],
  },
  test: {
    server: {
      deps: {
        // tfjs-core's gradient registrations are extensionless ESM files that
        // only a bundler can load; let Vite transform them (not the CJS main).
        inline: [/@tensorflow[\\/]tfjs-core[\\/]dist[\\/](?!tf-core\.node)/],
      },
    },
    include: ['packages/*/src/**/*.test.ts', 'packages/*/test/**/*.test.ts', 'examples/**/*.test.ts', 'scripts/**/*.test.ts'],
    exclude: ['**/node_modules/**', '**/dist/**'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // Native kernels' new output arrays are uninitialised: NaN-fill them in
    // tests, so a kernel that skips an element fails (cpu-kernels' fresh-arrays.ts).
    env: { TUNEKIT_POISON_OUTPUTS: '1' },
  },
});
