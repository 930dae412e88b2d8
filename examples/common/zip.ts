/**
 * Reading one entry of a zip archive (the UCI SMS spam download is a zip
 * holding `SMSSpamCollection`): the central directory gives the entry's
 * offset and sizes, the data is stored or raw-deflated, and its CRC-32 is
 * checked. Enough for that file; not a general zip library (no zip64,
 * encryption or multi-disk archives).
 */
import { inflateRawSync } from 'node:zlib';

const END_OF_CENTRAL_DIRECTORY = 0x06054b50;
const CENTRAL_ENTRY = 0x02014b50;
const LOCAL_ENTRY = 0x04034b50;

let crcTable: Uint32Array | undefined;

/** CRC-32 (IEEE 802.3), as zip stores it. */
export function crc32(bytes: Uint8Array): number {
  if (!crcTable) {
    crcTable = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      crcTable[n] = c >>> 0;
    }
  }
  let crc = 0xffffffff;
  for (const byte of bytes) crc = (crcTable[(crc ^ byte) & 0xff] as number) ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

/** Names of the entries in the archive. */
export function zipEntryNames(zip: Uint8Array, origin = 'zip'): string[] {
  return centralEntries(zip, origin).map((e) => e.name);
}

interface CentralEntry {
  name: string;
  method: number;
  crc: number;
  compressedSize: number;
  size: number;
  localOffset: number;
}

function centralEntries(zip: Uint8Array, origin: string): CentralEntry[] {
  const view = new DataView(zip.buffer, zip.byteOffset, zip.byteLength);
  // The end record is in the last 22 + 65535 (comment) bytes.
  let end = -1;
  for (let i = zip.byteLength - 22; i >= Math.max(0, zip.byteLength - 22 - 0xffff); i--) {
    if (view.getUint32(i, true) === END_OF_CENTRAL_DIRECTORY) {
      end = i;
      break;
    }
  }
  if (end < 0) throw new Error(`${origin}: not a zip archive (no end-of-central-directory record)`);
  const count = view.getUint16(end + 10, true);
  let offset = view.getUint32(end + 16, true);
  const entries: CentralEntry[] = [];
  const decoder = new TextDecoder();
  for (let i = 0; i < count; i++) {
    if (offset + 46 > zip.byteLength || view.getUint32(offset, true) !== CENTRAL_ENTRY) throw new Error(`${origin}: corrupt central directory at entry ${i}`);
    const nameLength = view.getUint16(offset + 28, true);
    entries.push({
      method: view.getUint16(offset + 10, true),
      crc: view.getUint32(offset + 16, true),
      compressedSize: view.getUint32(offset + 20, true),
      size: view.getUint32(offset + 24, true),
      localOffset: view.getUint32(offset + 42, true),
      name: decoder.decode(zip.subarray(offset + 46, offset + 46 + nameLength)),
    });
    offset += 46 + nameLength + view.getUint16(offset + 30, true) + view.getUint16(offset + 32, true);
  }
  return entries;
}

/** The bytes of entry `name`; throws naming the archive when it is missing or corrupt. */
export function extractZipEntry(zip: Uint8Array, name: string, origin = 'zip'): Uint8Array {
  const entry = centralEntries(zip, origin).find((e) => e.name === name);
  if (!entry) throw new Error(`${origin}: no entry "${name}" (entries: ${zipEntryNames(zip, origin).join(', ')})`);
  const view = new DataView(zip.buffer, zip.byteOffset, zip.byteLength);
  const at = entry.localOffset;
  if (view.getUint32(at, true) !== LOCAL_ENTRY) throw new Error(`${origin}: corrupt local header of "${name}"`);
  const start = at + 30 + view.getUint16(at + 26, true) + view.getUint16(at + 28, true);
  const raw = zip.subarray(start, start + entry.compressedSize);
  let data: Uint8Array;
  if (entry.method === 0) data = raw;
  else if (entry.method === 8) data = new Uint8Array(inflateRawSync(raw));
  else throw new Error(`${origin}: "${name}" uses compression method ${entry.method}; only stored (0) and deflate (8) are supported`);
  if (data.byteLength !== entry.size || crc32(data) !== entry.crc) throw new Error(`${origin}: "${name}" is corrupt (size or CRC-32 mismatch)`);
  return data;
}
