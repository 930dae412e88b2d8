/**
 * The native backend: TensorFlow's C library through tfjs-node, on a CUDA GPU
 * (`@tensorflow/tfjs-node-gpu`) or the CPU (`@tensorflow/tfjs-node`). Both
 * are optional peers loaded only in `doInit()`, so importing this package
 * never fails; a missing one becomes a {@link NodeBackendUnavailableError}
 * that says what to install.
 */
import { InvalidArgumentError, InvalidStateError } from '@tunekit/core';
import * as tf from '@tensorflow/tfjs-core';
import { engineStartup } from '@tunekit/backend-spec';
import { nodeFileIO } from '@tunekit/backend-cpu/node';
import type { BackendCapabilities, BackendV1, FileIO } from '@tunekit/core';
import { NodeBackendUnavailableError, type NodePackageAttempt } from './errors';
import { LIBTENSORFLOW_VERSION, TFJS_NODE_VERSION, installCommand, requirementsOf, type TfjsNodePackage } from './requirements';

/** Where to run: a CUDA GPU, the CPU, or the GPU when its package is installed and the CPU otherwise. */
export type NodeDevice = 'gpu' | 'cpu' | 'auto';

/** Loads a tfjs-node package (a dynamic `import` by default). */
export type PackageImporter = (packageName: TfjsNodePackage) => Promise<unknown>;

/** Options of {@link createNodeBackend}. */
export interface NodeBackendOptions {
  /** Default `'auto'`: tfjs-node-gpu when installed, else tfjs-node. */
  device?: NodeDevice;
  /** How packages are loaded; replace it in tests or to load from a custom location. */
  importPackage?: PackageImporter;
  /** File I/O to expose (default `nodeFileIO()` from `@tunekit/backend-cpu/node`, Node's file system). */
  files?: FileIO;
  /** Receives one line naming the engine chosen; default `console.info`, `false` for silence. */
  log?: ((line: string) => void) | false;
}

const PACKAGES: Record<NodeDevice, TfjsNodePackage[]> = {
  gpu: ['@tensorflow/tfjs-node-gpu'],
  cpu: ['@tensorflow/tfjs-node'],
  auto: ['@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-node'],
};

// A variable specifier keeps bundlers from resolving the optional peers.
const defaultImporter: PackageImporter = (packageName) => import(/* @vite-ignore */ packageName);

class AttemptFailure extends Error { // plain Error: internal, caught and reported as NodeBackendUnavailableError
  constructor(readonly attempt: NodePackageAttempt) {
    super(attempt.detail);
  }
}

/** "Not installed" as Node, bundlers and Vite ("Could not resolve … Is it installed?") word it, for this package itself (not one of its own dependencies). */
function isMissingPackage(error: unknown, packageName: string): boolean {
  const { code, message } = (error ?? {}) as { code?: string; message?: string };
  const notFound = code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND' || /Cannot find (package|module)|Could not resolve|Failed to (load|resolve)/.test(message ?? '');
  return notFound && (message ?? '').includes(packageName);
}

interface LoadedEngine {
  packageName: TfjsNodePackage;
  usingGpu: boolean;
  version?: string;
}

async function loadEngine(packageName: TfjsNodePackage, importPackage: PackageImporter, requireGpu: boolean): Promise<LoadedEngine> {
  const fail = (failure: NodePackageAttempt['failure'], detail: string) => new AttemptFailure({ packageName, failure, detail });
  let module: unknown;
  try {
    module = await importPackage(packageName);
  } catch (error) {
    const message = (error as Error)?.message?.split('\n')[0] ?? String(error);
    throw fail(isMissingPackage(error, packageName) ? 'not-installed' : 'failed-to-load', message);
  }
  // Importing tfjs-node registers the 'tensorflow' backend as a side effect.
  if (!tf.findBackendFactory('tensorflow')) {
    throw fail('failed-to-load', `${packageName} loaded but registered no "tensorflow" backend (is its @tensorflow/tfjs-core the same ${TFJS_NODE_VERSION} line as ours?)`);
  }
  if (!(await tf.setBackend('tensorflow'))) throw fail('failed-to-load', 'tfjs could not initialise the "tensorflow" backend (see the warning tfjs logged)');
  const usingGpu = Boolean((tf.findBackend('tensorflow') as { isUsingGpuDevice?: boolean } | null)?.isUsingGpuDevice);
  if (requireGpu && !usingGpu) {
    throw fail('no-gpu', 'libtensorflow found no usable CUDA GPU (its log above says why; usually libcudart.so.11.0 or libcudnn.so.8 is not on LD_LIBRARY_PATH)');
  }
  const version = (module as { version?: Record<string, string> } | null)?.version?.['tfjs-node'];
  return { packageName, usingGpu, version };
}

