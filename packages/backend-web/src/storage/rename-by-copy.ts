/**
 * `FileIO.rename` for stores without a native rename of whole trees (OPFS has
 * `move()` for files only in some browsers): copy, then remove the source.
 * Each file lands atomically (`writeFileAtomic`); a directory is not moved in
 * one step, so a crash mid-way can leave part of `to` beside a whole `from`.
 */
import { InvalidArgumentError } from '@tunekit/core';
import type { FileIO } from '@tunekit/core';
import { FileNotFoundError } from '@tunekit/core';

/** The primitives the copy needs. */
type CopyPrimitives = Pick<FileIO, 'readFile' | 'writeFileAtomic' | 'exists' | 'makeDirectory' | 'listDirectory' | 'remove'>;

const join = (directory: string, name: string) => (directory === '' ? name : `${directory.replace(/\/+$/, '')}/${name}`);

/** The file's bytes, or `'directory'`, or undefined when nothing is there. */
async function contentsOf(files: CopyPrimitives, path: string): Promise<Uint8Array | 'directory' | undefined> {
  if (!(await files.exists(path))) return undefined;
  try {
    return await files.readFile(path);
  } catch (error) {
    // It exists but is not a file: a directory.
    if (error instanceof FileNotFoundError) return 'directory';
    throw error;
  }
}

async function copyTree(files: CopyPrimitives, from: string, to: string): Promise<void> {
  await files.makeDirectory(to);
  for (const name of await files.listDirectory(from)) {
    const contents = await contentsOf(files, join(from, name));
    if (contents === 'directory') await copyTree(files, join(from, name), join(to, name));
    else if (contents) await files.writeFileAtomic(join(to, name), contents);
  }
}

/**
 * Renames a file (replacing a file at `to`) or a directory (`to` must not
 * exist, or be an empty directory), then removes `from`.
 * Rejects with `FileNotFoundError` when `from` is missing.
 */
export async function renameByCopy(files: CopyPrimitives, from: string, to: string): Promise<void> {
  const source = await contentsOf(files, from);
  if (source === undefined) throw new FileNotFoundError(from, { fix: 'Check the path (it is relative to this storage, not to the page URL); listDirectory() shows what is there.' });
  const target = await contentsOf(files, to);
  if (source === 'directory') {
    if (target instanceof Uint8Array) throw new InvalidArgumentError(`Cannot rename directory ${from} to ${to}: ${to} is a file`, { fix: 'Remove the file first, or rename to another path.' });
    if (target === 'directory' && (await files.listDirectory(to)).length > 0) throw new InvalidArgumentError(`Cannot rename ${from} to ${to}: ${to} is a directory that is not empty`, { fix: 'Empty or remove that directory first, or rename to another path.' });
    await copyTree(files, from, to);
  } else {
    if (target === 'directory') throw new InvalidArgumentError(`Cannot rename file ${from} to ${to}: ${to} is a directory`, { fix: 'Remove or rename that directory first, or rename to another path.' });
    await files.writeFileAtomic(to, source);
  }
  await files.remove(from);
}
