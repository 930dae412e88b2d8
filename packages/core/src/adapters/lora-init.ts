/** Seeded initial values of LoRA's A [r, in] and B [out, r], as PEFT draws them. */
import type { SeededRandom } from '../util/random';
import type { LoRAInit } from './lora-config';

/**
 * `torch.nn.init.kaiming_uniform_(w, a=√5)` for a weight [rows, fanIn]:
 * gain = √(2 / (1 + a²)) = √(1/3), bound = gain · √(3 / fanIn) = 1 / √fanIn,
 * values ~ U(−bound, bound). This is also `nn.Linear`'s default.
 */
export function kaimingUniform(rows: number, fanIn: number, random: SeededRandom): Float32Array {
  const a = Math.sqrt(5);
  const gain = Math.sqrt(2 / (1 + a * a));
  const bound = gain * Math.sqrt(3 / fanIn);
  const values = new Float32Array(rows * fanIn);
  for (let i = 0; i < values.length; i++) values[i] = (2 * random.next() - 1) * bound;
  return values;
}

/** Values ~ N(0, std²). */
export function normal(count: number, std: number, random: SeededRandom): Float32Array {
  const values = new Float32Array(count);
  for (let i = 0; i < values.length; i++) values[i] = std * random.nextNormal();
  return values;
}

/** Initial A [r, in] and B [out, r] (`lora_layer.reset_lora_parameters` in PEFT). */
export function loraInitialValues(init: LoRAInit, rank: number, inFeatures: number, outFeatures: number, random: SeededRandom): { a: Float32Array; b: Float32Array } {
  switch (init) {
    case 'kaiming':
      return { a: kaimingUniform(rank, inFeatures, random), b: new Float32Array(outFeatures * rank) };
    case 'gaussian':
      return { a: normal(rank * inFeatures, 1 / rank, random), b: new Float32Array(outFeatures * rank) };
    case 'random':
      // Both keep nn.Linear's default: kaiming-uniform over their own fan-in.
      return { a: kaimingUniform(rank, inFeatures, random), b: kaimingUniform(outFeatures, rank, random) };
  }
}
