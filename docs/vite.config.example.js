// A Vite config for an app that uses @tunekit/core and @tunekit/backend-web
// from npm (scripts/pack-install.mjs builds an app with exactly this file).
// See docs/bundling.md for why each part is there.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { defineConfig } from 'vite';

// Where tfjs's wasm binaries are emitted; pass the same folder to
// createWebBackend({ wasmPaths: './tfjs-wasm/' }) so the wasm fallback finds them.
const WASM_FOLDER = 'tfjs-wasm/';
const WASM_FILES = ['tfjs-backend-wasm.wasm', 'tfjs-backend-wasm-simd.wasm', 'tfjs-backend-wasm-threaded-simd.wasm'];

/** tfjs-backend-wasm's dist folder, resolved the way the app's own imports are. */
function wasmDist() {
  const require = createRequire(join(process.cwd(), 'package.json'));
  const core = dirname(require.resolve('@tunekit/core/package.json'));
  return join(dirname(createRequire(join(core, 'package.json')).resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist');
}

export default defineConfig({
  base: './',
  build: {
    // tfjs and the tokenizer use top-level await and BigInt.
    target: 'es2022',
    chunkSizeWarningLimit: 4096,
  },
  plugins: [
    {
      // Vite does not see the .wasm files (tfjs loads them by URL at run time): emit them.
      name: 'tfjs-wasm-binaries',
      generateBundle() {
        for (const name of WASM_FILES) {
          this.emitFile({ type: 'asset', fileName: `${WASM_FOLDER}${name}`, source: readFileSync(join(wasmDist(), name)) });
        }
      },
    },
  ],
});
