#!/usr/bin/env node
/**
 * Bundle sizes of a WebGPU-only browser app (core + backend-web), as a
 * browser bundler would build it: esbuild, minified, ES modules with code
 * splitting (a lazily imported module becomes its own chunk, loaded only if
 * used). Prints, minified and gzipped: the entry chunk, what a page on the
 * WebGPU path loads (entry, its static imports, tfjs's webgpu chunk), all
 * chunks, and how much CPU/wasm backend code each contains. tfjs's webgpu
 * backend itself imports some of tfjs-backend-cpu's shared kernel helpers,
 * which therefore count on the WebGPU path in any layout.
 *
 * Run after `pnpm build` (it bundles the packages' dist, as an application would):
 *   node scripts/bundle-size.mjs [--json]
 */
import { gzipSync } from 'node:zlib';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

// What a WebGPU-only page imports: no CPU backend is named anywhere.
const ENTRY = `
import { loadModel, train, generate } from '@tunekit/core';
import { createWebBackend } from '@tunekit/backend-web';
export async function run(url, data) {
  const backend = createWebBackend({ prefer: ['webgpu'] });
  const model = await loadModel({ source: url, backend });
  await train({ model, task: 'causal-lm', trainData: data, maxSteps: 1 });
  return generate({ model, prompt: 'Hello', maxNewTokens: 8 });
}
`;

// Resolved from backend-web, whose node_modules links core, as an app's would.
const resolveDir = fileURLToPath(new URL('../packages/backend-web', import.meta.url));
const CPU_CODE = /@tensorflow[\\/]tfjs-backend-(cpu|wasm)|[\\/]backend-cpu[\\/]|embedded-cpu/;

const outdir = mkdtempSync(join(tmpdir(), 'tunekit-bundle-'));
try {
  const result = await build({
    stdin: { contents: ENTRY, resolveDir, sourcefile: 'webgpu-app.js', loader: 'js' },
    bundle: true, minify: true, format: 'esm', splitting: true, platform: 'browser', target: 'es2022',
    outdir, metafile: true, write: true, logLevel: 'error',
    // Node-only modules are never reached in a browser; tunekit imports them lazily.
    external: ['node:*', 'webgpu'],
  });
  const outputs = result.metafile.outputs;
  const size = (file) => {
    const bytes = readFileSync(file);
    return { raw: bytes.byteLength, gzip: gzipSync(bytes, { level: 9 }).byteLength };
  };
  const sum = (files) => files.map(size).reduce((a, b) => ({ raw: a.raw + b.raw, gzip: a.gzip + b.gzip }), { raw: 0, gzip: 0 });
  const jsFiles = Object.keys(outputs).filter((file) => file.endsWith('.js'));
  const entryFile = jsFiles.find((file) => outputs[file].entryPoint?.endsWith('webgpu-app.js'));
  if (!entryFile) throw new Error(`esbuild produced no entry chunk: ${JSON.stringify(jsFiles.map((f) => outputs[f].entryPoint))}`);
  const hasInput = (file, pattern) => Object.keys(outputs[file].inputs).some((path) => pattern.test(path));
  // What a WebGPU page loads: the entry, its static imports, and the lazily
  // imported chunk of tfjs's webgpu backend (with its static imports).
  const loaded = new Set();
  const visit = (file) => {
    if (loaded.has(file)) return;
    loaded.add(file);
    for (const imported of outputs[file].imports) {
      if (imported.external) continue;
      if (imported.kind === 'import-statement' || hasInput(imported.path, /tfjs-backend-webgpu/)) visit(imported.path);
    }
  };
  visit(entryFile);
  const cpuBytes = (files) =>
    [...files].flatMap((file) => Object.entries(outputs[file].inputs)).filter(([path]) => CPU_CODE.test(path)).reduce((n, [, input]) => n + input.bytesInOutput, 0);
  // Node's file access (`nodeFileIO`, the only user of node:fs/promises) must
  // stay out of what a WebGPU page loads: it lives in the CPU backend's
  // Node-only entry, imported lazily and only in Node.
  const nodeFileChunks = (files) => [...files].filter((file) => readFileSync(file, 'utf8').includes('node:fs/promises')).length;
  const report = {
    entry: size(entryFile),
    webgpuPath: { ...sum([...loaded]), chunks: loaded.size, cpuOrWasmBytes: cpuBytes(loaded), nodeFileChunks: nodeFileChunks(loaded) },
    allChunks: { ...sum(jsFiles), chunks: jsFiles.length, cpuOrWasmBytes: cpuBytes(jsFiles), nodeFileChunks: nodeFileChunks(jsFiles) },
  };
  if (process.argv.includes('--json')) {
    console.log(JSON.stringify(report));
  } else {
    const kb = (n) => `${(n / 1024).toFixed(1)} KiB`;
    console.log(`entry chunk:                 ${kb(report.entry.raw)} min, ${kb(report.entry.gzip)} gz`);
    console.log(`loaded on the WebGPU path:   ${kb(report.webgpuPath.raw)} min, ${kb(report.webgpuPath.gzip)} gz in ${loaded.size} chunks; tfjs cpu/wasm + tunekit CPU backend code among them: ${kb(report.webgpuPath.cpuOrWasmBytes)} min; chunks with Node file access: ${report.webgpuPath.nodeFileChunks}`);
    console.log(`all chunks (lazy included):  ${kb(report.allChunks.raw)} min, ${kb(report.allChunks.gzip)} gz in ${jsFiles.length} chunks; cpu/wasm code: ${kb(report.allChunks.cpuOrWasmBytes)} min; chunks with Node file access: ${report.allChunks.nodeFileChunks}`);
  }
} finally {
  rmSync(outdir, { recursive: true, force: true });
}
