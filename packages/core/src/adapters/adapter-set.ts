/**
 * The adapters attached to one model (Python PEFT's `PeftModel`, without
 * module surgery): named adapters, which are active, enable/disable, merge,
 * and unload. It freezes the base model and sets `model.hooks` to the
 * composition of the active adapters' hooks.
 */
import { InvalidArgumentError, InvalidStateError, UnsupportedError } from '@tunekit/formats';
import type * as tf from '@tensorflow/tfjs-core';
import type { GPT2Model } from '../model/gpt2-model';
import type { ParameterSource } from '../model/parameter-source';
import { type Adapter, canMerge } from './adapter';
import { composeHooks } from './compose-hooks';
import { type TrainableReport, trainableParameters } from './trainable-parameters';

/** Options of {@link applyAdapter}. */
export interface ApplyAdapterOptions {
  /** The model to adapt. Its variables are frozen (`trainable = false`) until {@link AdapterSet.unload}. */
  model: GPT2Model;
  /** The adapter, from `createLoRA`, `createPrefixTuning`, `createPromptTuning` or `loadAdapter`. */
  adapter: Adapter;
  /** Name to switch by. Default `'default'` (PEFT's). */
  name?: string;
  /** Make it the only active adapter. Default true. */
  activate?: boolean;
}

const attached = new WeakMap<GPT2Model, AdapterSet>();

/** The named adapters of one model. Get it from {@link applyAdapter}. */
export class AdapterSet implements ParameterSource {
  readonly model: GPT2Model;
  private readonly adapters = new Map<string, Adapter>();
  private activeNames: string[] = [];
  private enabled = true;
  private readonly savedTrainable = new Map<tf.Variable, boolean>();

  /** Freezes the model's variables; use {@link applyAdapter} rather than this. */
  constructor(model: GPT2Model) {
    if (model.hooks) throw new InvalidStateError('The model already has hooks set;', { fix: 'unload the other adapters first' });
    this.model = model;
    for (const variable of model.parameters().values()) {
      this.savedTrainable.set(variable, variable.trainable);
      variable.trainable = false;
    }
  }

  /** Names of all adapters, in the order added. */
  get names(): string[] {
    return [...this.adapters.keys()];
  }

  /** Names of the active adapters. */
  get active(): string[] {
    return [...this.activeNames];
  }

  /** Whether the active adapters take part in the forward pass. */
  get isEnabled(): boolean {
    return this.enabled;
  }

  /** An adapter by name. */
  get(name: string): Adapter {
    const adapter = this.adapters.get(name);
    if (!adapter) throw new InvalidArgumentError(`No adapter named "${name}"; adapters: ${this.names.join(', ') || 'none'}`, { fix: 'Use one of those names, or add the adapter with add(name, adapter) first.' });
    return adapter;
  }

  /** Adds an adapter under a new name; `activate` (default true) makes it the only active one. */
  add(name: string, adapter: Adapter, options: { activate?: boolean } = {}): this {
    if (!name) throw new InvalidArgumentError('An adapter needs a non-empty name', { fix: 'Pass a name such as "default".' });
    if (this.adapters.has(name)) throw new InvalidStateError(`An adapter named "${name}" already exists;`, { fix: 'remove it first or pick another name' });
    if ([...this.adapters.values()].includes(adapter)) throw new InvalidStateError(`This adapter is already attached under another name`, { fix: 'Attach each adapter once; to use it under a new name, remove it and add it again.' });
    if (adapter.isDisposed) throw new InvalidStateError(`Adapter "${name}" has been disposed`, { fix: 'Create a new adapter (or load it again with loadAdapter); a disposed one has no weights.' });
    this.adapters.set(name, adapter);
    for (const variable of adapter.parameters().values()) variable.trainable = false;
    if (options.activate ?? true) this.setActive(name);
    return this;
  }

  /**
   * Chooses the active adapter(s). Several LoRA adapters add up; at most one
   * prompt- and one prefix-tuning adapter may be active. Only active adapters'
   * variables are trainable; merged adapters that become inactive are unmerged.
   */
  setActive(names: string | readonly string[]): this {
    const next = [names].flat();
    next.forEach((name) => this.get(name));
    composeHooks(next.map((name) => this.get(name).hooks)); // throws on an invalid combination
    for (const [name, adapter] of this.adapters) {
      const isActive = next.includes(name);
      if (!isActive && canMerge(adapter)) adapter.unmerge();
      for (const variable of adapter.parameters().values()) variable.trainable = isActive;
    }
    this.activeNames = [...new Set(next)];
    this.refreshHooks();
    return this;
  }

  /** Removes an adapter (unmerging it first) and disposes it unless `dispose: false`. */
  remove(name: string, options: { dispose?: boolean } = {}): this {
    const adapter = this.get(name);
    if (canMerge(adapter)) adapter.unmerge();
    this.adapters.delete(name);
    this.activeNames = this.activeNames.filter((n) => n !== name);
    if (options.dispose ?? true) adapter.dispose();
    this.refreshHooks();
    return this;
  }

