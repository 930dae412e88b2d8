/**
 * LoRA on GPT-2's Conv1D maps (weight [in, out], y = x·W + b): the `linear`
 * hook adds `scaling · dropout(x) · Aᵀ · Bᵀ` with A [r, in] and B [out, r]
 * stored as PEFT stores them; merging adds `scaling · (B·A)ᵀ` to W.
 */
import { InvalidArgumentError } from '@tunekit/formats';
import * as tf from '@tensorflow/tfjs-core';
import type { GPT2Model } from '../model/gpt2-model';
import type { ForwardContext, ForwardHooks, LinearName, LowRankTerm } from '../model/hooks';
import type { TensorToWrite } from '../io/safetensors';
import { SeededRandom } from '../util/random';
import { assertNotDisposed, type MergeableAdapter, type PEFTConfigJSON, variableTensors } from './adapter';
import { float32Variable } from '../tf/variables';
import { expandTargetModules, type LoRAConfig, loraScaling, resolveLoRAConfig, targetsModule } from './lora-config';
import { loraTensorKey, peftModuleKey } from './peft-keys';
import { dropout, residualAdd } from '../model/layers';
import { loraInitialValues } from './lora-init';

/** A linear map outside the transformer (a head such as `score`) that LoRA may adapt. */
export interface LinearModule {
  /** Name the head passes to the `linear` hook, and its PEFT module key (e.g. `score`). */
  name: LinearName;
  /** The head's weight variable (read for its shape; changed by merging). */
  weight: tf.Variable;
  /** Layout of `weight`: `'in-out'` (Conv1D, y = x·W) or `'out-in'` (`nn.Linear`, y = x·Wᵀ). */
  layout: 'in-out' | 'out-in';
}

/** Options of {@link createLoRA}: the model, any extra linear maps, and {@link LoRAConfig} fields (defaults in `DEFAULT_LORA`). */
export interface CreateLoRAOptions extends Partial<LoRAConfig> {
  /** The model to adapt (its shapes, and its weights for merging). */
  model: GPT2Model;
  /** Linear maps outside the model that `targetModules` may name, e.g. a classification head. */
  extraModules?: LinearModule[];
}

/** One adapted map. */
interface LoraTarget {
  name: LinearName;
  /** PEFT module key, e.g. `transformer.h.0.attn.c_attn`. */
  key: string;
  a: tf.Variable; // [r, in]
  b: tf.Variable; // [out, r]
  weight: tf.Variable; // the base weight, [in, out] or [out, in]
  layout: 'in-out' | 'out-in';
}

/** Supplies saved values for a parameter (by PEFT key); undefined means "initialise". */
export type LoRAValueSource = (key: string, shape: number[]) => Float32Array | undefined;

/** A LoRA adapter: one A/B pair per targeted linear map. Create it with {@link createLoRA}. */
export class LoRAAdapter implements MergeableAdapter {
  readonly peftType = 'LORA' as const;
  /** The resolved options. */
  readonly config: LoRAConfig;
  /** alpha / r (or alpha / √r with rsLoRA). */
  readonly scaling: number;
  readonly hooks: ForwardHooks;
  private readonly targets = new Map<LinearName, LoraTarget>();
  private mergedIntoBase = false;
  private disposed = false;

  /** Builds the adapter; `values` supplies loaded tensors (see {@link loadAdapter}). */
  constructor(model: GPT2Model, config: LoRAConfig, extraModules: readonly LinearModule[] = [], values?: LoRAValueSource) {
    this.config = config;
    this.scaling = loraScaling(config);
    const random = new SeededRandom(config.seed);
    // Gather every value first: a value source that throws (a bad file) then leaves no variables behind.
    const planned: { module: LinearModule; key: string; a: Float32Array; b: Float32Array; aShape: [number, number]; bShape: [number, number] }[] = [];
    for (const module of linearModules(model, extraModules)) {
      const key = peftModuleKey(module.name);
      if (!targetsModule(key, config)) continue;
      const [rows, columns] = module.weight.shape as [number, number];
      const [inFeatures, outFeatures] = module.layout === 'in-out' ? [rows, columns] : [columns, rows];
      const init = loraInitialValues(config.init, config.rank, inFeatures, outFeatures, random);
      const aShape: [number, number] = [config.rank, inFeatures];
      const bShape: [number, number] = [outFeatures, config.rank];
      const a = values?.(loraTensorKey(key, 'A'), aShape) ?? init.a;
      const b = values?.(loraTensorKey(key, 'B'), bShape) ?? init.b;
      planned.push({ module, key, a, b, aShape, bShape });
    }
    if (planned.length === 0) {
      const available = linearModules(model, extraModules).map((m) => peftModuleKey(m.name));
      throw new InvalidArgumentError(`LoRA targetModules ${JSON.stringify(config.targetModules)} match no module; modules are ${available.slice(0, 4).join(', ')}, … ${available.slice(-1)}`, { fix: "Use names or a pattern matching those modules (e.g. ['c_attn'] or 'all-linear')." });
    }
    for (const { module, key, a, b, aShape, bShape } of planned) {
      this.targets.set(module.name, {
        ...module,
        key,
        a: float32Variable(a, aShape),
        b: float32Variable(b, bShape),
      });
    }
    this.hooks = {
      linear: (name, input, output, context) => this.apply(name, input, output, context),
      lowRank: (name, context) => this.lowRankTerm(name, context),
    };
  }

