/**
 * Vite config of the browser demo. The @tunekit packages are bundled from
 * their sources (as the root vitest config does), so `pnpm dev` needs no
 * package build first. tfjs's wasm binaries are served under `tfjs-wasm/`
 * so the wasm fallback works from a bundle (the page passes that folder to
 * `createWebBackend({ wasmPaths })`). Training runs in a module worker, and
 * both servers send the cross-origin isolation headers so the wasm engine
 * can use threads (SharedArrayBuffer needs `crossOriginIsolated`).
 */
import { createReadStream, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig, type Plugin } from 'vite';

const here = dirname(fileURLToPath(import.meta.url));
const source = (pkg: string, file = 'index.ts') => join(here, '../../packages', pkg, 'src', file);

/** The folder (relative to the page) the wasm binaries are served from. */
export const WASM_FOLDER = 'tfjs-wasm/';

const WASM_FILES = ['tfjs-backend-wasm.wasm', 'tfjs-backend-wasm-simd.wasm', 'tfjs-backend-wasm-threaded-simd.wasm'];

/** tfjs-backend-wasm's dist folder (a dependency of this package, so it resolves from here). */
function wasmDist(): string {
  const require = createRequire(import.meta.url);
  return dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')) + '/dist';
}

/** Serves the wasm binaries in dev and emits them into the bundle, under {@link WASM_FOLDER}. */
function tfjsWasmBinaries(): Plugin {
  return {
    name: 'tunekit-tfjs-wasm-binaries',
    configureServer(server) {
      server.middlewares.use((request, response, next) => {
        const name = request.url?.split('?')[0]?.split(`/${WASM_FOLDER}`)[1];
        if (!name || !WASM_FILES.includes(name)) return next();
        response.setHeader('Content-Type', 'application/wasm');
        createReadStream(join(wasmDist(), name)).pipe(response);
      });
    },
    generateBundle() {
      for (const name of WASM_FILES) {
        this.emitFile({ type: 'asset', fileName: `${WASM_FOLDER}${name}`, source: readFileSync(join(wasmDist(), name)) });
      }
    },
  };
}

/**
 * COOP + COEP make the page cross-origin isolated. `require-corp` still lets
 * the worker fetch models from the Hub, whose responses allow CORS.
 */
export const ISOLATION_HEADERS = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
};

export default defineConfig({
  root: here,
  // Relative asset URLs: the built page works from any folder or static host.
  base: './',
  resolve: {
    alias: [
      { find: /^@tunekit\/core$/, replacement: source('core') },
      { find: /^@tunekit\/formats$/, replacement: source('formats') },
      { find: /^@tunekit\/backend-web$/, replacement: source('backend-web') },
      { find: /^@tunekit\/backend-spec$/, replacement: source('backend-spec') },
    ],
  },
  build: {
    target: 'es2022',
    outDir: 'dist',
    emptyOutDir: true,
    // tfjs is large; one warning per build about it helps nobody.
    chunkSizeWarningLimit: 4096,
  },
  server: { headers: ISOLATION_HEADERS },
  preview: { headers: ISOLATION_HEADERS },
  // The training worker imports tfjs and core as ES modules, like the page.
  worker: { format: 'es' },
  plugins: [tfjsWasmBinaries()],
});