  /** Turns the active adapters back on. */
  enable(): this {
    this.enabled = true;
    this.refreshHooks();
    return this;
  }

  /** Runs the bare base model until {@link AdapterSet.enable} (merged updates are unmerged first). */
  disable(): this {
    this.unmerge();
    this.enabled = false;
    this.refreshHooks();
    return this;
  }

  /** Runs `fn` with the adapters disabled (PEFT's `with model.disable_adapter():`), then restores the previous state. */
  async withDisabled<T>(fn: () => T | Promise<T>): Promise<T> {
    const wasEnabled = this.enabled;
    this.disable();
    try {
      return await fn();
    } finally {
      if (wasEnabled) this.enable();
    }
  }

  /** Merges every active adapter into the base weights (faster inference; see {@link MergeableAdapter.merge}). Only mergeable adapters (LoRA) can be. */
  merge(): this {
    const active = this.activeNames.map((name) => [name, this.get(name)] as const);
    const notMergeable = active.filter(([, adapter]) => !canMerge(adapter)).map(([name, adapter]) => `${name} (${adapter.peftType})`);
    if (notMergeable.length) throw new UnsupportedError(`Only mergeable adapters (LoRA) can be merged; active adapter(s) ${notMergeable.join(', ')} cannot be`, { fix: 'Deactivate those adapters (setActive with the LoRA ones only) before merging, or keep them unmerged.' });
    if (!this.enabled) throw new InvalidStateError('Adapters are disabled;', { fix: 'enable them before merging' });
    for (const [, adapter] of active) if (canMerge(adapter)) adapter.merge();
    return this;
  }

  /** Subtracts every merged update from the base weights. */
  unmerge(): this {
    for (const adapter of this.adapters.values()) if (canMerge(adapter)) adapter.unmerge();
    return this;
  }

  /** Merges the active adapters for good and detaches everything (PEFT's `merge_and_unload`); returns the plain model. */
  mergeAndUnload(): GPT2Model {
    this.merge();
    for (const adapter of this.adapters.values()) {
      if (canMerge(adapter) && adapter.isMerged) adapter.dispose(); // disposing keeps the merged weights
    }
    return this.unload();
  }

  /**
   * Detaches every adapter: unmerges them, clears `model.hooks`, restores the
   * base variables' trainable flags, and disposes the adapters unless
   * `dispose: false`. Returns the model.
   */
  unload(options: { dispose?: boolean } = {}): GPT2Model {
    for (const adapter of this.adapters.values()) {
      if (adapter.isDisposed) continue;
      if (canMerge(adapter)) adapter.unmerge();
      if (options.dispose ?? true) adapter.dispose();
    }
    this.adapters.clear();
    this.activeNames = [];
    this.model.hooks = undefined;
    for (const [variable, trainable] of this.savedTrainable) variable.trainable = trainable;
    if (attached.get(this.model) === this) attached.delete(this.model);
    return this.model;
  }

  /** Every adapter variable, named `{adapter}/{PEFT key}` (e.g. `default/prompt_embeddings`). */
  parameters(): Map<string, tf.Variable> {
    const out = new Map<string, tf.Variable>();
    for (const [name, adapter] of this.adapters) {
      for (const [key, variable] of adapter.parameters()) out.set(`${name}/${key}`, variable);
    }
    return out;
  }

  /** Trainable / total parameters of the model, its adapters and any `extra` sources (heads), like PEFT's. */
  trainableParameters(...extra: ParameterSource[]): TrainableReport {
    return trainableParameters([this.model, this, ...extra]);
  }

  private refreshHooks(): void {
    this.model.hooks = this.enabled ? composeHooks(this.activeNames.map((name) => this.get(name).hooks)) : undefined;
  }
}

/**
 * Attaches an adapter to a model: freezes every base variable (so a trainer
 * given the model, the returned set and any heads trains only the adapter and
 * whatever the user unfroze), activates the adapter and routes the model's
 * forward pass through its hooks. A second call for the same model adds to the
 * same {@link AdapterSet}.
 *
 * @example
 * ```ts
 * const peft = applyAdapter({ model, adapter: createLoRA({ model, rank: 8 }) });
 * console.log(peft.trainableParameters().toString());
 * peft.unload(); // back to the plain model
 * ```
 */
export function applyAdapter(options: ApplyAdapterOptions): AdapterSet {
  let set = attached.get(options.model);
  if (!set) {
    set = new AdapterSet(options.model);
    attached.set(options.model, set);
  }
  return set.add(options.name ?? 'default', options.adapter, { activate: options.activate });
}

/** The adapters attached to a model by {@link applyAdapter}, if any. */
export function adaptersOf(model: GPT2Model): AdapterSet | undefined {
  return attached.get(model);
}
