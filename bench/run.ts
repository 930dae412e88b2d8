/**
 * `pnpm bench`: the fixed GPT-2 124M workloads and the matMul
 * micro-benchmark, one JSON line each (see docs/performance.md).
 *
 *   pnpm bench [-- --only full-ft-1x1024,generate-64] [--steps 3] [--warmup 2]
 *              [--backend auto|native|wasm|cpu] [--threads N] [--no-matmul] [--profile [shapes]]
 *              [--without TunekitAdamW,TunekitDropoutMask,TunekitGelu,TunekitGeluGrad]
 *              [--peer pytorch] [--heavy] [--checkpointing [both]]
 *
 * `--peer pytorch` runs bench/peer/pytorch_gpt2.py on the same workload
 * right after each of ours and prints a comparison line (speed and peak-RSS
 * ratios); see peer.ts. `--heavy` adds the gpt2-medium workloads.
 * `--checkpointing` trains with `gradientCheckpointing`; `--checkpointing both`
 * runs each workload without, then with it, alternately in one run.
 *
 * Each workload runs in its own Node process, so its peak RSS is its own and
 * a backend that runs out of memory (wasm's 4 GiB heap) fails alone: the
 * line then carries `error` instead of timings.
 */
import { spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import * as os from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { type CPUFlavor } from '@tunekit/backend-cpu';
import { compareLine, currentCommit, PEER_SCRIPT, type ResultLine, setupPyTorchPeer, withPeakRss } from './peer';
import { HEAVY_WORKLOADS, runWorkload, WORKLOADS, type WorkloadName, type WorkloadOptions } from './workloads';

const here = dirname(fileURLToPath(import.meta.url));

/** Default measured steps per workload: the whole run stays well under 15 minutes on 2 cores. */
const DEFAULT_STEPS: Record<WorkloadName, number> = {
  'full-ft-4x256': 3,
  'full-ft-1x1024': 3,
  'lora-r16-4x256': 3,
  'classify-8x128': 5,
  'generate-64': 3,
  'full-ft-medium-8x92': 2,
  'full-ft-medium-8x256': 2,
};

/** Default unmeasured steps before the measured ones, for both sides. */
const DEFAULT_WARMUP = 2;

function arg(name: string): string | undefined {
  const argv = process.argv.slice(2);
  const i = argv.indexOf(`--${name}`);
  if (i < 0) return undefined;
  const next = argv[i + 1];
  return next === undefined || next.startsWith('--') ? 'true' : next;
}

function positive(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new Error(`--${name} must be a non-negative integer, got ${value}`);
  return n;
}

function parseOnly(): WorkloadName[] {
  const only = arg('only');
  const all: readonly string[] = [...WORKLOADS, ...HEAVY_WORKLOADS];
  if (!only) return arg('heavy') === undefined ? [...WORKLOADS] : [...WORKLOADS, ...HEAVY_WORKLOADS];
  const names = only.split(',').map((s) => s.trim()).filter((s) => s && s !== 'matmul');
  for (const name of names) {
    if (!all.includes(name)) throw new Error(`unknown workload "${name}" (${all.join(', ')}, matmul)`);
  }
  return names as WorkloadName[];
}

function parseBackend(): CPUFlavor | 'auto' {
  const backend = arg('backend') ?? 'auto';
  if (!['auto', 'native', 'wasm', 'cpu'].includes(backend)) throw new Error(`--backend must be auto, native, wasm or cpu, got ${backend}`);
  return backend as CPUFlavor | 'auto';
}

/** Child mode: run one workload, print its line. */
async function child(name: WorkloadName): Promise<void> {
  const options: WorkloadOptions = {
    backend: parseBackend(),
    steps: positive('steps', arg('steps')) ?? DEFAULT_STEPS[name],
    // Two unmeasured steps: both sides' allocators (our output pool, PyTorch's
    // and glibc's heaps) are still growing in the first two; a second warm-up
    // step moved PyTorch's LoRA step from 6.8 s to its steady 2.95 s.
    warmup: positive('warmup', arg('warmup')) ?? DEFAULT_WARMUP,
    threads: positive('threads', arg('threads')),
    profile: arg('profile') === 'shapes' ? 'shapes' : arg('profile') !== undefined,
    without: arg('without')?.split(',').filter(Boolean),
    gradientCheckpointing: arg('checkpointing') !== undefined,
  };
  const row = await runWorkload(name, options);
  console.log(JSON.stringify({ ...row, requestedBackend: options.backend }));
}

/** Runs a command, forwarding its JSON lines; returns its exit code, the tail of its stderr and its last JSON line. */
function runChild(command: string, args: string[], env: NodeJS.ProcessEnv = process.env, forward = true): Promise<{ code: number; stderr: string; lines: number; last?: ResultLine }> {
  return new Promise((resolve) => {
    const proc = spawn(command, args, { cwd: here, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    let lines = 0;
    let last: ResultLine | undefined;
    let buffer = '';
    proc.stdout.on('data', (chunk: Buffer) => {
      buffer += chunk.toString();
      let nl: number;
      while ((nl = buffer.indexOf('\n')) >= 0) {
        const line = buffer.slice(0, nl);
        buffer = buffer.slice(nl + 1);
        if (line.startsWith('{')) {
          if (forward) console.log(line);
          lines++;
          try {
            last = JSON.parse(line) as ResultLine;
          } catch {
            // a line that only looks like JSON: forwarded, not compared
          }
        } else if (line.trim()) console.error(line);
      }
    });
    proc.stderr.on('data', (chunk: Buffer) => {
      // Keep the start (the error message) and the end (the last frames).
      stderr = stderr.length < 4000 ? stderr + chunk.toString() : stderr.slice(0, 4000) + chunk.toString().slice(-4000);
    });
    proc.on('close', (code, signal) => resolve({ code: code ?? (signal ? 128 : 1), stderr, lines, last }));
  });
}

/**
 * This file bundled to plain JavaScript (packages external: they load from
 * their built `dist`, as in an application), for the workload processes.
 * Run through tsx instead, a workload process carried tsx's loader — ~60 MB
 * of resident memory (Node alone 41 MB, with tsx 74 MB; after importing
 * tfjs, core and the backend 96 vs 159 MB) that is the harness's, not the
 * library's, and that PyTorch's side does not carry.
 */
async function bundleForWorkloads(): Promise<string> {
  const outDir = join(here, 'node_modules', '.cache', 'tunekit-bench');
  mkdirSync(outDir, { recursive: true });
  const outfile = join(outDir, 'run.mjs');
  await build({ entryPoints: [join(here, 'run.ts')], outfile, bundle: true, platform: 'node', format: 'esm', target: 'node20', packages: 'external', logLevel: 'warning' });
  return outfile;
}

async function main(): Promise<void> {
  const workload = arg('workload');
  if (workload) return child(workload as WorkloadName);

  const names = parseOnly();
  const onlyArg = arg('only');
  const withMatMul = arg('no-matmul') === undefined && (!onlyArg || onlyArg.split(',').includes('matmul'));
  const forward = ['steps', 'warmup', 'backend', 'threads', 'profile', 'without'].flatMap((k) => (arg(k) === undefined ? [] : [`--${k}`, arg(k) as string]));

  if (withMatMul) {
    const threads = arg('threads') ? ['--threads', arg('threads') as string] : [];
    const result = await runChild(process.execPath, [join(here, 'kernels', 'run.mjs'), 'matmul', '--no-stock', '--tokens', '1024', ...threads]);
    if (result.code !== 0) console.log(JSON.stringify({ workload: 'matmul', error: result.stderr.trim().split('\n').slice(-3).join(' | ') }));
  }
  const peerName = arg('peer');
  if (peerName !== undefined && peerName !== 'pytorch') throw new Error(`--peer must be pytorch, got ${peerName}`);
  const peer = peerName ? setupPyTorchPeer() : undefined;
  if (peer && 'error' in peer) console.log(JSON.stringify({ peer: 'pytorch', error: peer.error }));
  const commit = currentCommit();
  const checkpointing = arg('checkpointing');
  if (checkpointing !== undefined && checkpointing !== 'true' && checkpointing !== 'both') throw new Error(`--checkpointing takes no value or both, got ${checkpointing}`);
  const variants = checkpointing === 'both' ? [[], ['--checkpointing']] : checkpointing ? [['--checkpointing']] : [[]];

  const workloadScript = await bundleForWorkloads();
  for (const name of names) {
    // Same Node, plain JavaScript, a fresh process.
    const ours: ResultLine[] = [];
    for (const variant of variants) ours.push(await measured(name, 'tunekit', process.execPath, [workloadScript, '--workload', name, ...forward, ...variant]));
    if (!peer || 'error' in peer) continue;
    const steps = arg('steps') ?? String(DEFAULT_STEPS[name]);
    const threads = arg('threads') ?? String(os.availableParallelism());
    const peerArgs = [PEER_SCRIPT, '--workload', name, '--steps', steps, '--warmup', arg('warmup') ?? String(DEFAULT_WARMUP), '--threads', threads];
    const theirs = await measured(name, 'pytorch', peer.python, peerArgs, peer.env);
    // As installed too: the tuned malloc that makes it fastest also raises its peak RSS.
    const stock = peer.stockEnv ? await measured(name, 'pytorch-stock', peer.python, peerArgs, peer.stockEnv) : undefined;
    for (const line of ours) console.log(JSON.stringify({ ...compareLine(name, line, theirs, commit, stock), ...(line.gradientCheckpointing ? { gradientCheckpointing: true } : {}) }));
  }
}

/**
 * Runs one workload process (ours or the peer's) under the external peak-RSS
 * probe; returns its result line (with `peakRssMiB` from outside when
 * available) or an error line. Both are printed.
 */
async function measured(name: WorkloadName, side: 'tunekit' | 'pytorch' | 'pytorch-stock', command: string, args: string[], env?: NodeJS.ProcessEnv): Promise<ResultLine> {
  const probe = withPeakRss(command, args);
  const result = await runChild(probe.command, probe.args, env, false);
  const externalRss = probe.read();
  if (result.code !== 0 || !result.last) {
    const lines = result.stderr.trim().split('\n').filter((l) => l.trim() && !/^Command (exited|terminated)/.test(l));
    // The first error-looking line says why (OOM, abort); stack frames follow it.
    const why = lines.find((l) => /error|abort|memory|killed/i.test(l) && !/^\s+at /.test(l)) ?? lines.slice(-3).join(' | ');
    const row = { workload: name, side, requestedBackend: arg('backend') ?? 'auto', error: `exit ${result.code}: ${why.trim()}`, peakRssMiB: externalRss };
    console.log(JSON.stringify(row));
    return row;
  }
  // peakRssSelfMiB: the process's own getrusage figure, kept for comparison with older lines.
  const row = externalRss === undefined ? { ...result.last, side } : { ...result.last, side, peakRssMiB: externalRss, peakRssSelfMiB: result.last.peakRssMiB, peakRssBy: '/usr/bin/time' };
  console.log(JSON.stringify(row));
  return row;
}

await main();
