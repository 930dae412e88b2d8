import { defineConfig } from 'tsup';
// The `require` entries of package.json: CommonJS stubs that hand over the ES module.
import { writeRequireStubs } from '../../scripts/require-stubs.mjs';

export default defineConfig({
  entry: { index: 'src/index.ts', node: 'src/node.ts', cli: 'src/cli.ts' },
  format: ['esm'],
  dts: { entry: { index: 'src/index.ts', node: 'src/node.ts' } },
  sourcemap: true,
  clean: true,
  target: 'es2022',
  onSuccess: async () => {
    writeRequireStubs('.');
  },
  // Keep `node:` specifiers: they make the Node-only chunks (./node, the CLI) obvious to bundlers.
  removeNodeProtocol: false,
  // Bundle the Jinja engine: the workspace patches it to follow Python's jinja2
  // (patches/@huggingface__jinja@0.5.11.patch), and a pnpm patch does not travel
  // with a published package, so the patched code must ship inside dist.
  noExternal: ['@huggingface/jinja'],
});