function unavailableMessage(device: NodeDevice, attempts: readonly NodePackageAttempt[]): string {
  const lines = [`@tunekit/backend-node could not start (device: '${device}'):`];
  for (const attempt of attempts) {
    const what = attempt.failure === 'not-installed' ? 'is not installed' : attempt.failure === 'no-gpu' ? 'found no GPU' : 'failed to load';
    lines.push(`  - ${attempt.packageName} ${what}: ${attempt.detail}`);
  }
  for (const packageName of PACKAGES[device]) {
    lines.push(`${packageName === '@tensorflow/tfjs-node-gpu' ? 'For a CUDA GPU' : 'For the native CPU build'}: ${installCommand(packageName)}`);
    lines.push(`  ${requirementsOf(packageName)}`);
  }
  lines.push("Or install nothing: @tunekit/core's embedded CPU backend (used when no backend is passed) needs no native package.");
  return lines.join('\n');
}

function describe(engine: LoadedEngine, device: NodeDevice, skipped: readonly NodePackageAttempt[]): string {
  const where = engine.usingGpu ? 'CUDA GPU' : 'CPU';
  const note = device === 'auto' && engine.packageName === '@tensorflow/tfjs-node-gpu' && !engine.usingGpu ? ' (no CUDA device found, running on the CPU)' : '';
  const why = skipped.length ? ` — ${skipped.map((a) => `${a.packageName}: ${a.failure}`).join('; ')}` : '';
  return `tensorflow on the ${where} via ${engine.packageName}${engine.version ? ` ${engine.version}` : ''}, libtensorflow ${LIBTENSORFLOW_VERSION}${note}${why}`;
}

/** Creates the native backend. Nothing is loaded until `doInit()`. */
export function createNodeBackend(options: NodeBackendOptions = {}): BackendV1 {
  const device = options.device ?? 'auto';
  if (!(device in PACKAGES)) throw new InvalidArgumentError(`Unknown device "${String(device)}" (gpu, cpu, auto)`, { fix: "Pass device: 'gpu', 'cpu' or 'auto'." });
  const importPackage = options.importPackage ?? defaultImporter;
  const log = options.log === false ? undefined : (options.log ?? ((line: string) => console.info(line)));
  let capabilities: BackendCapabilities | undefined;

  const start = async (): Promise<string> => {
    const attempts: NodePackageAttempt[] = [];
    for (const packageName of PACKAGES[device]) {
      try {
        const engine = await loadEngine(packageName, importPackage, device === 'gpu');
        capabilities = { tfjsBackend: 'tensorflow', device: engine.usingGpu ? 'gpu' : 'cpu', supportsFloat16: false, description: describe(engine, device, attempts) };
        log?.(`tunekit: ${capabilities.description}`);
        return capabilities.tfjsBackend;
      } catch (error) {
        if (!(error instanceof AttemptFailure)) throw error;
        attempts.push(error.attempt);
        // A loaded GPU build that found no GPU has claimed the 'tensorflow'
        // backend; loading the CPU package on top would clash with it.
        if (error.attempt.failure === 'no-gpu') break;
      }
    }
    // no fix: option: unavailableMessage ends with each package's install command and the no-install alternative
    throw new NodeBackendUnavailableError(unavailableMessage(device, attempts), attempts);
  };
  const startup = engineStartup({ start, tf });

  return {
    specificationVersion: 'v1',
    name: device === 'auto' ? 'tensorflow' : `tensorflow-${device}`,
    files: options.files ?? nodeFileIO(),
    doInit() {
      return startup.init();
    },
    doCapabilities() {
      if (!capabilities) throw new InvalidStateError('node backend:', { fix: 'call doInit() first' });
      return capabilities;
    },
    async doDispose() {
      // tfjs-node's engine cannot be unloaded from a process; forget our state
      // so that the next doInit() checks and selects it again.
      await startup.reset();
      capabilities = undefined;
    },
  };
}

/** The shared default instance: `createNodeBackend({ device: 'auto' })` (lazy). */
export const nodeBackend: BackendV1 = createNodeBackend();
