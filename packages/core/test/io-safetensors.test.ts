// The safetensors reader and writer: exact round trips, half-precision
// widening, streaming with arbitrary chunk boundaries, and clear errors.
import { describe, expect, it } from 'vitest';
import { parseSafetensors, serializeSafetensors, streamSafetensors } from '@tunekit/core';

function makeTensors() {
  return new Map([
    ['b.weight', { shape: [2, 3], data: Float32Array.from([1, -2, 3.5, 4, 5e-8, -6e7]) }],
    ['a.bias', { shape: [3], data: Float32Array.from([0.1, 0.2, 0.3]) }],
    ['scalar', { shape: [], data: Float32Array.from([42]) }],
  ]);
}

/** Builds a file by hand with one tensor of a given dtype (as Python's safetensors would). */
function handMade(dtype: string, shape: number[], bytes: Uint8Array): Uint8Array {
  const header = new TextEncoder().encode(JSON.stringify({ t: { dtype, shape, data_offsets: [0, bytes.byteLength] } }));
  const out = new Uint8Array(8 + header.byteLength + bytes.byteLength);
  new DataView(out.buffer).setBigUint64(0, BigInt(header.byteLength), true);
  out.set(header, 8);
  out.set(bytes, 8 + header.byteLength);
  return out;
}

async function* chunked(bytes: Uint8Array, size: number): AsyncGenerator<Uint8Array> {
  for (let i = 0; i < bytes.byteLength; i += size) yield bytes.subarray(i, i + size);
}

describe('safetensors', () => {
  it('round-trips float32 tensors exactly, with an 8-byte aligned header and metadata', () => {
    const bytes = serializeSafetensors(makeTensors(), { metadata: { format: 'pt' } });
    const headerLength = Number(new DataView(bytes.buffer).getBigUint64(0, true));
    expect((8 + headerLength) % 8).toBe(0);
    const { tensors, metadata } = parseSafetensors(bytes);
    expect(metadata).toEqual({ format: 'pt' });
    for (const [name, tensor] of makeTensors()) {
      expect(tensors.get(name)?.shape).toEqual(tensor.shape);
      expect(Array.from(tensors.get(name)?.data ?? [])).toEqual(Array.from(tensor.data));
    }
  });

  it('widens F16 and BF16 (incl. subnormal, infinity) to float32', () => {
    // F16: 1.0 = 0x3c00, -2.0 = 0xc000, 65504 = 0x7bff, smallest subnormal 0x0001 = 2^-24, +inf 0x7c00
    const f16 = new Uint16Array([0x3c00, 0xc000, 0x7bff, 0x0001, 0x7c00]);
    const parsed16 = parseSafetensors(handMade('F16', [5], new Uint8Array(f16.buffer))).tensors.get('t');
    expect(Array.from(parsed16?.data ?? [])).toEqual([1, -2, 65504, 2 ** -24, Infinity]);
    // BF16 is the top half of float32: 1.0 = 0x3f80, -3.0 = 0xc040, 0.15625 = 0x3e20
    const bf16 = new Uint16Array([0x3f80, 0xc040, 0x3e20]);
    const parsedBf = parseSafetensors(handMade('BF16', [3], new Uint8Array(bf16.buffer))).tensors.get('t');
    expect(Array.from(parsedBf?.data ?? [])).toEqual([1, -3, 0.15625]);
  });

  it('streams the same tensors for any chunk size, including 1 byte', async () => {
    const bytes = serializeSafetensors(makeTensors());
    for (const size of [1, 3, 7, 64, bytes.byteLength]) {
      const names: string[] = [];
      for await (const tensor of streamSafetensors(chunked(bytes, size))) {
        names.push(tensor.name);
        expect(Array.from(tensor.data)).toEqual(Array.from(makeTensors().get(tensor.name)?.data ?? []));
      }
      expect(names.sort()).toEqual(['a.bias', 'b.weight', 'scalar']);
    }
  });

  it('rejects truncated files and inconsistent headers with the reason', async () => {
    const bytes = serializeSafetensors(makeTensors());
    expect(() => parseSafetensors(bytes.subarray(0, bytes.byteLength - 4), { origin: 'x.safetensors' })).toThrow(/x\.safetensors: file is truncated inside tensor/);
    await expect(async () => {
      for await (const _ of streamSafetensors(chunked(bytes.subarray(0, bytes.byteLength - 4), 5), { origin: 'y.safetensors' })) void _;
    }).rejects.toThrow(/y\.safetensors: file is truncated/);
    expect(() => parseSafetensors(new Uint8Array([1, 2, 3]), { origin: 'z' })).toThrow(/z: not a safetensors file/);
    const wrongSize = handMade('F32', [3], new Uint8Array(8));
    expect(() => parseSafetensors(wrongSize, { origin: 'w' })).toThrow(/tensor "t" has 8 bytes, shape \[3\] F32 needs 12/);
    expect(() => serializeSafetensors({ bad: { shape: [2, 2], data: new Float32Array(3) } })).toThrow(/"bad" has 3 values/);
  });
});
