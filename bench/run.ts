/**
 * `pnpm bench`: the fixed GPT-2 124M workloads and the matMul
 * micro-benchmark, one JSON line each (see docs/performance.md).
 *
 *   pnpm bench [-- --only full-ft-1x1024,generate-64] [--steps 3] [--warmup 1]
 *              [--backend auto|native|wasm|cpu] [--threads N] [--no-matmul] [--profile]
 *              [--without TunekitAdamW,TunekitDropoutMask,TunekitGelu,TunekitGeluGrad]
 *
 * Each workload runs in its own Node process, so its peak RSS is its own and
 * a backend that runs out of memory (wasm's 4 GiB heap) fails alone: the
 * line then carries `error` instead of timings.
 */
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type CpuFlavor } from '@tunekit/backend-cpu';
import { runWorkload, WORKLOADS, type WorkloadName, type WorkloadOptions } from './workloads';

const here = dirname(fileURLToPath(import.meta.url));

/** Default measured steps per workload: the whole run stays well under 15 minutes on 2 cores. */
const DEFAULT_STEPS: Record<WorkloadName, number> = {
  'full-ft-4x256': 3,
  'full-ft-1x1024': 3,
  'lora-r16-4x256': 3,
  'classify-8x128': 5,
  'generate-64': 3,
};

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
  if (!only) return [...WORKLOADS];
  const names = only.split(',').map((s) => s.trim()).filter((s) => s && s !== 'matmul');
  for (const name of names) {
    if (!(WORKLOADS as readonly string[]).includes(name)) throw new Error(`unknown workload "${name}" (${WORKLOADS.join(', ')}, matmul)`);
  }
  return names as WorkloadName[];
}

function parseBackend(): CpuFlavor | 'auto' {
  const backend = arg('backend') ?? 'auto';
  if (!['auto', 'native', 'wasm', 'cpu'].includes(backend)) throw new Error(`--backend must be auto, native, wasm or cpu, got ${backend}`);
  return backend as CpuFlavor | 'auto';
}

/** Child mode: run one workload, print its line. */
async function child(name: WorkloadName): Promise<void> {
  const options: WorkloadOptions = {
    backend: parseBackend(),
    steps: positive('steps', arg('steps')) ?? DEFAULT_STEPS[name],
    warmup: positive('warmup', arg('warmup')) ?? 1,
    threads: positive('threads', arg('threads')),
    profile: arg('profile') !== undefined,
    without: arg('without')?.split(',').filter(Boolean),
  };
  const row = await runWorkload(name, options);
  console.log(JSON.stringify({ ...row, requestedBackend: options.backend }));
}

/** Runs a command, forwarding its JSON lines; returns its exit code and the tail of its stderr. */
function runChild(command: string, args: string[], env: NodeJS.ProcessEnv = process.env): Promise<{ code: number; stderr: string; lines: number }> {
  return new Promise((resolve) => {
    const proc = spawn(command, args, { cwd: here, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    let lines = 0;
    let buffer = '';
    proc.stdout.on('data', (chunk: Buffer) => {
      buffer += chunk.toString();
      let nl: number;
      while ((nl = buffer.indexOf('\n')) >= 0) {
        const line = buffer.slice(0, nl);
        buffer = buffer.slice(nl + 1);
        if (line.startsWith('{')) {
          console.log(line);
          lines++;
        } else if (line.trim()) console.error(line);
      }
    });
    proc.stderr.on('data', (chunk: Buffer) => {
      // Keep the start (the error message) and the end (the last frames).
      stderr = stderr.length < 4000 ? stderr + chunk.toString() : stderr.slice(0, 4000) + chunk.toString().slice(-4000);
    });
    proc.on('close', (code, signal) => resolve({ code: code ?? (signal ? 128 : 1), stderr, lines }));
  });
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
  for (const name of names) {
    // Same Node, same loader (tsx's flags are in execArgv), fresh process.
    const result = await runChild(process.execPath, [...process.execArgv, join(here, 'run.ts'), '--workload', name, ...forward]);
    if (result.code !== 0 || result.lines === 0) {
      const lines = result.stderr.trim().split('\n').filter((l) => l.trim());
      // The first error-looking line says why (OOM, abort); stack frames follow it.
      const why = lines.find((l) => /error|abort|memory|killed/i.test(l) && !/^\s+at /.test(l)) ?? lines.slice(-3).join(' | ');
      console.log(JSON.stringify({ workload: name, requestedBackend: arg('backend') ?? 'auto', error: `exit ${result.code}: ${why.trim()}` }));
    }
  }
}

await main();
