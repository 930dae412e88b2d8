/**
 * Maps the tensors of a Hugging Face GPT-2 checkpoint onto our parameters:
 * names with or without the `transformer.` prefix, causal-mask buffers
 * ignored, `lm_head.weight` dropped in favour of the tie to `wte`.
 */
import { InvalidFileError } from '@tunekit/formats';
import type { GPT2Config } from '../model/config';
import { checkpointShapes } from '../model/params';
import type { DecodedTensor } from './safetensors';

// Buffers, not parameters: the published gpt2 checkpoint stores causal masks.
const IGNORED = /(^|\.)attn\.(bias|masked_bias)$/;

/** Normalises a checkpoint name to ours, or returns undefined for tensors we skip. */
export function normalizeCheckpointName(name: string): string | undefined {
  const stripped = name.startsWith('transformer.') ? name.slice('transformer.'.length) : name;
  if (IGNORED.test(stripped)) return undefined;
  // GPT-2's output projection is tied to wte; a stored copy is redundant.
  if (stripped === 'lm_head.weight') return undefined;
  return stripped;
}

/**
 * Collects checkpoint tensors by our names, checking every name and shape
 * against the config. Errors name the tensor and both shapes.
 */
export class CheckpointCollector {
  private readonly expected: Map<string, number[]>;
  private readonly values = new Map<string, Float32Array>();

  constructor(config: GPT2Config, private readonly origin: string) {
    this.expected = checkpointShapes(config);
  }

  /** Adds one decoded tensor; throws on unknown names, wrong shapes or duplicates. */
  add(tensor: DecodedTensor): void {
    const name = normalizeCheckpointName(tensor.name);
    if (name === undefined) return;
    const shape = this.expected.get(name);
    if (!shape) {
      throw new InvalidFileError(`${this.origin}: unexpected tensor "${tensor.name}" (shape [${tensor.shape}]) for a GPT-2 with this config.json`);
    }
    if (shape.length !== tensor.shape.length || shape.some((d, i) => d !== tensor.shape[i])) {
      throw new InvalidFileError(`${this.origin}: tensor "${tensor.name}" has shape [${tensor.shape}], config.json implies [${shape}]`);
    }
    if (!(tensor.data instanceof Float32Array)) {
      throw new InvalidFileError(`${this.origin}: tensor "${tensor.name}" is stored as ${tensor.dtype}, a floating type is required`);
    }
    if (this.values.has(name)) throw new InvalidFileError(`${this.origin}: tensor "${name}" appears twice`);
    this.values.set(name, tensor.data);
  }

  /** Throws listing every missing tensor, if any. */
  assertComplete(): void {
    const missing = [...this.expected.keys()].filter((name) => !this.values.has(name));
    if (missing.length) {
      const shown = missing.slice(0, 8).map((name) => `"${name}" [${this.expected.get(name)}]`).join(', ');
      throw new InvalidFileError(`${this.origin}: missing ${missing.length} tensor(s): ${shown}${missing.length > 8 ? ', …' : ''}`);
    }
  }

  /** Hands out (and forgets, to free memory early) the values of a tensor. */
  take(name: string): Float32Array {
    const values = this.values.get(name);
    if (!values) throw new InvalidFileError(`${this.origin}: missing tensor "${name}"`);
    this.values.delete(name);
    return values;
  }
}