  /** Names of the adapted maps, e.g. `h.0.attn.c_attn`. */
  get targetNames(): LinearName[] {
    return [...this.targets.keys()];
  }

  /** Whether the update is currently merged into the base weights. */
  get isMerged(): boolean {
    return this.mergedIntoBase;
  }

  get isDisposed(): boolean {
    return this.disposed;
  }

  /** A and B of every target, by PEFT key (`base_model.model.{module}.lora_{A,B}.weight`). */
  parameters(): Map<string, tf.Variable> {
    assertNotDisposed(this, 'LoRA');
    const out = new Map<string, tf.Variable>();
    for (const target of this.targets.values()) {
      out.set(loraTensorKey(target.key, 'A'), target.a);
      out.set(loraTensorKey(target.key, 'B'), target.b);
    }
    return out;
  }

  /** The weight update of one target in its base weight's layout: `scaling·(B·A)ᵀ` [in, out] for Conv1D. */
  deltaWeight(name: LinearName): tf.Tensor2D {
    const target = this.targets.get(name);
    if (!target) throw new InvalidArgumentError(`LoRA does not adapt "${name}"; it adapts ${this.targetNames.join(', ')}`, { fix: 'Ask for one of the adapted modules, or add that module to targetModules and retrain.' });
    return tf.tidy(() => {
      const product = target.layout === 'in-out'
        ? tf.matMul(target.a, target.b, true, true) // [in, r]·[r, out] = (B·A)ᵀ
        : tf.matMul(target.b, target.a); // [out, r]·[r, in]
      return tf.mul(product, this.scaling) as tf.Tensor2D;
    });
  }

  /**
   * Adds the update into the base weights, so that the forward pass costs no
   * more than the base model's; the hook then skips this adapter. Float32
   * rounding makes merge → unmerge differ from the original by ~1e-7.
   */
  merge(): void {
    assertNotDisposed(this, 'LoRA');
    if (this.mergedIntoBase) return;
    this.addDelta(1);
    this.mergedIntoBase = true;
  }

  /** Subtracts a merged update from the base weights again. */
  unmerge(): void {
    assertNotDisposed(this, 'LoRA');
    if (!this.mergedIntoBase) return;
    this.addDelta(-1);
    this.mergedIntoBase = false;
  }

  peftConfig(): PEFTConfigJSON {
    const { config } = this;
    const targets = expandTargetModules(config.targetModules);
    return {
      peft_type: 'LORA',
      r: config.rank,
      lora_alpha: config.alpha,
      lora_dropout: config.dropout,
      target_modules: typeof targets === 'string' ? targets : [...targets].sort(),
      use_rslora: config.useRslora,
      layers_to_transform: config.layersToTransform ?? null,
      layers_pattern: config.layersPattern ?? null,
      init_lora_weights: config.init === 'kaiming' ? true : config.init === 'gaussian' ? 'gaussian' : false,
      // GPT-2's Conv1D stores [in, out]; PEFT forces this flag on for it.
      fan_in_fan_out: true,
      bias: 'none',
    };
  }

  peftTensors(): Promise<Map<string, TensorToWrite>> {
    return variableTensors(this);
  }

  /** Releases A and B. A merged update stays in the base weights (like PEFT's `merge_and_unload`). */
  dispose(): void {
    if (this.disposed) return;
    for (const target of this.targets.values()) tf.dispose([target.a, target.b]);
    this.disposed = true;
  }

