import { defineConfig } from 'tsup';

export default defineConfig({
  // `node` is a separate entry so browser bundles never see `node:fs` or Dawn.
  entry: { index: 'src/index.ts', node: 'src/node.ts' },
  format: ['esm'],
  dts: true,
  sourcemap: true,
  clean: true,
  target: 'es2022',
});
