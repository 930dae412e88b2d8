import { defineConfig } from 'tsup';
// The `require` entries of package.json: CommonJS stubs that hand over the ES module.
import { writeRequireStubs } from '../../scripts/require-stubs.mjs';

export default defineConfig({
  entry: { index: 'src/index.ts', node: 'src/node.ts' },
  format: ['esm'],
  dts: true,
  sourcemap: true,
  clean: true,
  target: 'es2022',
  onSuccess: async () => {
    writeRequireStubs('.');
  },
});
