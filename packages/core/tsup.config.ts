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
  // tfjs-core ships its gradient registrations only as extensionless ESM files
  // that Node cannot load. Bundling that one entry (and what it imports) makes
  // our dist work in plain Node; tfjs keeps engine and registries on a global,
  // so the bundled copy registers into the same registry as the peer.
  noExternal: [/@tensorflow\/tfjs-core\/dist\/register_all_gradients/],
});