  /** The `linear` hook: output [N, out] + scaling · dropout(input [N, in]) · Aᵀ · Bᵀ. */
  private apply(name: LinearName, input: tf.Tensor2D, output: tf.Tensor2D, context: ForwardContext): tf.Tensor2D {
    const target = this.targets.get(name);
    if (!target || this.mergedIntoBase || this.disposed) return output;
    // The model's dropout: the same seeded masks (and native mask kernel) as
    // every other dropout of the pass, so resuming and recomputing a step
    // reproduce this one too.
    const x = dropout(input, this.config.dropout, context);
    const low = tf.matMul(x, target.a, false, true); // [N, r]
    const update = tf.matMul(low, target.b, false, true); // [N, out]
    // Neither the scaling nor the add keeps a tensor for the backward (tf.mul
    // and tf.add would keep update and output, [N, out] each, per target);
    // scaling 1 (alpha = r) skips a pass that would not change a bit.
    return residualAdd(output, this.scaling === 1 ? update : scaleKeepingNothing(update, this.scaling)) as tf.Tensor2D;
  }

  /**
   * The term {@link apply} would add, for the model to fuse into the map's
   * GEMM: only where apply adds exactly scaling·(x·Aᵀ)·Bᵀ of the map's own
   * input — a Conv1D target, not merged, and no dropout drawn (dropout
   * would consume a seed and change x).
   */
  private lowRankTerm(name: LinearName, context: ForwardContext): LowRankTerm | undefined {
    const target = this.targets.get(name);
    if (!target || this.mergedIntoBase || this.disposed || target.layout !== 'in-out') return undefined;
    if (context.training && this.config.dropout > 0) return undefined;
    return { a: target.a, b: target.b, scaling: this.scaling };
  }

  private addDelta(sign: 1 | -1): void {
    for (const target of this.targets.values()) {
      tf.tidy(() => {
        const delta = this.deltaWeight(target.name);
        target.weight.assign(sign > 0 ? tf.add(target.weight, delta) : tf.sub(target.weight, delta));
      });
    }
  }
}

/** The model's adaptable maps (Conv1D, [in, out]) followed by the extra ones. */
function linearModules(model: GPT2Model, extra: readonly LinearModule[]): LinearModule[] {
  const modules: LinearModule[] = [];
  model.params.blocks.forEach((block, i) => {
    modules.push(
      { name: `h.${i}.attn.c_attn`, weight: block.attention.cAttn.weight, layout: 'in-out' },
      { name: `h.${i}.attn.c_proj`, weight: block.attention.cProj.weight, layout: 'in-out' },
      { name: `h.${i}.mlp.c_fc`, weight: block.mlp.cFc.weight, layout: 'in-out' },
      { name: `h.${i}.mlp.c_proj`, weight: block.mlp.cProj.weight, layout: 'in-out' },
    );
  });
  for (const module of extra) {
    if (module.weight.rank !== 2) throw new InvalidArgumentError(`extra module "${module.name}": weight must be 2-D, got shape [${module.weight.shape}]`, { fix: 'Pass the weight of a linear map: a 2-D [in, out] tensor.' });
    if (modules.some((m) => m.name === module.name)) throw new InvalidArgumentError(`extra module "${module.name}" is already a GPT-2 module`, { fix: 'Give the extra module another name, or leave it out: GPT-2 modules are adapted through targetModules.' });
    modules.push(module);
  }
  return modules;
}

/**
 * Creates a LoRA adapter for a model. Pass it to {@link applyAdapter} to use it.
 *
 * @example
 * ```ts
 * const adapter = createLoRA({ model, rank: 8, alpha: 16, targetModules: ['c_attn', 'c_proj'] });
 * const peft = applyAdapter({ model, adapter }); // base frozen; only A and B train
 * ```
 */
export function createLoRA(options: CreateLoRAOptions): LoRAAdapter {
  const { model, extraModules, ...config } = options;
  return new LoRAAdapter(model, resolveLoRAConfig(config), extraModules);
}

/** x · factor whose gradient, dy · factor (tf.mul's, the same op), keeps nothing. */
function scaleKeepingNothing(x: tf.Tensor, factor: number): tf.Tensor {
  return tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const [input] = args as [tf.Tensor];
    return { value: tf.mul(input, factor), gradFunc: (dy: tf.Tensor) => tf.mul(dy, factor) };
  })(x);
}
