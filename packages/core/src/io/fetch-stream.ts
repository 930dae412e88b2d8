/** Streaming HTTP downloads with progress, for loading checkpoints from a URL. */

/** Progress of a download or load. */
export interface LoadProgress {
  /** Which file (URL or path). */
  file: string;
  loadedBytes: number;
  /** Total bytes when known (Content-Length or file size). */
  totalBytes?: number;
}

/** A callback receiving progress updates. */
export type ProgressCallback = (progress: LoadProgress) => void;

/** Fetches `url` and returns its body as a chunk stream plus the announced size. */
export async function fetchStream(url: string, fetchImpl: typeof fetch = fetch): Promise<{ size?: number; chunks: AsyncIterable<Uint8Array> }> {
  let response: Response;
  try {
    response = await fetchImpl(url);
  } catch (error) {
    throw new Error(`Cannot fetch ${url}: ${(error as Error).message}`);
  }
  if (!response.ok || !response.body) {
    throw new Error(`Cannot fetch ${url}: HTTP ${response.status} ${response.statusText}`.trim());
  }
  const length = Number(response.headers.get('content-length'));
  const reader = response.body.getReader();
  const chunks: AsyncIterable<Uint8Array> = {
    async *[Symbol.asyncIterator]() {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return;
        yield value;
      }
    },
  };
  return { size: Number.isFinite(length) && length > 0 ? length : undefined, chunks };
}

/** Wraps a chunk stream so that each chunk reports cumulative progress. */
export async function* withProgress(chunks: AsyncIterable<Uint8Array>, file: string, totalBytes: number | undefined, onProgress?: ProgressCallback): AsyncGenerator<Uint8Array> {
  let loadedBytes = 0;
  onProgress?.({ file, loadedBytes, totalBytes });
  for await (const chunk of chunks) {
    loadedBytes += chunk.byteLength;
    onProgress?.({ file, loadedBytes, totalBytes });
    yield chunk;
  }
}

/** Collects a chunk stream into one array. */
export async function collectBytes(chunks: AsyncIterable<Uint8Array>): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  let total = 0;
  for await (const chunk of chunks) {
    parts.push(chunk);
    total += chunk.byteLength;
  }
  const out = new Uint8Array(total);
  let cursor = 0;
  for (const part of parts) {
    out.set(part, cursor);
    cursor += part.byteLength;
  }
  return out;
}
