#!/usr/bin/env node
/**
 * Tries the packages as an npm user gets them: packs every package, installs
 * the tarballs with npm into fresh apps outside the monorepo, and checks
 *
 *  - each tarball has LICENSE, README.md, dist and its require() stubs;
 *  - `@tunekit/formats` alone installs no tfjs, and its CLI runs;
 *  - ESM app: the quick start (examples/quick-start) trains on the tiny fixture
 *    and saves a PEFT adapter; the app's own `@tensorflow/tfjs-core` sees the
 *    tensors, memory and kernels core registered (one engine);
 *  - CommonJS app: `require('@tunekit/core')` works and is the same module as `import`;
 *  - TypeScript app: the quick start type-checks under module nodenext;
 *  - Vite app: a browser build of core + backend-web succeeds;
 *  - on linux-x64, the cpu-kernels tarball carries the prebuilt binary, and
 *    installing it runs no compiler: with --ignore-scripts, and with scripts
 *    but only decoy compilers on PATH, the native kernels load from it.
 *
 * Usage: node scripts/pack-install.mjs [--keep]   (after `pnpm build`)
 * Needs the tiny fixture (TUNEKIT_SHARED, or ../shared beside the repo) and
 * npm with its cache or the registry; installs use --prefer-offline.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const keep = process.argv.includes('--keep');
const work = mkdtempSync(join(tmpdir(), 'tunekit-pack-install-'));
const shared = process.env.TUNEKIT_SHARED ?? join(repo, '..', 'shared');
const fixture = join(shared, 'fixtures', 'tiny-gpt2');
const dataFile = join(shared, 'data', 'instruction-data.json');
let failures = 0;

function step(title) {
  console.log(`\n--- ${title}`);
}
function check(ok, what) {
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${what}`);
  if (!ok) failures++;
}
function run(command, args, cwd, env = {}) {
  return execFileSync(command, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env }, maxBuffer: 64 << 20 });
}
function npm(args, cwd, env = {}) {
  // No audit/fund chatter; the cache first, so this runs offline once the cache is warm.
  return run('npm', [...args, '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error'], cwd, env);
}
// Apps whose checks do not train skip compiling the native kernels (minutes on a small machine).
const noNativeBuild = { TUNEKIT_SKIP_NATIVE_BUILD: '1' };
function app(name, manifest) {
  const folder = join(work, name);
  mkdirSync(folder, { recursive: true });
  writeFileSync(join(folder, 'package.json'), JSON.stringify({ name, private: true, version: '0.0.0', ...manifest }, null, 2));
  return folder;
}

/**
 * Issue 15: no package's dist carries a copy of tfjs. Every `@tensorflow/*`
 * import must stay a bare import of a package's published entry (no deep
 * `/dist/…` path into its internals), and no tfjs module may be inlined: esbuild
 * marks each inlined module with a `// …/node_modules/@tensorflow/…` comment,
 * and tfjs-core's Engine class would come with it.
 */
