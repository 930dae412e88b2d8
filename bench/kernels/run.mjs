#!/usr/bin/env node
/**
 * Runs one kernel benchmark: `node kernels/run.mjs <name> [args...]` bundles
 * `kernels/<name>.ts` with esbuild and runs it with Node.
 *
 * Why bundle: tfjs-core registers its gradients only from extensionless ESM
 * files that Node cannot load; bundling that one import (everything else
 * stays external, so tfjs's global engine and kernel registry are shared)
 * makes `tf.grad` work in a plain Node process, as in @tunekit/core's build.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const here = dirname(fileURLToPath(import.meta.url));
const [name, ...rest] = process.argv.slice(2);
if (!name || !/^[a-z0-9-]+$/.test(name)) {
  console.error('usage: node kernels/run.mjs <benchmark> [args...]   (benchmarks: matmul, train-step, elementwise-ab)');
  process.exit(2);
}
const outDir = join(here, '..', 'node_modules', '.cache', 'tunekit-kernel-bench');
mkdirSync(outDir, { recursive: true });
const outfile = join(outDir, `${name}.mjs`);

await build({
  entryPoints: [join(here, `${name}.ts`)],
  outfile,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  sourcemap: 'inline',
  logLevel: 'warning',
  plugins: [
    {
      name: 'externalise-packages-but-gradients',
      setup(b) {
        b.onResolve({ filter: /^[^./]/ }, (args) =>
          /@tensorflow\/tfjs-core\/dist\/register_all_gradients/.test(args.path) ? undefined : { path: args.path, external: true },
        );
      },
    },
  ],
});

const result = spawnSync(process.execPath, ['--enable-source-maps', outfile, ...rest], { stdio: 'inherit' });
process.exit(result.status ?? 1);
