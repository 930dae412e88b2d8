/**
 * Independent checks of the downloaded adapter (written here, not imported
 * from core, so a bug in core's writer cannot hide behind the same bug in
 * its reader): the config is PEFT LoRA JSON, and the safetensors file has a
 * well-formed header whose tensors exactly tile the data section.
 */

/** One tensor entry of a safetensors header. */
export interface SafetensorsEntry {
  dtype: string;
  shape: number[];
  data_offsets: [number, number];
}

const DTYPE_BYTES: Record<string, number> = { F32: 4, F16: 2, BF16: 2, F64: 8, I32: 4, I64: 8 };

/** Parses and checks the header; throws on any inconsistency. */
export function safetensorsHeader(bytes: Uint8Array): Map<string, SafetensorsEntry> {
  if (bytes.byteLength < 8) throw new Error(`safetensors: ${bytes.byteLength} bytes, too short for the header length`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLength = Number(view.getBigUint64(0, true));
  if (8 + headerLength > bytes.byteLength) throw new Error(`safetensors: header length ${headerLength} runs past the file (${bytes.byteLength} bytes)`);
  const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + headerLength))) as Record<string, unknown>;
  const dataLength = bytes.byteLength - 8 - headerLength;
  const entries = new Map<string, SafetensorsEntry>();
  let covered = 0;
  for (const [name, value] of Object.entries(header)) {
    if (name === '__metadata__') continue;
    const entry = value as SafetensorsEntry;
    const size = DTYPE_BYTES[entry.dtype];
    if (!size) throw new Error(`safetensors: ${name} has unknown dtype ${entry.dtype}`);
    const [begin, end] = entry.data_offsets;
    const expected = entry.shape.reduce((a, b) => a * b, 1) * size;
    if (end - begin !== expected || end > dataLength) throw new Error(`safetensors: ${name} [${entry.shape}] ${entry.dtype} has offsets ${begin}..${end} (data section ${dataLength} bytes)`);
    covered += end - begin;
    entries.set(name, entry);
  }
  if (covered !== dataLength) throw new Error(`safetensors: tensors cover ${covered} of ${dataLength} data bytes`);
  return entries;
}