function checkNoBundledTfjs(tarballs) {
  const inspect = join(work, 'inspect');
  for (const [name, tarball] of tarballs) {
    const folder = join(inspect, name.replace('/', '+'));
    mkdirSync(folder, { recursive: true });
    run('tar', ['-xzf', tarball, '-C', folder], work);
    const dist = join(folder, 'package', 'dist');
    if (!existsSync(dist)) continue;
    const files = readdirSync(dist, { recursive: true }).filter((f) => /\.(c|m)?js$/.test(f));
    const inlined = new Set();
    const deepImports = new Set();
    let engines = 0;
    for (const file of files) {
      const code = readFileSync(join(dist, file), 'utf8');
      for (const m of code.matchAll(/^\/\/ \S*node_modules\/(@tensorflow\/[^/\s]+)\/\S+$/gm)) inlined.add(m[1]);
      for (const m of code.matchAll(/(?:\bfrom\s*|\bimport\s*\(?\s*|\brequire\(\s*)["'](@tensorflow\/[^"']+)["']/g)) {
        if (m[1].split('/').length > 2) deepImports.add(m[1]);
      }
      engines += (code.match(/class _?Engine\b/g) ?? []).length;
    }
    const problems = [
      ...[...inlined].map((p) => `bundles ${p} modules`),
      ...[...deepImports].map((p) => `imports ${p}`),
      ...(engines > 0 ? [`${engines} Engine class(es)`] : []),
    ];
    check(problems.length === 0, `${name}: dist bundles no tfjs and imports only tfjs packages' entries${problems.length ? ` (${problems.join('; ')})` : ''}`);
  }
}

/**
 * Issue 15: an app that imports `@tensorflow/tfjs-core` itself shares one
 * engine with core: one installed tfjs-core (core resolves the app's copy),
 * core's tensors are the app's Tensor class and counted by the app's
 * `tf.memory()`, the kernels core's backend registers and the gradients core
 * registers (once, with no override warning) are in the app's registries, and
 * the app's own `tf.variableGrads` trains core's model.
 */
function checkOneTfjsEngine(folder) {
  writeFileSync(join(folder, 'engine.mjs'), `
import { createRequire } from 'node:module';
const warnings = [];
const warn = console.warn;
console.warn = (...args) => { warnings.push(args.join(' ')); warn(...args); };
const tf = await import('@tensorflow/tfjs-core');
const core = await import('@tunekit/core');
const fromApp = createRequire(import.meta.url).resolve('@tensorflow/tfjs-core');
const fromCore = createRequire(createRequire(import.meta.url).resolve('@tunekit/core')).resolve('@tensorflow/tfjs-core');
const config = { vocabSize: 64, contextLength: 16, embeddingDim: 32, numLayers: 1, numHeads: 2 };
// The default CPU backend loads lazily with the first model: make one, so the
// baseline is taken with the backend in place.
(await core.createModel(config)).dispose();
const before = tf.memory().numTensors;
const model = await core.createModel(config);
const during = tf.memory().numTensors;
const variables = [...model.parameters().values()];
let hiddenIsAppTensor = false;
const { value, grads } = tf.variableGrads(() => {
  const { hidden } = model.transformer([[1, 2, 3, 4, 5]]);
  // Prototypes, not instanceof: tfjs's Symbol.hasInstance is duck-typed and accepts another copy's tensors.
  hiddenIsAppTensor = Object.getPrototypeOf(hidden) === tf.Tensor.prototype;
  return core.lmCrossEntropy(hidden, model.params.wte, [2, 3, 4, 5, core.IGNORE_INDEX]);
}, variables);
const trained = variables.every((v) => grads[v.name] !== undefined && grads[v.name].dataSync().every(Number.isFinite));
const loss = value.dataSync()[0];
tf.dispose([value, ...Object.values(grads)]);
const afterStep = tf.memory().numTensors;
const backend = tf.getBackend();
const native = tf.getKernel('TunekitGelu', backend) !== undefined;
const variablesInEngine = variables.every((v) => tf.engine().registeredVariables[v.name] === v);
model.dispose();
console.warn = warn;
console.log(JSON.stringify({
  sameFile: fromApp === fromCore, fromApp, backend, before, during, afterStep, after: tf.memory().numTensors, loss, trained,
  tensorClass: hiddenIsAppTensor && variables.every((v) => Object.getPrototypeOf(v) === tf.Variable.prototype), engineOnGlobal: globalThis._tfengine === tf.engine(),
  variablesInEngine,
  native, segmentSum: tf.getKernel('UnsortedSegmentSum', backend) !== undefined,
  gradients: ['Add', 'BatchMatMul', 'GatherV2', 'Softmax', 'SplitV', 'Tanh'].filter((k) => tf.getGradient(k) === undefined),
  overrides: warnings.filter((w) => /overrid/i.test(w)),
}));
`);
  const engine = JSON.parse(run('node', ['engine.mjs'], folder).trim().split('\n').at(-1));
  check(engine.sameFile, `core resolves the app's own @tensorflow/tfjs-core (${engine.fromApp.replace(folder, '.')})`);
  check(engine.engineOnGlobal && engine.tensorClass && engine.variablesInEngine, `one engine: core's tensors and variables are the app's tf.Tensor and tf.Variable, registered in the app's tf.engine() (backend ${engine.backend})`);
  check(engine.during > engine.before && engine.afterStep === engine.during && engine.after < engine.during, `the app's tf.memory() counts core's tensors (${engine.before} → ${engine.during}, ${engine.afterStep} after a training step, ${engine.after} after dispose)`);
  if (engine.after !== engine.before) console.log(`note: ${engine.after - engine.before} tensors outlive model.dispose() (issue 11's dispose bug)`);
  check(engine.gradients.length === 0 && engine.overrides.length === 0, `the app's tfjs-core has core's gradients, registered once${engine.gradients.length ? ` (missing ${engine.gradients.join(', ')})` : ''}${engine.overrides.length ? ` (${engine.overrides[0]})` : ''}`);
  check(engine.trained && Number.isFinite(engine.loss), `the app's tf.variableGrads trains core's model on plain Node (loss ${engine.loss.toFixed(3)}, every parameter has a finite gradient)`);
  // What core's default backend registers: the native kernels on cpu where they built, else the wasm flavour's segment sum.
  check(engine.backend === 'cpu' ? engine.native : engine.segmentSum, `the app's tfjs-core sees the kernels core's backend registered (${engine.backend}: ${engine.backend === 'cpu' ? 'TunekitGelu' : 'UnsortedSegmentSum'})`);
}

if (!existsSync(join(fixture, 'model.safetensors')) || !existsSync(dataFile)) {
  console.error(`pack-install: the tiny fixture was not found under ${shared}: set TUNEKIT_SHARED to the shared/ folder`);
  process.exit(2);
}

// ---- prebuilt native binary (before packing: the cpu-kernels tarball must carry it)
const prebuiltTarget = process.platform === 'linux' && process.arch === 'x64' ? 'linux-x64' : undefined;
const prebuiltFile = 'prebuilds/linux-x64/node.napi.glibc.node';
function buildPrebuiltBinary() {
  step('build the prebuilt native binary for this platform');
  if (!prebuiltTarget) {
    console.log(`note: no prebuilt binary is built on ${process.platform}-${process.arch}; the prebuilt checks are skipped`);
    return;
  }
  let built = true;
  try {
    console.log(run('node', ['scripts/build-prebuilt.mjs', prebuiltTarget], join(repo, 'packages', 'cpu-kernels')).trim());
  } catch (error) {
    built = false;
    console.log(`${error.stdout ?? ''}${error.stderr ?? error.message}`);
  }
  check(built, `@tunekit/cpu-kernels: ${prebuiltFile} built and checked`);
}
buildPrebuiltBinary();

// ---- pack
step('pack every package');
const tarballs = new Map();
const tarballDir = join(work, 'tarballs');
mkdirSync(tarballDir);
for (const dir of readdirSync(join(repo, 'packages'))) {
  const manifestPath = join(repo, 'packages', dir, 'package.json');
  if (!existsSync(manifestPath)) continue;
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8'));
  if (manifest.private) continue;
  // pnpm pack turns workspace:^ ranges into the real versions npm users see.
  const output = run('npx', ['-y', 'pnpm@9.15.9', 'pack', '--pack-destination', tarballDir], join(repo, 'packages', dir)).trim().split('\n');
  const tarball = output.reverse().find((line) => line.trim().endsWith('.tgz')).trim();
  tarballs.set(manifest.name, tarball);
  const files = run('tar', ['-tzf', tarball], work).split('\n');
  const requireTargets = Object.values(manifest.exports ?? {}).filter((t) => typeof t === 'object' && t.require).map((t) => `package/${t.require.replace(/^\.\//, '')}`);
  const missing = ['package/LICENSE', 'package/README.md', 'package/package.json', ...requireTargets].filter((f) => !files.includes(f));
  check(missing.length === 0 && files.some((f) => f.startsWith('package/dist/')), `${manifest.name}: tarball has LICENSE, README.md, dist and require stubs${missing.length ? ` (missing ${missing.join(', ')})` : ''}`);
}
checkNoBundledTfjs(tarballs);
const spec = (name) => `file:${tarballs.get(name)}`;
// Installed tarballs depend on each other by version (@tunekit/formats ^0.1.0):
// overrides point those at the tarballs too, never at the registry.
const overrides = Object.fromEntries([...tarballs.keys()].map((name) => [name, spec(name)]));

// ---- formats alone
step('@tunekit/formats alone');
{
  const folder = app('formats-only', { dependencies: { '@tunekit/formats': spec('@tunekit/formats') }, overrides });
  npm(['install'], folder);
  const installed = existsSync(join(folder, 'node_modules', '@tensorflow'));
  check(!installed, '@tunekit/formats installs no @tensorflow package');
  const templates = run(join(folder, 'node_modules', '.bin', 'tunekit-formats'), ['templates'], folder);
  check(/alpaca/.test(templates), 'the tunekit-formats CLI runs (templates lists alpaca)');
}

// ---- ESM app: quick start, one engine
step('ESM app: the quick start on the tiny fixture, one tfjs engine');
const tfjsVersion = JSON.parse(readFileSync(join(repo, 'packages', 'core', 'package.json'), 'utf8')).peerDependencies['@tensorflow/tfjs-core'];
const coreDeps = {
  '@tunekit/core': spec('@tunekit/core'),
  '@tunekit/formats': spec('@tunekit/formats'),
  '@tensorflow/tfjs-core': tfjsVersion,
};
const esm = app('esm-app', { type: 'module', dependencies: coreDeps, overrides });
npm(['install'], esm);
cpSync(join(repo, 'examples', 'quick-start', 'quick-start.ts'), join(esm, 'quick-start.ts'));
checkOneTfjsEngine(esm);

// ---- TypeScript: the quick start type-checks as a user's nodenext project
step('TypeScript app: the quick start type-checks (module nodenext)');
{
  // skipLibCheck as most apps set it: tfjs-core's own hash_util.d.ts names a global `Long` type it does not declare.
  writeFileSync(join(esm, 'tsconfig.json'), JSON.stringify({
    compilerOptions: { target: 'es2022', module: 'nodenext', moduleResolution: 'nodenext', strict: true, skipLibCheck: true, outDir: 'out', types: ['node'] },
    files: ['quick-start.ts', 'main.ts'],
  }));
  writeFileSync(join(esm, 'main.ts'), `import { quickStart } from './quick-start.js';
const [modelDir, dataFile, outDir] = process.argv.slice(2) as [string, string, string];
const result = await quickStart({ modelDir, dataFile, outDir, maxSteps: 3 });
console.log(JSON.stringify({ first: result.firstValLoss, last: result.lastValLoss }));
`);
  const typescript = JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8')).devDependencies.typescript;
  npm(['install', '--save-dev', `typescript@${typescript}`, '@types/node@^20.19.0'], esm);
  let compiled = true;
  try {
    run(join(esm, 'node_modules', '.bin', 'tsc'), ['-p', 'tsconfig.json'], esm);
  } catch (error) {
    compiled = false;
    console.log(String(error.stdout ?? error.message).slice(0, 2000));
  }
  check(compiled, 'tsc compiles the quick start against the installed packages');
  if (compiled) {
    step('ESM app: run the quick start');
    const outDir = join(esm, 'adapter');
    const output = run('node', ['out/main.js', fixture, dataFile, outDir], esm);
    const result = JSON.parse(output.trim().split('\n').at(-1));
    check(Number.isFinite(result.first) && Number.isFinite(result.last), `quick start trained (validation loss ${result.first.toFixed(3)} → ${result.last.toFixed(3)})`);
    check(existsSync(join(outDir, 'adapter_model.safetensors')) && existsSync(join(outDir, 'adapter_config.json')), 'quick start saved a PEFT adapter');
    // core's optional @tunekit/cpu-kernels came from its tarball and built at install (a C++ compiler is here).
    const info = JSON.parse(run('node', ['--input-type=module', '-e', "const k = await import('@tunekit/cpu-kernels'); console.log(JSON.stringify(k.nativeKernelsInfo()))"], esm).trim().split('\n').at(-1));
    check(info.available === true, `the native kernels installed with core load (${info.available ? info.isa : info.reason})`);
  }
}

// ---- CommonJS
step('CommonJS app: require()');
{
  const cjs = app('cjs-app', { dependencies: coreDeps, overrides });
  npm(['install'], cjs, noNativeBuild);
  writeFileSync(join(cjs, 'index.cjs'), `
const core = require('@tunekit/core');
const formats = require('@tunekit/formats');
import('@tunekit/core').then((esm) => {
  console.log(JSON.stringify({ load: typeof core.loadModel, same: esm.loadModel === core.loadModel, formats: typeof formats.render }));
});
`);
  const result = JSON.parse(run('node', ['index.cjs'], cjs).trim().split('\n').at(-1));
  check(result.load === 'function' && result.formats === 'function', "require('@tunekit/core') and require('@tunekit/formats') work");
  check(result.same, 'require() and import() give the same module (no dual-package copy)');
  let message = '';
  try {
    run('node', ['--no-experimental-require-module', 'index.cjs'], cjs);
  } catch (error) {
    message = String(error.stderr);
  }
  check(message.includes("is ESM only: use import('@tunekit/"), 'where Node cannot require ESM, the error says "ESM only: use import()"');
}

// ---- Vite
step('Vite app: browser build of core + backend-web');
{
  const viteVersion = JSON.parse(readFileSync(join(repo, 'examples', 'browser-finetune', 'package.json'), 'utf8')).devDependencies.vite;
  const web = app('vite-app', {
    type: 'module',
    dependencies: { ...coreDeps, '@tunekit/backend-web': spec('@tunekit/backend-web') },
    devDependencies: { vite: viteVersion },
    overrides,
  });
  npm(['install'], web, noNativeBuild);
  writeFileSync(join(web, 'index.html'), '<!doctype html><script type="module" src="/main.js"></script>\n');
  writeFileSync(join(web, 'main.js'), `import { createModel } from '@tunekit/core';
import { createWebBackend } from '@tunekit/backend-web';
const backend = createWebBackend({ prefer: ['webgpu'] });
const model = await createModel({ vocabSize: 64, contextLength: 16, embeddingDim: 32, numLayers: 1, numHeads: 2 }, { backend });
document.body.textContent = String(model.config.numLayers);
`);
  cpSync(join(repo, 'docs', 'vite.config.example.js'), join(web, 'vite.config.js'));
  let built = true;
  let output = '';
  try {
    output = run(join(web, 'node_modules', '.bin', 'vite'), ['build'], web);
  } catch (error) {
    built = false;
    output = `${error.stdout}${error.stderr}`;
  }
  check(built, 'vite build succeeds');
  const assets = built ? readdirSync(join(web, 'dist', 'assets')) : [];
  console.log(output.split('\n').filter((line) => /dist\//.test(line)).join('\n'));
  check(assets.some((f) => f.endsWith('.js')), `vite emitted the app bundle (${assets.length} assets)`);
}

// ---- cpu-kernels from its tarball: the prebuilt binary, no compiler
/**
 * Installs @tunekit/cpu-kernels into two fresh apps and checks that its
 * native kernels come from the prebuilt binary with no compiler run:
 * once with --ignore-scripts (no install script at all), once with the
 * install script but a PATH holding only node, npm and decoy c++/g++/cc/
 * gcc/make/python3 that log their use and fail.
 */
function checkPrebuiltInstall() {
  step('cpu-kernels tarball: prebuilt binary, nothing compiled');
  if (!prebuiltTarget) return;
  const tarball = tarballs.get('@tunekit/cpu-kernels');
  check(run('tar', ['-tzf', tarball], work).split('\n').includes(`package/${prebuiltFile}`), `the @tunekit/cpu-kernels tarball has ${prebuiltFile}`);
  const peers = JSON.parse(readFileSync(join(repo, 'packages', 'cpu-kernels', 'package.json'), 'utf8')).peerDependencies;
  const manifest = { type: 'module', dependencies: { '@tunekit/cpu-kernels': spec('@tunekit/cpu-kernels'), ...peers }, overrides };
  const probe = "const k = await import('@tunekit/cpu-kernels'); console.log(JSON.stringify(k.nativeKernelsInfo()))";
  const nativeInfo = (folder) => JSON.parse(run('node', ['--input-type=module', '-e', probe], folder).trim().split('\n').at(-1));
  const compiled = (folder) => existsSync(join(folder, 'node_modules', '@tunekit', 'cpu-kernels', 'build'));

  const ignoreScripts = app('prebuilt-ignore-scripts', manifest);
  npm(['install', '--ignore-scripts'], ignoreScripts);
  const withoutScripts = nativeInfo(ignoreScripts);
  check(withoutScripts.available === true && withoutScripts.binary === 'prebuilt' && !compiled(ignoreScripts),
    `npm install --ignore-scripts: native kernels from the prebuilt binary (${withoutScripts.available ? `${withoutScripts.binary}, ${withoutScripts.isa}` : withoutScripts.reason})`);

  // Decoys first on a PATH that has no real compiler: any compiler, make or
  // Python call leaves a line in the log (and fails).
  const bin = join(work, 'decoy-bin');
  const log = join(work, 'decoy-compilers.log');
  mkdirSync(bin, { recursive: true });
  for (const tool of ['c++', 'g++', 'cc', 'gcc', 'clang++', 'make', 'python3', 'python']) {
    writeFileSync(join(bin, tool), `#!/bin/sh\necho "${tool} $*" >> '${log}'\nexit 1\n`, { mode: 0o755 });
  }
  for (const tool of ['node', 'npm', 'sh']) symlinkSync(realpathSync(run('sh', ['-c', `command -v ${tool}`], work).trim()), join(bin, tool));
  const withScripts = app('prebuilt-with-scripts', manifest);
  const env = { PATH: bin, CXX: '', CC: '' };
  npm(['install'], withScripts, env);
  const info = JSON.parse(run(join(bin, 'node'), ['--input-type=module', '-e', probe], withScripts, env).trim().split('\n').at(-1));
  const calls = existsSync(log) ? readFileSync(log, 'utf8').trim() : '';
  check(calls === '' && !compiled(withScripts), `npm install with its install script and no compiler: nothing compiled${calls ? ` (called: ${calls.split('\n').join('; ')})` : ''}`);
  check(info.available === true && info.binary === 'prebuilt', `... and the native kernels load from the prebuilt binary (${info.available ? `${info.binary}, ${info.isa}` : info.reason})`);
}
checkPrebuiltInstall();

if (!keep) rmSync(work, { recursive: true, force: true });
else console.log(`\nkept ${work}`);
console.log(failures === 0 ? '\npack-install: all checks passed' : `\npack-install: ${failures} check(s) failed`);
process.exit(failures === 0 ? 0 : 1);
