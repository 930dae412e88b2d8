/**
 * The backend core runs on when none is given: `@tunekit/backend-cpu`,
 * imported on first need. A literal specifier, so bundlers put it in a chunk
 * of its own that a page passing its own backend (WebGPU) never loads.
 */
import { lazyFileIO } from '@tunekit/backend-spec';
import { TunekitError, UnsupportedError } from '@tunekit/formats';
import type { BackendV1, FileIO } from './backend-spec';

let loading: Promise<BackendV1> | undefined;

/** The default CPU backend (one shared instance), loaded lazily. */
export function defaultBackend(): Promise<BackendV1> {
  loading ??= import('@tunekit/backend-cpu').then(
    (module) => module.cpuBackend,
    (error: unknown) => {
      loading = undefined;
      throw new TunekitError('backend_unavailable', 
        `No backend was given and the default, @tunekit/backend-cpu, could not be loaded (${(error as Error).message.split('\n')[0]}).`,
        { fix: 'Install it, or pass { backend } (e.g. createWebBackend() from @tunekit/backend-web).', cause: error },
      );
    },
  );
  return loading;
}

let defaultFileIO: FileIO | undefined;

/**
 * The default backend's files, loaded on first use: what file operations that
 * have no model (a reporter's log, reading a checkpoint by path) and no
 * `files` option use. In Node that is Node's file system; elsewhere the first
 * operation fails with `no_file_system`.
 */
export function defaultFiles(): FileIO {
  defaultFileIO ??= lazyFileIO(async () => {
    const { files } = await defaultBackend();
    if (!files) {
      throw new TunekitError('no_file_system', 'No file system here: the default CPU backend has file access only in Node.', {
        fix: 'Pass { files } (e.g. createBrowserFileIO() of @tunekit/backend-web), or a backend that has files.',
      });
    }
    return files;
  }, {
    unsupported: (member) => new UnsupportedError(`The default backend's file access has no ${member}().`, {
      fix: 'Pass { files } with a FileIO that implements it (nodeFileIO() of @tunekit/backend-cpu/node does).',
    }),
  });
  return defaultFileIO;
}

/**
 * The file access to use: `files` when given, else the backend's (pass the
 * model's), else the default backend's (Node's file system in Node; elsewhere
 * the first operation fails with a `no_file_system` error). Core has no file
 * access of its own.
 */
export function resolveFiles(files?: FileIO, backend?: { backend: { files?: FileIO } }): FileIO {
  return files ?? backend?.backend.files ?? defaultFiles();
}
