/**
 * A pure-TypeScript reader and writer for the safetensors format
 * (https://github.com/huggingface/safetensors): an 8-byte little-endian header
 * length, a JSON header `{name: {dtype, shape, data_offsets}}`, then the raw
 * little-endian tensor bytes. Floating tensors are widened to float32.
 */
import { InvalidArgumentError, InvalidFileError } from '@tunekit/formats';
import { bfloat16ToFloat32, float16ToFloat32 } from './float-conversion';

/** Storage types that can be read; floating types are widened to float32. */
export type SafetensorsDtype = 'F32' | 'F16' | 'BF16' | 'F64' | 'I64' | 'I32' | 'I16' | 'I8' | 'U8' | 'BOOL';

const BYTES_PER_ELEMENT: Record<SafetensorsDtype, number> = {
  F64: 8, I64: 8, F32: 4, I32: 4, F16: 2, BF16: 2, I16: 2, I8: 1, U8: 1, BOOL: 1,
};

/** The fix for a damaged file: most are downloads or writes that stopped early. */
const DAMAGED = 'Re-download or re-save the file: a download or write cut short leaves a truncated file.';

/** One header entry. */
export interface SafetensorsEntry {
  dtype: SafetensorsDtype;
  shape: number[];
  /** Byte range within the data section: [begin, end). */
  dataOffsets: [number, number];
}

/** The parsed header of a safetensors file. */
export interface SafetensorsHeader {
  /** Bytes before the data section (8 + header length). */
  dataStart: number;
  entries: Map<string, SafetensorsEntry>;
  metadata: Record<string, string>;
}

/** A decoded tensor: float tensors as float32, integer tensors as int32. */
export interface DecodedTensor {
  name: string;
  shape: number[];
  /** Storage type in the file. */
  dtype: SafetensorsDtype;
  data: Float32Array | Int32Array;
}

const MAX_HEADER_BYTES = 100 * 1024 * 1024;

/** Reads the length prefix; `bytes` must hold at least 8 bytes. */
export function readHeaderLength(bytes: Uint8Array, origin: string): number {
  if (bytes.byteLength < 8) throw new InvalidFileError(`${origin}: not a safetensors file (shorter than 8 bytes)`, { fix: DAMAGED });
  const view = new DataView(bytes.buffer, bytes.byteOffset, 8);
  const length = Number(view.getBigUint64(0, true));
  if (length <= 0 || length > MAX_HEADER_BYTES) {
    throw new InvalidFileError(`${origin}: not a safetensors file (header length ${length} is implausible)`, { fix: 'Pass a .safetensors file (8-byte little-endian header length, JSON header, data); re-download it if it was cut short.' });
  }
  return length;
}

/** Parses the JSON header; `headerBytes` are the bytes right after the length prefix. */
export function parseHeader(headerBytes: Uint8Array, origin: string): SafetensorsHeader {
  let json: Record<string, unknown>;
  try {
    json = JSON.parse(new TextDecoder().decode(headerBytes)) as Record<string, unknown>;
  } catch (error) {
    throw new InvalidFileError(`${origin}: safetensors header is not valid JSON (${(error as Error).message})`, { fix: DAMAGED });
  }
  const entries = new Map<string, SafetensorsEntry>();
  let metadata: Record<string, string> = {};
  for (const [name, raw] of Object.entries(json)) {
    if (name === '__metadata__') {
      metadata = (raw ?? {}) as Record<string, string>;
      continue;
    }
    const entry = raw as { dtype?: string; shape?: number[]; data_offsets?: [number, number] };
    if (!entry || typeof entry.dtype !== 'string' || !(entry.dtype in BYTES_PER_ELEMENT)) {
      throw new InvalidFileError(`${origin}: tensor "${name}" has unsupported dtype ${String(entry?.dtype)}`, { fix: 'Convert the checkpoint to one of F64, F32, F16, BF16, I64, I32, I16, I8, U8, BOOL (e.g. re-save it with transformers in float32).' });
    }
    if (!Array.isArray(entry.shape) || !Array.isArray(entry.data_offsets) || entry.data_offsets.length !== 2) {
      throw new InvalidFileError(`${origin}: tensor "${name}" lacks shape or data_offsets`, { fix: DAMAGED });
    }
    const dtype = entry.dtype as SafetensorsDtype;
    const [begin, end] = entry.data_offsets;
    const expected = entry.shape.reduce((a, b) => a * b, 1) * BYTES_PER_ELEMENT[dtype];
    if (end - begin !== expected) {
      throw new InvalidFileError(`${origin}: tensor "${name}" has ${end - begin} bytes, shape [${entry.shape}] ${dtype} needs ${expected}`, { fix: DAMAGED });
    }
    entries.set(name, { dtype, shape: entry.shape, dataOffsets: [begin, end] });
  }
  return { dataStart: 8 + headerBytes.byteLength, entries, metadata };
}

