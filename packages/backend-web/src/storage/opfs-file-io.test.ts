import { describe, expect, it } from 'vitest';
import { memoryOPFS } from '../testing/memory-opfs';
import { describeFileIOContract } from '../testing/file-io-contract';
import { canWriteOPFS, createOPFSFileIO } from './opfs-file-io';

// The logic against an in-memory OPFS with Chromium's semantics; both with
// move() (current Chromium, Firefox) and without it (older browsers: copy path).
describeFileIOContract('OPFS', () => {
  const root = memoryOPFS();
  return createOPFSFileIO({ root: async () => root });
});
describeFileIOContract('OPFS without move()', () => {
  const root = memoryOPFS({ supportsMove: false });
  return createOPFSFileIO({ root: async () => root });
});

describe('OPFS specifics', () => {
  it('keeps its tree under the "tunekit" directory by default', async () => {
    const root = memoryOPFS();
    await createOPFSFileIO({ root: async () => root }).writeFileAtomic('a.txt', 'x');
    expect([...root.entries.keys()]).toEqual(['tunekit']);
  });

  it('hides the temporaries of writes in flight from listings', async () => {
    const root = memoryOPFS();
    const files = createOPFSFileIO({ root: async () => root, directory: '' });
    await files.makeDirectory('d');
    const directory = await root.getDirectoryHandle('d');
    await directory.getFileHandle('.x.bin.tmp-1234', { create: true });
    await files.writeFileAtomic('d/x.bin', 'x');
    expect(await files.listDirectory('d')).toEqual(['x.bin']);
  });

  it('is unavailable in Node (no navigator.storage)', async () => {
    expect(canWriteOPFS()).toBe(false);
    await expect(createOPFSFileIO().exists('x')).rejects.toThrow(/navigator\.storage\.getDirectory is missing/);
  });

  it.skip('real OPFS in a browser — runs in the headless-Chromium suite of phase 2 (Node has no OPFS)', () => {});
});
