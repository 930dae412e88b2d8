/** A fingerprint of the base weights, to show that PEFT training leaves them bit-for-bit unchanged. */
import type { GPT2Model } from '@tunekit/core';

/** FNV-1a over the raw bits of every base variable, in name order, as a hex string. */
export async function checksum(model: GPT2Model): Promise<string> {
  let hash = 0x811c9dc5;
  for (const [, variable] of [...model.parameters()].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const bits = new Uint32Array(((await variable.data()) as Float32Array).slice().buffer);
    for (let i = 0; i < bits.length; i++) hash = Math.imul(hash ^ (bits[i] as number), 0x01000193) >>> 0;
  }
  return hash.toString(16).padStart(8, '0');
}