/** Decodes one tensor's bytes (an exact slice of the data section). */
export function decodeTensor(name: string, entry: SafetensorsEntry, bytes: Uint8Array): DecodedTensor {
  // Copy into an aligned buffer: slices of a file are rarely 4-byte aligned.
  const aligned = bytes.byteOffset % 8 === 0 ? bytes : bytes.slice();
  const buffer = aligned.buffer;
  const offset = aligned.byteOffset;
  const count = entry.shape.reduce((a, b) => a * b, 1);
  let data: Float32Array | Int32Array;
  switch (entry.dtype) {
    case 'F32':
      data = new Float32Array(buffer.slice(offset, offset + count * 4));
      break;
    case 'F16':
      data = float16ToFloat32(new Uint16Array(buffer, offset, count));
      break;
    case 'BF16':
      data = bfloat16ToFloat32(new Uint16Array(buffer, offset, count));
      break;
    case 'F64':
      data = Float32Array.from(new Float64Array(buffer, offset, count));
      break;
    case 'I64': {
      const wide = new BigInt64Array(buffer, offset, count);
      data = new Int32Array(count);
      for (let i = 0; i < count; i++) data[i] = Number(wide[i]);
      break;
    }
    case 'I32':
      data = new Int32Array(buffer.slice(offset, offset + count * 4));
      break;
    case 'I16':
      data = Int32Array.from(new Int16Array(buffer, offset, count));
      break;
    case 'I8':
      data = Int32Array.from(new Int8Array(buffer, offset, count));
      break;
    case 'U8':
    case 'BOOL':
      data = Int32Array.from(new Uint8Array(buffer, offset, count));
      break;
  }
  return { name, shape: entry.shape, dtype: entry.dtype, data };
}

/** Parses a whole safetensors file held in memory. */
export function parseSafetensors(bytes: Uint8Array, options: { origin?: string } = {}): { tensors: Map<string, DecodedTensor>; metadata: Record<string, string> } {
  const origin = options.origin ?? 'safetensors';
  const headerLength = readHeaderLength(bytes, origin);
  if (bytes.byteLength < 8 + headerLength) throw new InvalidFileError(`${origin}: file is truncated inside the header`, { fix: DAMAGED });
  const header = parseHeader(bytes.subarray(8, 8 + headerLength), origin);
  const tensors = new Map<string, DecodedTensor>();
  for (const [name, entry] of header.entries) {
    const begin = header.dataStart + entry.dataOffsets[0];
    const end = header.dataStart + entry.dataOffsets[1];
    if (end > bytes.byteLength) throw new InvalidFileError(`${origin}: file is truncated inside tensor "${name}"`, { fix: DAMAGED });
    tensors.set(name, decodeTensor(name, entry, bytes.subarray(begin, end)));
  }
  return { tensors, metadata: header.metadata };
}

/**
 * Decodes a safetensors file from a stream of byte chunks (a file stream or a
 * `fetch` body), yielding tensors in file order as soon as their bytes arrive,
 * so a multi-gigabyte checkpoint never has to sit in memory whole.
 */
