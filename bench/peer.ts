/**
 * `pnpm bench -- --peer pytorch`: the PyTorch peer (bench/peer/pytorch_gpt2.py)
 * runs the same workload right after ours, and a third line compares the two
 * (tokens/s ratio, peak-RSS ratio). Alternating per workload keeps both
 * sides under the same machine load as far as a shared machine allows.
 *
 * Peak RSS of both sides is measured the same way from outside: each child
 * runs under `/usr/bin/time -f %M` (the kernel's high-water mark of that
 * process, KiB). Without /usr/bin/time the children's own getrusage figures
 * are used (the same kernel counter, reported from inside).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));

/** The peer's script. */
export const PEER_SCRIPT = join(here, 'peer', 'pytorch_gpt2.py');

/** A parsed JSON result line of either side. */
export type ResultLine = Record<string, unknown>;

/** How to start the PyTorch peer, or why it cannot run. */
export type PeerSetup = {
  python: string;
  /** The fastest settings (see fastestPeerEnvironment), or as installed with TUNEKIT_PEER_TUNING=stock. */
  env: NodeJS.ProcessEnv;
  /** As installed, when `env` is tuned: the run whose peak RSS is lowest (the tuned malloc keeps freed memory). */
  stockEnv?: NodeJS.ProcessEnv;
  torch: string;
} | { error: string };

/**
 * Finds a Python with torch: `TUNEKIT_PEER_PYTHON`, else /usr/bin/python3
 * (Debian's python3-torch), else `python3` on PATH.
 */
export function setupPyTorchPeer(): PeerSetup {
  const candidates = process.env.TUNEKIT_PEER_PYTHON ? [process.env.TUNEKIT_PEER_PYTHON] : ['/usr/bin/python3', 'python3'];
  const env = { ...process.env };
  // OpenBLAS 0.3.21 misdetects AVX-512 EPYCs; SkylakeX is the kernel set
  // these CPUs can run. Set on AVX-512 machines (overriding an inherited
  // OPENBLAS_CORETYPE, so every peer run uses the same kernels), unless
  // TUNEKIT_PEER_OPENBLAS_CORETYPE chooses another.
  if (process.env.TUNEKIT_PEER_OPENBLAS_CORETYPE) env.OPENBLAS_CORETYPE = process.env.TUNEKIT_PEER_OPENBLAS_CORETYPE;
  else if (process.platform === 'linux' && hasAvx512()) env.OPENBLAS_CORETYPE = 'SkylakeX';
  const stockEnv = { ...env };
  const tuned = process.env.TUNEKIT_PEER_TUNING !== 'stock';
  if (tuned) Object.assign(env, fastestPeerEnvironment(env));
  const errors: string[] = [];
  for (const python of candidates) {
    try {
      const out = execFileSync(python, ['-c', 'import torch; print(torch.__version__)'], { env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 120_000 });
      return { python, env, ...(tuned ? { stockEnv } : {}), torch: out.trim() };
    } catch (error) {
      const stderr = (error as { stderr?: string }).stderr ?? String(error);
      errors.push(`${python}: ${stderr.trim().split('\n').slice(-1)[0] ?? 'failed'}`);
    }
  }
  return { error: `PyTorch not available (${errors.join('; ')}); set TUNEKIT_PEER_PYTHON to a python with torch` };
}

/**
 * The settings under which Debian's PyTorch ran fastest here, so that the
 * ratios are taken against the strongest peer this machine allows
 * (`TUNEKIT_PEER_TUNING=stock` runs it as installed). Measured on the 2-core
 * AVX-512 VM (full FT 124M 4×256, 2 steps after 1 warm-up): 10.9–12.3 s/step
 * as installed, 9.1 s with the OpenMP OpenBLAS, 5.5 s with both settings
 * below (docs/performance.md, "The PyTorch peer's settings").
 * - The OpenMP build of OpenBLAS where Debian's libopenblas0-openmp is
 *   installed: the pthread build's idle workers wait in a sched_yield loop
 *   (181,633 calls in one step) and take the cores from torch's own OpenMP
 *   threads; the OpenMP build runs on torch's thread pool.
 * - glibc's malloc keeping freed memory (no mmap'd chunks, trim only above
 *   1 GiB), as cpu-kernels sets it for tunekit: PyTorch has no caching
 *   allocator on the CPU, so each step otherwise gets its multi-GB
 *   activations and gradients as fresh pages from the kernel (2.3 million
 *   page faults in 3 steps, at ~11 µs each on this VM).
 */
