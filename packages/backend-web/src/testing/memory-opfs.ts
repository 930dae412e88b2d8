/**
 * Test support: an in-memory Origin Private File System with the semantics
 * our OPFS `FileIO` relies on — writes staged until `close()`, `abort()`
 * discarding them, `move()` replacing an existing target — and DOMException
 * names as browsers throw them. Real OPFS is exercised in headless Chromium.
 */
import type { OPFSDirectoryHandleLike, OPFSFileHandleLike, OPFSFileLike, OPFSWritableLike } from '../storage/opfs-file-io';

/** Switches to model older browsers. */
export interface MemoryOPFSOptions {
  /** Browsers before `FileSystemHandle.move()` (default true). */
  supportsMove?: boolean;
}

function domError(name: string, message: string): DOMException {
  return new DOMException(message, name);
}

class MemoryFile implements OPFSFileHandleLike {
  readonly kind = 'file';
  data: Uint8Array = new Uint8Array(0);
  move?: (newName: string) => Promise<void>;

  constructor(
    public name: string,
    private readonly parent: MemoryDirectory,
    supportsMove: boolean,
  ) {
    if (supportsMove) this.move = async (newName) => this.parent.rename(this, newName);
  }

  async getFile(): Promise<OPFSFileLike> {
    const bytes = this.data.slice();
    return {
      size: bytes.byteLength,
      arrayBuffer: async () => bytes.buffer,
      stream: () =>
        new ReadableStream<Uint8Array>({
          start(controller) {
            // Two chunks, so readers must really iterate.
            controller.enqueue(bytes.subarray(0, bytes.byteLength >> 1));
            controller.enqueue(bytes.subarray(bytes.byteLength >> 1));
            controller.close();
          },
        }),
    };
  }

  async createWritable(): Promise<OPFSWritableLike> {
    const staged: Uint8Array[] = [];
    return {
      write: async (data) => {
        staged.push(data.slice());
      },
      close: async () => {
        const size = staged.reduce((sum, part) => sum + part.byteLength, 0);
        const out = new Uint8Array(size);
        let cursor = 0;
        for (const part of staged) {
          out.set(part, cursor);
          cursor += part.byteLength;
        }
        this.data = out;
      },
      abort: async () => {
        staged.length = 0;
      },
    };
  }
}

class MemoryDirectory implements OPFSDirectoryHandleLike {
  readonly kind = 'directory';
  readonly entries = new Map<string, MemoryFile | MemoryDirectory>();

  constructor(
    public name: string,
    private readonly options: MemoryOPFSOptions,
  ) {}

  async getDirectoryHandle(name: string, { create = false } = {}): Promise<MemoryDirectory> {
    const entry = this.entries.get(name);
    if (entry instanceof MemoryDirectory) return entry;
    if (entry) throw domError('TypeMismatchError', `${name} is a file`);
    if (!create) throw domError('NotFoundError', `${name} not found`);
    const directory = new MemoryDirectory(name, this.options);
    this.entries.set(name, directory);
    return directory;
  }

  async getFileHandle(name: string, { create = false } = {}): Promise<MemoryFile> {
    const entry = this.entries.get(name);
    if (entry instanceof MemoryFile) return entry;
    if (entry) throw domError('TypeMismatchError', `${name} is a directory`);
    if (!create) throw domError('NotFoundError', `${name} not found`);
    const file = new MemoryFile(name, this, this.options.supportsMove ?? true);
    this.entries.set(name, file);
    return file;
  }

  async removeEntry(name: string, { recursive = false } = {}): Promise<void> {
    const entry = this.entries.get(name);
    if (!entry) throw domError('NotFoundError', `${name} not found`);
    if (entry instanceof MemoryDirectory && entry.entries.size > 0 && !recursive) throw domError('InvalidModificationError', `${name} is not empty`);
    this.entries.delete(name);
  }

  async *keys(): AsyncGenerator<string> {
    yield* [...this.entries.keys()];
  }

  /** Chromium's move(): the target name is replaced. */
  rename(file: MemoryFile, newName: string): void {
    if (this.entries.get(newName) instanceof MemoryDirectory) throw domError('InvalidModificationError', `${newName} is a directory`);
    this.entries.delete(file.name);
    file.name = newName;
    this.entries.set(newName, file);
  }
}

/** A fresh in-memory OPFS root. */
export function memoryOPFS(options: MemoryOPFSOptions = {}): MemoryDirectory {
  return new MemoryDirectory('', options);
}