export async function* streamSafetensors(chunks: AsyncIterable<Uint8Array>, options: { origin?: string } = {}): AsyncGenerator<DecodedTensor> {
  const origin = options.origin ?? 'safetensors';
  let pending: Uint8Array[] = [];
  let pendingBytes = 0;
  let consumed = 0; // bytes of the file before pending[0]
  const take = (n: number): Uint8Array => {
    const out = new Uint8Array(n);
    let filled = 0;
    while (filled < n) {
      const head = pending[0] as Uint8Array;
      const part = Math.min(n - filled, head.byteLength);
      out.set(head.subarray(0, part), filled);
      filled += part;
      if (part === head.byteLength) pending.shift();
      else pending[0] = head.subarray(part);
    }
    pendingBytes -= n;
    consumed += n;
    return out;
  };
  let header: SafetensorsHeader | undefined;
  let headerLength = -1;
  let order: [string, SafetensorsEntry][] = [];
  let next = 0;
  const iterator = chunks[Symbol.asyncIterator]();
  for (;;) {
    const { value, done } = await iterator.next();
    if (!done && value.byteLength > 0) {
      pending.push(value);
      pendingBytes += value.byteLength;
    }
    if (headerLength < 0 && pendingBytes >= 8) headerLength = readHeaderLength(take(8), origin);
    if (!header && headerLength >= 0 && pendingBytes >= headerLength) {
      header = parseHeader(take(headerLength), origin);
      order = [...header.entries].sort((a, b) => a[1].dataOffsets[0] - b[1].dataOffsets[0]);
    }
    while (header && next < order.length) {
      const [name, entry] = order[next] as [string, SafetensorsEntry];
      const begin = header.dataStart + entry.dataOffsets[0];
      const end = header.dataStart + entry.dataOffsets[1];
      if (consumed < begin) {
        const skip = Math.min(begin - consumed, pendingBytes);
        take(skip);
        if (consumed < begin) break;
      }
      if (pendingBytes < end - begin) break;
      yield decodeTensor(name, entry, take(end - begin));
      next++;
    }
    if (done) break;
  }
  pending = [];
  if (!header) throw new InvalidFileError(`${origin}: file ended inside the header`, { fix: DAMAGED });
  if (next < order.length) throw new InvalidFileError(`${origin}: file is truncated inside tensor "${(order[next] as [string, SafetensorsEntry])[0]}"`, { fix: DAMAGED });
}

/** A tensor to write. Only float32 data is written (as `F32`). */
export interface TensorToWrite {
  shape: number[];
  data: Float32Array;
}

/**
 * Serialises tensors to safetensors as consecutive byte parts: the length
 * prefix and header first, then each tensor's bytes (views, no copies), so
 * that files larger than one typed array can be streamed to disk. Names are
 * sorted; the header is padded with spaces to 8-byte alignment.
 */
export function safetensorsParts(tensors: Map<string, TensorToWrite> | Record<string, TensorToWrite>, options: { metadata?: Record<string, string> } = {}): Uint8Array[] {
  const { metadata } = options;
  const map = tensors instanceof Map ? tensors : new Map(Object.entries(tensors));
  const names = [...map.keys()].sort();
  const header: Record<string, unknown> = {};
  if (metadata) header.__metadata__ = metadata;
  let offset = 0;
  for (const name of names) {
    const tensor = map.get(name) as TensorToWrite;
    const count = tensor.shape.reduce((a, b) => a * b, 1);
    if (count !== tensor.data.length) {
      throw new InvalidArgumentError(`safetensors: tensor "${name}" has ${tensor.data.length} values, shape [${tensor.shape}] needs ${count}`, { fix: 'Pass data with exactly as many values as the shape holds (product of its sizes).' });
    }
    header[name] = { dtype: 'F32', shape: tensor.shape, data_offsets: [offset, offset + count * 4] };
    offset += count * 4;
  }
  let headerText = JSON.stringify(header);
  const unpadded = new TextEncoder().encode(headerText).byteLength;
  headerText += ' '.repeat((8 - ((8 + unpadded) % 8)) % 8);
  const headerBytes = new TextEncoder().encode(headerText);
  const head = new Uint8Array(8 + headerBytes.byteLength);
  new DataView(head.buffer).setBigUint64(0, BigInt(headerBytes.byteLength), true);
  head.set(headerBytes, 8);
  const parts: Uint8Array[] = [head];
  for (const name of names) {
    const data = (map.get(name) as TensorToWrite).data;
    parts.push(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
  }
  return parts;
}

/** Joins byte parts into one array. */
export function concatBytes(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, part) => n + part.byteLength, 0));
  let cursor = 0;
  for (const part of parts) {
    out.set(part, cursor);
    cursor += part.byteLength;
  }
  return out;
}

/** Serialises tensors to one safetensors byte array (see {@link safetensorsParts}). */
export function serializeSafetensors(tensors: Map<string, TensorToWrite> | Record<string, TensorToWrite>, options: { metadata?: Record<string, string> } = {}): Uint8Array {
  const { metadata } = options;
  return concatBytes(safetensorsParts(tensors, { metadata }));
}