function fastestPeerEnvironment(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const tuned: NodeJS.ProcessEnv = { MALLOC_MMAP_MAX_: '0', MALLOC_TRIM_THRESHOLD_: String(1 << 30) };
  const openmpBlas = ['/usr/lib/x86_64-linux-gnu/openblas-openmp', '/usr/lib/aarch64-linux-gnu/openblas-openmp'].find((dir) => existsSync(join(dir, 'libblas.so.3')));
  if (openmpBlas) tuned.LD_LIBRARY_PATH = [openmpBlas, env.LD_LIBRARY_PATH].filter(Boolean).join(':');
  return tuned;
}

function hasAvx512(): boolean {
  try {
    return /\bavx512f\b/.test(readFileSync('/proc/cpuinfo', 'utf8'));
  } catch {
    return false;
  }
}

/** Wraps a command so that its peak RSS is measured from outside; `read()` returns it in MiB (undefined if unavailable). */
export function withPeakRss(command: string, args: string[]): { command: string; args: string[]; read: () => number | undefined } {
  if (!existsSync('/usr/bin/time')) return { command, args, read: () => undefined };
  const dir = mkdtempSync(join(os.tmpdir(), 'tunekit-bench-'));
  const file = join(dir, 'maxrss');
  return {
    command: '/usr/bin/time',
    args: ['-f', '%M', '-o', file, command, ...args],
    read: () => {
      try {
        const kib = Number(readFileSync(file, 'utf8').trim().split('\n').pop());
        return Number.isFinite(kib) && kib > 0 ? Math.round(kib / 1024) : undefined;
      } catch {
        return undefined;
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}

function num(row: ResultLine | undefined, key: string): number | undefined {
  const v = row?.[key];
  return typeof v === 'number' && Number.isFinite(v) && v > 0 ? v : undefined;
}

/**
 * The comparison line: `speed` = our tokens/s ÷ theirs (> 1: we are faster;
 * for generation, tokens/s of the decode loop), `peakRss` = our peak RSS ÷
 * theirs (< 1: we use less). With the peer run both tuned and as installed
 * (`stock`), speed is against the faster of the two and memory against the
 * smaller peak. A side that failed gives no ratio.
 */
export function compareLine(workload: string, ours: ResultLine | undefined, theirs: ResultLine | undefined, commit: string, stock?: ResultLine): ResultLine {
  const oursTps = num(ours, 'tokensPerS');
  const oursRss = num(ours, 'peakRssMiB');
  const peers = [theirs, stock].filter((row): row is ResultLine => row !== undefined);
  const fastest = peers.reduce<ResultLine | undefined>((best, row) => ((num(row, 'tokensPerS') ?? 0) > (num(best, 'tokensPerS') ?? 0) ? row : best), undefined);
  const leanest = peers.reduce<ResultLine | undefined>((best, row) => ((num(row, 'peakRssMiB') ?? Infinity) < (num(best, 'peakRssMiB') ?? Infinity) ? row : best), undefined);
  const theirsTps = num(fastest, 'tokensPerS');
  const theirsRss = num(leanest, 'peakRssMiB');
  const summary = (row: ResultLine | undefined) => row && { tokensPerS: num(row, 'tokensPerS') ?? null, msPerStep: row.msPerStep ?? null, msPerToken: row.msPerToken, peakRssMiB: num(row, 'peakRssMiB') ?? null, error: row.error, loadAverage: row.loadAverage };
  const ratio = (a: number | undefined, b: number | undefined) => (a && b ? Math.round((a / b) * 100) / 100 : null);
  return {
    compare: workload,
    peer: 'pytorch',
    speed: ratio(oursTps, theirsTps),
    peakRss: ratio(oursRss, theirsRss),
    tunekit: { tokensPerS: oursTps ?? null, msPerStep: ours?.msPerStep ?? null, msPerToken: ours?.msPerToken, peakRssMiB: oursRss ?? null, error: ours?.error, loadAverage: ours?.loadAverage },
    pytorch: summary(theirs) ?? null,
    ...(stock ? { pytorchStock: summary(stock), speedAgainst: fastest === stock ? 'stock' : 'tuned', memoryAgainst: leanest === stock ? 'stock' : 'tuned' } : {}),
    commit,
    date: new Date().toISOString(),
  };
}

/** The checkout's commit (with `+dirty` when the tree has changes), for the record. */
export function currentCommit(): string {
  try {
    const sha = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: here, encoding: 'utf8' }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], { cwd: here, encoding: 'utf8' }).trim();
    return dirty ? `${sha}+dirty` : sha;
  } catch {
    return 'unknown';
  }
}
