import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createNodeBackend, NodeBackendUnavailableError, type PackageImporter, type TfjsNodePackage } from './index';

/** Stands in for tfjs-node: importing it registers a 'tensorflow' backend, as the real package does. */
function fakeTfjsNode(isUsingGpuDevice: boolean): () => Promise<unknown> {
  return async () => {
    tf.registerBackend('tensorflow', () => Object.assign(new MathBackendCPU(), { isUsingGpuDevice }), 3);
    return { version: { 'tfjs-node': '4.22.0' } };
  };
}

/** An error shaped like Node's for a package that is not installed. */
function notInstalled(name: string): Error {
  return Object.assign(new Error(`Cannot find package '${name}' imported from /app/index.js`), { code: 'ERR_MODULE_NOT_FOUND' });
}

function importer(packages: Partial<Record<TfjsNodePackage, () => Promise<unknown>>>) {
  return vi.fn<PackageImporter>(async (name) => {
    const load = packages[name];
    if (!load) throw notInstalled(name);
    return load();
  });
}

afterEach(async () => {
  if (tf.findBackendFactory('tensorflow')) tf.removeBackend('tensorflow');
  await tf.setBackend('cpu');
});

describe('importing the package', () => {
  it('succeeds without the optional peers and loads nothing until doInit', async () => {
    const module = await import('@tunekit/backend-node');
    expect(module.nodeBackend.specificationVersion).toBe('v1');
    expect(module.nodeBackend.name).toBe('tensorflow');
    const load = importer({});
    module.createNodeBackend({ importPackage: load, log: false });
    expect(load).not.toHaveBeenCalled();
  });

  it('rejects an unknown device when the backend is created', () => {
    expect(() => createNodeBackend({ device: 'tpu' as never })).toThrow(/Unknown device "tpu" \(gpu, cpu, auto\)/);
  });
});

describe('without tfjs-node installed (as in this repository)', () => {
  it('device gpu: says what to install and what the GPU build needs', async () => {
    const error = await createNodeBackend({ device: 'gpu', log: false }).doInit().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NodeBackendUnavailableError);
    const { message, attempts } = error as NodeBackendUnavailableError;
    expect(attempts).toEqual([expect.objectContaining({ packageName: '@tensorflow/tfjs-node-gpu', failure: 'not-installed' })]);
    expect(message).toContain('npm i @tensorflow/tfjs-node-gpu@4.22');
    expect(message).toContain('libtensorflow 2.9.1');
    expect(message).toContain('CUDA 11.2 and cuDNN 8.1');
    expect(message).toContain('Linux x86-64');
    expect(message).toContain("@tunekit/core's embedded CPU backend");
    expect(message).not.toContain('npm i @tensorflow/tfjs-node@');
  });

  it('device cpu: points at the CPU package only', async () => {
    const error = (await createNodeBackend({ device: 'cpu', log: false }).doInit().catch((e: unknown) => e)) as NodeBackendUnavailableError;
    expect(error).toBeInstanceOf(NodeBackendUnavailableError);
    expect(error.message).toContain('npm i @tensorflow/tfjs-node@4.22');
    expect(error.message).not.toContain('tfjs-node-gpu@');
  });

  it('device auto: tries the GPU package, then the CPU one, and lists both', async () => {
    const error = (await createNodeBackend({ log: false }).doInit().catch((e: unknown) => e)) as NodeBackendUnavailableError;
    expect(error.attempts.map((a) => a.packageName)).toEqual(['@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-node']);
    expect(error.attempts.every((a) => a.failure === 'not-installed')).toBe(true);
    expect(error.message).toContain('npm i @tensorflow/tfjs-node-gpu@4.22');
    expect(error.message).toContain('npm i @tensorflow/tfjs-node@4.22');
  });
});

