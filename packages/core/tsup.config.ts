import { defineConfig } from 'tsup';
// The `require` entries of package.json: CommonJS stubs that hand over the ES module.
import { writeRequireStubs } from '../../scripts/require-stubs.mjs';

export default defineConfig({
  entry: { index: 'src/index.ts', 'testing/index': 'src/testing/index.ts' },
  format: ['esm'],
  dts: true,
  sourcemap: true,
  clean: true,
  target: 'es2022',
  onSuccess: async () => {
    writeRequireStubs('.');
  },
  // tfjs-core is a peer: every import of it stays a bare import of the one
  // installed package (tsup leaves dependencies and peers external; nothing
  // here may pull it in, or its modules, as a second copy). Core registers
  // its own gradients (src/tf/gradients) instead of tfjs's internal modules.
});
