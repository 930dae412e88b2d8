/**
 * What a file's first bytes say it is, before any of it is read as text:
 * gzip (read through), UTF-16 with a byte-order mark (decoded), or a binary
 * format that must not be parsed as data (a `.gz` read as TSV, or an
 * executable read as classification rows, used to "validate").
 * @module
 */

/** What the first bytes of an input are. */
export type ByteSniff =
  | { kind: 'gzip' }
  | { kind: 'text'; encoding: 'utf-8' | 'utf-16le' | 'utf-16be' }
  | { kind: 'binary'; description: string };

/** How many leading bytes {@link sniffBytes} wants to see (fewer is fine for a shorter input). */
export const SNIFF_BYTES = 4096;

/** Signatures of binary formats people mistake for data files, and what to call them. */
const SIGNATURES: readonly { bytes: readonly number[]; description: string }[] = [
  { bytes: [0x50, 0x4b, 0x03, 0x04], description: 'a ZIP archive (also .xlsx, .docx)' },
  { bytes: [0x42, 0x5a, 0x68], description: 'bzip2-compressed data' },
  { bytes: [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00], description: 'xz-compressed data' },
  { bytes: [0x28, 0xb5, 0x2f, 0xfd], description: 'zstd-compressed data' },
  { bytes: [0x50, 0x41, 0x52, 0x31], description: 'a Parquet file' },
  { bytes: [0x7f, 0x45, 0x4c, 0x46], description: 'an executable (ELF)' },
  { bytes: [0x89, 0x50, 0x4e, 0x47], description: 'a PNG image' },
  { bytes: [0xff, 0xd8, 0xff], description: 'a JPEG image' },
  { bytes: [0x25, 0x50, 0x44, 0x46, 0x2d], description: 'a PDF document' },
];

/**
 * Classifies an input from its first bytes (ideally {@link SNIFF_BYTES} of
 * them): the gzip magic, a UTF-16 byte-order mark, a known binary signature,
 * or NUL bytes, which never occur in UTF-8 text data.
 */
export function sniffBytes(head: Uint8Array): ByteSniff {
  if (head[0] === 0x1f && head[1] === 0x8b) return { kind: 'gzip' };
  if (head[0] === 0xff && head[1] === 0xfe) return { kind: 'text', encoding: 'utf-16le' };
  if (head[0] === 0xfe && head[1] === 0xff) return { kind: 'text', encoding: 'utf-16be' };
  for (const { bytes, description } of SIGNATURES) {
    if (bytes.every((b, i) => head[i] === b)) return { kind: 'binary', description };
  }
  const nul = head.indexOf(0);
  if (nul === -1) return { kind: 'text', encoding: 'utf-8' };
  return { kind: 'binary', description: looksLikeBomlessUtf16(head) ? 'UTF-16 text without a byte-order mark' : `binary data (a NUL byte at offset ${nul})` };
}

/** ASCII text in UTF-16 has a NUL in every other byte. */
function looksLikeBomlessUtf16(head: Uint8Array): boolean {
  const pairs = Math.floor(Math.min(head.length, 64) / 2);
  if (pairs < 2) return false;
  let evenNuls = 0;
  let oddNuls = 0;
  for (let i = 0; i < pairs; i++) {
    if (head[2 * i] === 0) evenNuls++;
    if (head[2 * i + 1] === 0) oddNuls++;
  }
  return Math.max(evenNuls, oddNuls) >= pairs * 0.9 && Math.min(evenNuls, oddNuls) === 0;
}
