/**
 * The file access the Hub cache needs: a `FileIO` with the optional members
 * for sizes, resumable appends, streamed reads and SHA-256 (symbolic links
 * are used when present, else blobs are copied). Checked once, up front, so
 * a `FileIO` without them fails with one error naming every missing member.
 */
import { UnsupportedError } from '@tunekit/formats';
import type { FileIO } from '../backend/backend-spec';

const REQUIRED = ['fileSize', 'appendChunks', 'openRead', 'sha256'] as const;

/** A {@link FileIO} with the members the Hub cache cannot do without. */
export type HubFiles = FileIO & Required<Pick<FileIO, (typeof REQUIRED)[number]>>;

/** `files` as {@link HubFiles}, or an `UnsupportedError` naming what it lacks and what to pass instead. */
export function hubFiles(files: FileIO): HubFiles {
  const missing = REQUIRED.filter((member) => typeof files[member] !== 'function');
  if (missing.length === 0) return files as HubFiles;
  throw new UnsupportedError(`The Hugging Face Hub cache needs file access with ${missing.map((member) => `${member}()`).join(', ')}, which the given FileIO lacks.`, {
    fix: 'Pass { files: nodeFileIO() } from @tunekit/backend-cpu/node (or a FileIO that implements these optional members), or load from a local folder or URL instead.',
  });
}
