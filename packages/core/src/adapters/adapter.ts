/**
 * What every adapter (LoRA, prefix tuning, prompt tuning) is: a
 * {@link ParameterSource} whose variables are named by their PEFT file keys,
 * plus the forward hooks it contributes and its PEFT config fields.
 */
import { InvalidStateError } from '@tunekit/formats';
import type { ForwardHooks } from '../model/hooks';
import type { ParameterSource } from '../model/parameter-source';
import type { TensorToWrite } from '../io/safetensors';

/** PEFT's `peft_type` values that tunekit reads and writes. */
export type PEFTType = 'LORA' | 'PREFIX_TUNING' | 'PROMPT_TUNING';

/** A JSON value of an `adapter_config.json` field. */
export type PEFTConfigValue = string | number | boolean | null | PEFTConfigValue[] | { [key: string]: PEFTConfigValue };

/** An `adapter_config.json` object (PEFT's snake_case field names). */
export type PEFTConfigJSON = Record<string, PEFTConfigValue>;

/**
 * A parameter-efficient adapter of a GPT-2 model. Its `parameters()` are named
 * by the keys PEFT writes to `adapter_model.safetensors` (e.g.
 * `base_model.model.transformer.h.0.attn.c_attn.lora_A.weight`, or
 * `prompt_embeddings`); the prefix encoder's MLP, which PEFT never saves, uses
 * PEFT's in-memory names (`prompt_encoder.transform.0.weight`, …).
 */
export interface Adapter extends ParameterSource {
  /** PEFT method of this adapter. */
  readonly peftType: PEFTType;
  /** The hooks this adapter adds to the forward pass (stable for the adapter's lifetime). */
  readonly hooks: ForwardHooks;
  /** The method-specific `adapter_config.json` fields (snake_case), without file metadata. */
  peftConfig(): PEFTConfigJSON;
  /** The tensors PEFT would save, by file key. */
  peftTensors(): Promise<Map<string, TensorToWrite>>;
  /** Whether {@link Adapter.dispose} has been called. */
  readonly isDisposed: boolean;
  /** Releases the adapter's variables. */
  dispose(): void;
}

/**
 * An adapter whose update can be folded into the base weights, so that
 * inference costs no more than the base model's (LoRA). {@link AdapterSet}
 * merges and unmerges adapters through this interface, whatever their kind;
 * {@link canMerge} tells them apart.
 */
export interface MergeableAdapter extends Adapter {
  /** Whether the update is currently in the base weights (the forward hook then skips this adapter). */
  readonly isMerged: boolean;
  /** Adds the update into the base weights; does nothing when already merged. */
  merge(): void;
  /** Subtracts a merged update from the base weights again; does nothing when not merged. */
  unmerge(): void;
}

/** Whether `adapter` can be merged into the base weights (implements {@link MergeableAdapter}). */
export function canMerge(adapter: Adapter): adapter is MergeableAdapter {
  const candidate = adapter as Partial<MergeableAdapter>;
  return typeof candidate.merge === 'function' && typeof candidate.unmerge === 'function' && typeof candidate.isMerged === 'boolean';
}

/** Product of a shape. */
export function sizeOf(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/** The values of every parameter, by name, for writing to a file. */
export async function variableTensors(source: ParameterSource): Promise<Map<string, TensorToWrite>> {
  const out = new Map<string, TensorToWrite>();
  for (const [name, variable] of source.parameters()) {
    out.set(name, { shape: [...variable.shape], data: (await variable.data()) as Float32Array });
  }
  return out;
}

/** Throws the usual error for using an adapter after `dispose()`. */
export function assertNotDisposed(adapter: { isDisposed: boolean }, what: string): void {
  if (adapter.isDisposed) throw new InvalidStateError(`This ${what} adapter has been disposed`, { fix: 'Create or load the adapter again; a disposed adapter has no weights.' });
}