describe('selection, with the package import injected', () => {
  it('gpu: selects the tensorflow backend and reports a GPU', async () => {
    const load = importer({ '@tensorflow/tfjs-node-gpu': fakeTfjsNode(true) });
    const lines: string[] = [];
    const backend = createNodeBackend({ device: 'gpu', importPackage: load, log: (line) => lines.push(line) });
    await backend.doInit();
    const capabilities = backend.doCapabilities();
    expect(backend.name).toBe('tensorflow-gpu');
    expect(tf.getBackend()).toBe('tensorflow');
    expect(capabilities).toMatchObject({ tfjsBackend: 'tensorflow', device: 'gpu', supportsFloat16: false });
    expect(capabilities.maxBindingBytes).toBeUndefined();
    expect(capabilities.description).toBe('tensorflow on the CUDA GPU via @tensorflow/tfjs-node-gpu 4.22.0, libtensorflow 2.9.1');
    expect(lines).toEqual([`tunekit: ${capabilities.description}`]);
    expect(load.mock.calls).toEqual([['@tensorflow/tfjs-node-gpu']]);
  });

  it('gpu: a GPU build that finds no CUDA device is an error naming the libraries', async () => {
    const backend = createNodeBackend({ device: 'gpu', importPackage: importer({ '@tensorflow/tfjs-node-gpu': fakeTfjsNode(false) }), log: false });
    const error = (await backend.doInit().catch((e: unknown) => e)) as NodeBackendUnavailableError;
    expect(error.attempts).toEqual([expect.objectContaining({ failure: 'no-gpu' })]);
    expect(error.message).toContain('LD_LIBRARY_PATH');
    expect(() => backend.doCapabilities()).toThrow(/call doInit\(\) first/);
  });

  it('auto: falls back to tfjs-node when the GPU package is missing, and says so', async () => {
    const load = importer({ '@tensorflow/tfjs-node': fakeTfjsNode(false) });
    const backend = createNodeBackend({ importPackage: load, log: false });
    await backend.doInit();
    expect(load.mock.calls).toEqual([['@tensorflow/tfjs-node-gpu'], ['@tensorflow/tfjs-node']]);
    expect(backend.doCapabilities()).toMatchObject({ device: 'cpu', tfjsBackend: 'tensorflow' });
    expect(backend.doCapabilities().description).toContain('via @tensorflow/tfjs-node 4.22.0');
    expect(backend.doCapabilities().description).toContain('@tensorflow/tfjs-node-gpu: not-installed');
  });

  it('auto: keeps a GPU build that found no GPU (on the CPU) instead of loading a second TensorFlow', async () => {
    const load = importer({ '@tensorflow/tfjs-node-gpu': fakeTfjsNode(false), '@tensorflow/tfjs-node': fakeTfjsNode(false) });
    const backend = createNodeBackend({ importPackage: load, log: false });
    await backend.doInit();
    expect(load).toHaveBeenCalledTimes(1);
    expect(backend.doCapabilities().device).toBe('cpu');
    expect(backend.doCapabilities().description).toContain('no CUDA device found, running on the CPU');
  });

  it('doDispose forgets the start (doCapabilities asks for doInit again); doInit then selects tensorflow again', async () => {
    const load = importer({ '@tensorflow/tfjs-node': fakeTfjsNode(false) });
    const backend = createNodeBackend({ device: 'cpu', importPackage: load, log: false });
    await backend.doInit();
    await backend.doDispose?.();
    expect(() => backend.doCapabilities()).toThrow(/call doInit\(\) first/);
    await tf.setBackend('cpu');
    await backend.doInit();
    expect(tf.getBackend()).toBe('tensorflow');
    expect(backend.doCapabilities().tfjsBackend).toBe('tensorflow');
  });

  it('tells a broken install from a missing one', async () => {
    const broken = async () => {
      throw new Error('libtensorflow.so.2: cannot open shared object file: No such file or directory');
    };
    const error = (await createNodeBackend({ device: 'cpu', importPackage: importer({ '@tensorflow/tfjs-node': broken }), log: false })
      .doInit()
      .catch((e: unknown) => e)) as NodeBackendUnavailableError;
    expect(error.attempts[0]).toMatchObject({ failure: 'failed-to-load', detail: expect.stringContaining('libtensorflow.so.2') });
    expect(error.message).toContain('@tensorflow/tfjs-node failed to load');
  });

  it('treats a package that registers no backend as failed to load', async () => {
    const error = (await createNodeBackend({ device: 'cpu', importPackage: importer({ '@tensorflow/tfjs-node': async () => ({}) }), log: false })
      .doInit()
      .catch((e: unknown) => e)) as NodeBackendUnavailableError;
    expect(error.attempts[0]).toMatchObject({ failure: 'failed-to-load', detail: expect.stringContaining('registered no "tensorflow" backend') });
  });

  it('doInit is idempotent and re-selects tensorflow after a switch', async () => {
    const load = importer({ '@tensorflow/tfjs-node': fakeTfjsNode(false) });
    const backend = createNodeBackend({ device: 'cpu', importPackage: load, log: false });
    await backend.doInit();
    await tf.setBackend('cpu');
    await backend.doInit();
    expect(tf.getBackend()).toBe('tensorflow');
    expect(load).toHaveBeenCalledTimes(1);
  });
});

describe('file I/O', () => {
  it("is core's Node file system I/O", async () => {
    const directory = await mkdtemp(join(tmpdir(), 'backend-node-'));
    try {
      const { files } = createNodeBackend({ log: false });
      await files!.writeFileAtomic(join(directory, 'adapter', 'config.json'), '{"r":8}');
      expect(new TextDecoder().decode(await files!.readFile(join(directory, 'adapter', 'config.json')))).toBe('{"r":8}');
      expect(await files!.listDirectory(join(directory, 'adapter'))).toEqual(['config.json']);
    } finally {
      await rm(directory, { recursive: true, force: true });
    }
  });
});
