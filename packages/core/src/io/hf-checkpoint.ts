/**
 * Maps the tensors of a Hugging Face GPT-2 checkpoint onto our parameters:
 * names with or without the `transformer.` prefix, causal-mask buffers
 * ignored, `lm_head.weight` dropped in favour of the tie to `wte` — or,
 * for an untied model (`tie_word_embeddings: false`), required.
 */
import { InvalidFileError } from '@tunekit/formats';
import { type GPT2Config, isTied } from '../model/config';
import { checkpointShapes } from '../model/params';
import type { DecodedTensor } from './safetensors';
import { TunekitError } from '@tunekit/formats';

// Buffers, not parameters: the published gpt2 checkpoint stores causal masks.
const IGNORED = /(^|\.)attn\.(bias|masked_bias)$/;

/**
 * Normalises a checkpoint name to ours, or returns undefined for tensors we skip.
 * @param keepOutputHead - keep `lm_head.weight` (an untied model); by default it is dropped
 */
export function normalizeCheckpointName(name: string, keepOutputHead = false): string | undefined {
  const stripped = name.startsWith('transformer.') ? name.slice('transformer.'.length) : name;
  if (IGNORED.test(stripped)) return undefined;
  // A tied model's output projection is wte; a stored copy is redundant
  // (transformers overwrites it with the tie as well).
  if (stripped === 'lm_head.weight' && !keepOutputHead) return undefined;
  return stripped;
}

/**
 * Collects checkpoint tensors by our names, checking every name and shape
 * against the config. Errors name the tensor and both shapes.
 */
export class CheckpointCollector {
  private readonly expected: Map<string, number[]>;
  private readonly values = new Map<string, Float32Array>();
  private readonly untied: boolean;

  constructor(config: GPT2Config, private readonly origin: string) {
    this.expected = checkpointShapes(config);
    this.untied = !isTied(config);
  }

  /** Adds one decoded tensor; throws on unknown names, wrong shapes or duplicates. */
  add(tensor: DecodedTensor): void {
    const name = normalizeCheckpointName(tensor.name, this.untied);
    if (name === undefined) return;
    const shape = this.expected.get(name);
    if (!shape) {
      throw new InvalidFileError(`${this.origin}: unexpected tensor "${tensor.name}" (shape [${tensor.shape}]) for a GPT-2 with this config.json`, { fix: 'Load this checkpoint with its own config.json: the file has tensors that config does not describe.' });
    }
    if (shape.length !== tensor.shape.length || shape.some((d, i) => d !== tensor.shape[i])) {
      throw new InvalidFileError(`${this.origin}: tensor "${tensor.name}" has shape [${tensor.shape}], config.json implies [${shape}]`, { fix: 'Load this checkpoint with its own config.json (n_embd, n_layer, n_head, vocab_size must match the weights).' });
    }
    if (!(tensor.data instanceof Float32Array)) {
      throw new InvalidFileError(`${this.origin}: tensor "${tensor.name}" is stored as ${tensor.dtype}, a floating type is required`, { fix: 'Convert the weights to float32, float16 or bfloat16 (e.g. re-save with transformers).' });
    }
    if (this.values.has(name)) throw new InvalidFileError(`${this.origin}: tensor "${name}" appears twice`, { fix: 'Re-save the checkpoint so that each tensor is written once.' });
    this.values.set(name, tensor.data);
  }

  /** Whether the tensor was in the checkpoint (and has not been taken yet). */
  has(name: string): boolean {
    return this.values.has(name);
  }

  /**
   * Stores a copy of tensor `from` under `to` (e.g. an untied head starting as
   * `wte`). A copy, not the same array: a variable may keep the array it is
   * made from, and the two must train apart. Nothing happens when `from` is
   * missing; {@link CheckpointCollector.assertComplete} then names both.
   */
  copy(from: string, to: string): void {
    const values = this.values.get(from);
    if (values) this.values.set(to, values.slice());
  }

  /** Throws listing every missing tensor, if any. */
  assertComplete(): void {
    const missing = [...this.expected.keys()].filter((name) => !this.values.has(name));
    if (this.untied && missing.length === 1 && missing[0] === 'lm_head.weight') {
      // transformers would give the head fresh random values N(0, 0.02²) with
      // only a "newly initialized" warning, which silently ruins a pretrained
      // model; we refuse instead.
      throw new TunekitError('checkpoint_incomplete', `${this.origin}: config.json says tie_word_embeddings: false but the checkpoint has no "lm_head.weight" [${this.expected.get('lm_head.weight')}].`, {
        fix: 'Add the tensor, or pass { untieOutputHead: true } to loadModel to start the head as a copy of wte (as chapter 7 of LLMs-from-scratch does).',
      });
    }
    if (missing.length) {
      const shown = missing.slice(0, 8).map((name) => `"${name}" [${this.expected.get(name)}]`).join(', ');
      throw new InvalidFileError(`${this.origin}: missing ${missing.length} tensor(s): ${shown}${missing.length > 8 ? ', …' : ''}`, { fix: 'Use the complete checkpoint (for a sharded one, every shard and its index); re-download it if a file is missing or cut short.' });
    }
  }

  /** Hands out (and forgets, to free memory early) the values of a tensor. */
  take(name: string): Float32Array {
    const values = this.values.get(name);
    if (!values) throw new InvalidFileError(`${this.origin}: missing tensor "${name}"`, { fix: 'Use the complete checkpoint (for a sharded one, every shard and its index); re-download it if a file is missing or cut short.' });
    this.values.delete(name);
    return values;
  }
}
