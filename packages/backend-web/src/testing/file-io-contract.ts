/**
 * Test support: the behaviour every browser `FileIO` must have, as one suite
 * run against each implementation (the shape of tfjs's ALL_ENVS tests).
 */
import type { FileIO } from '@tunekit/core';
import { describe, expect, it } from 'vitest';
import { FileNotFoundError } from '../errors';

const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);

/** Chunks that fail after the first one: a tab closed or a quota hit mid-write. */
function* failingChunks(): Generator<Uint8Array> {
  yield new TextEncoder().encode('partial ');
  throw new Error('write interrupted'); // plain Error: test support: a simulated failure
}

async function collect(chunks: AsyncIterable<Uint8Array>): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  for await (const chunk of chunks) parts.push(chunk);
  const out = new Uint8Array(parts.reduce((sum, part) => sum + part.byteLength, 0));
  let cursor = 0;
  for (const part of parts) {
    out.set(part, cursor);
    cursor += part.byteLength;
  }
  return out;
}

/** Registers the contract tests for the `FileIO` that `create` returns (fresh per test). */
export function describeFileIOContract(name: string, create: () => FileIO): void {
  describe(`${name}: FileIO contract`, () => {
    it('round-trips bytes and UTF-8 text', async () => {
      const files = create();
      const bytes = new Uint8Array([0, 1, 2, 254, 255]);
      await files.writeFileAtomic('a/b/weights.bin', bytes);
      await files.writeFileAtomic('a/b/config.json', '{"name":"héllo ✓"}');
      expect(Array.from(await files.readFile('a/b/weights.bin'))).toEqual([0, 1, 2, 254, 255]);
      expect(text(await files.readFile('a/b/config.json'))).toBe('{"name":"héllo ✓"}');
    });

    it('rejects a missing path with FileNotFoundError (code file_not_found) naming it: readFile, openRead, rename', async () => {
      const files = create();
      const attempts: [string, Promise<unknown>][] = [
        ['readFile', files.readFile('nope/missing.bin')],
        ['openRead', files.openRead!('nope/missing.bin')],
        ['rename', files.rename!('nope/missing.bin', 'elsewhere.bin')],
      ];
      for (const [method, attempt] of attempts) {
        const error = (await attempt.then(() => undefined, (e: unknown) => e)) as FileNotFoundError | undefined;
        expect(error, method).toBeInstanceOf(FileNotFoundError);
        expect(error?.code, method).toBe('file_not_found');
        expect(error?.message, method).toContain('nope/missing.bin');
      }
      expect(await files.exists('elsewhere.bin')).toBe(false);
    });

    it('renames a file, replacing a file at the target, creating its parents', async () => {
      const files = create();
      await files.writeFileAtomic('run/state.json.tmp', 'new state');
      await files.writeFileAtomic('run/final/state.json', 'old state');
      await files.rename!('run/state.json.tmp', 'run/final/state.json');
      expect(text(await files.readFile('run/final/state.json'))).toBe('new state');
      expect(await files.exists('run/state.json.tmp')).toBe(false);
      await files.rename!('run/final/state.json', 'other/deep/state.json');
      expect(text(await files.readFile('other/deep/state.json'))).toBe('new state');
      expect(await files.listDirectory('run/final')).toEqual([]);
    });

    it('renames a directory tree (a staged checkpoint) and refuses to put a file over a directory', async () => {
      const files = create();
      await files.writeFileAtomic('ckpt/checkpoint-2.tmp/trainer-state.json', '{"step":2}');
      await files.writeFileAtomic('ckpt/checkpoint-2.tmp/weights/model.safetensors', new Uint8Array([1, 2, 3]));
      await files.rename!('ckpt/checkpoint-2.tmp', 'ckpt/checkpoint-2');
      expect(await files.listDirectory('ckpt')).toEqual(['checkpoint-2']);
      expect(await files.listDirectory('ckpt/checkpoint-2')).toEqual(['trainer-state.json', 'weights']);
      expect(text(await files.readFile('ckpt/checkpoint-2/trainer-state.json'))).toBe('{"step":2}');
      expect(Array.from(await files.readFile('ckpt/checkpoint-2/weights/model.safetensors'))).toEqual([1, 2, 3]);
      await files.writeFileAtomic('ckpt/latest', 'checkpoint-2');
      await expect(files.rename!('ckpt/latest', 'ckpt/checkpoint-2')).rejects.toThrow();
      expect(text(await files.readFile('ckpt/latest'))).toBe('checkpoint-2');
      expect(await files.listDirectory('ckpt/checkpoint-2')).toEqual(['trainer-state.json', 'weights']);
    });

    it('overwrites, shorter content included', async () => {
      const files = create();
      await files.writeFileAtomic('f.txt', 'a much longer first version');
      await files.writeFileAtomic('f.txt', 'short');
      expect(text(await files.readFile('f.txt'))).toBe('short');
    });

    it('creates parents on write; exists and listDirectory see them', async () => {
      const files = create();
      await files.writeFileAtomic('models/gpt2/model.safetensors', 'x');
      await files.writeFileAtomic('models/gpt2/config.json', '{}');
      await files.makeDirectory('models/gpt2/adapters');
      expect(await files.exists('models')).toBe(true);
      expect(await files.exists('models/gpt2/config.json')).toBe(true);
      expect(await files.exists('models/gpt2/tokenizer.json')).toBe(false);
      expect(await files.exists('')).toBe(true);
      expect(await files.listDirectory('models/gpt2')).toEqual(['adapters', 'config.json', 'model.safetensors']);
      expect(await files.listDirectory('')).toEqual(['models']);
    });

    it('makeDirectory is idempotent; listing a missing directory or a file gives []', async () => {
      const files = create();
      await files.makeDirectory('runs/1/checkpoints');
      await files.makeDirectory('runs/1/checkpoints');
      await files.writeFileAtomic('runs/log.txt', 'x');
      expect(await files.listDirectory('runs')).toEqual(['1', 'log.txt']);
      expect(await files.listDirectory('runs/1/checkpoints')).toEqual([]);
      expect(await files.listDirectory('elsewhere')).toEqual([]);
      expect(await files.listDirectory('runs/log.txt')).toEqual([]);
      await expect(files.makeDirectory('runs/log.txt/sub')).rejects.toThrow();
    });

    it('removes files and whole trees; removing nothing succeeds', async () => {
      const files = create();
      await files.writeFileAtomic('tree/a/1.bin', 'one');
      await files.writeFileAtomic('tree/a/b/2.bin', 'two');
      await files.writeFileAtomic('tree/keep.bin', 'keep');
      await files.remove('tree/keep.bin');
      expect(await files.exists('tree/keep.bin')).toBe(false);
      await files.remove('tree/a');
      expect(await files.exists('tree/a/b/2.bin')).toBe(false);
      expect(await files.listDirectory('tree')).toEqual([]);
      await files.remove('tree/never-was');
      await files.writeFileAtomic('tree/a/1.bin', 'again');
      expect(text(await files.readFile('tree/a/1.bin'))).toBe('again');
    });

    it('normalises paths and refuses ".."', async () => {
      const files = create();
      await files.writeFileAtomic('/x//y/./z.txt', 'same');
      expect(text(await files.readFile('x/y/z.txt'))).toBe('same');
      await expect(files.readFile('x/../secret')).rejects.toThrow(/cannot contain "\.\."/);
    });

    it('is atomic: an interrupted write leaves the old file whole and no stray entry', async () => {
      const files = create();
      await files.writeFileAtomic('adapter/adapter_model.safetensors', 'old complete file');
      await expect(files.writeChunksAtomic!('adapter/adapter_model.safetensors', failingChunks())).rejects.toThrow('write interrupted');
      expect(text(await files.readFile('adapter/adapter_model.safetensors'))).toBe('old complete file');
      expect(await files.listDirectory('adapter')).toEqual(['adapter_model.safetensors']);
      await expect(files.writeChunksAtomic!('adapter/new.bin', failingChunks())).rejects.toThrow('write interrupted');
      expect(await files.exists('adapter/new.bin')).toBe(false);
    });

    it('writes chunks and streams them back (openRead)', async () => {
      const files = create();
      // 9 MiB + 3: more than one IndexedDB piece; values not a multiple of 256 so offsets matter.
      const big = new Uint8Array(9 * 2 ** 20 + 3).map((_, i) => (i * 7) % 251);
      await files.writeChunksAtomic!('big.bin', [big.subarray(0, 5), big.subarray(5)]);
      const { size, chunks } = await files.openRead!('big.bin');
      expect(size).toBe(big.byteLength);
      const back = await collect(chunks);
      expect(back.byteLength).toBe(big.byteLength);
      expect(back.every((v, i) => v === big[i])).toBe(true);
      expect((await files.readFile('big.bin')).byteLength).toBe(big.byteLength);
    });

    it('stores only the bytes of a view, not its whole buffer', async () => {
      const files = create();
      const buffer = new Uint8Array(1000).map((_, i) => i % 256);
      await files.writeFileAtomic('view.bin', buffer.subarray(10, 20));
      expect(Array.from(await files.readFile('view.bin'))).toEqual([10, 11, 12, 13, 14, 15, 16, 17, 18, 19]);
    });

    it('will not write over a directory or under a file', async () => {
      const files = create();
      await files.makeDirectory('d');
      await files.writeFileAtomic('f', 'file');
      await expect(files.writeFileAtomic('d', 'x')).rejects.toThrow();
      await expect(files.writeFileAtomic('f/child', 'x')).rejects.toThrow();
      expect(text(await files.readFile('f'))).toBe('file');
    });
  });
}
