/**
 * LoRA options, their defaults, and PEFT's rule for which modules a config
 * targets. Module keys are the names PEFT sees on a Hugging Face GPT-2:
 * `transformer.h.{i}.attn.c_attn`, …, and `score` for the classification head.
 */
import { InvalidArgumentError } from '@tunekit/formats';

/** How LoRA's matrices start. */
export type LoRAInit =
  /** PEFT's default (`init_lora_weights=true`): A kaiming-uniform(a=√5), B zeros, so the adapter starts as a no-op. */
  | 'kaiming'
  /** PEFT's `"gaussian"`: A ~ N(0, 1/r²), B zeros. */
  | 'gaussian'
  /** PEFT's `init_lora_weights=false`: A and B both as PyTorch's `nn.Linear` default (non-zero B; for tests). */
  | 'random';

/** LoRA options (PEFT `LoRAConfig` names in parentheses). */
export interface LoRAConfig {
  /** Rank r of the update (`r`). */
  rank: number;
  /** Scale numerator (`lora_alpha`): scaling = alpha / r, or alpha / √r with `useRslora`. */
  alpha: number;
  /** Dropout on the adapter's input during training (`lora_dropout`). */
  dropout: number;
  /**
   * Modules to adapt (`target_modules`). A list matches a module whose key
   * equals an entry or ends with `.` + entry: `c_attn` (fused QKV),
   * `attn.c_proj`, `mlp.c_fc`, `mlp.c_proj`, `c_proj` (both projections), and a
   * head's name such as `score`. A single string is a regular expression that
   * must match the whole key. `'all-linear'` means the four GPT-2 linear maps.
   */
  targetModules: string[] | string;
  /** Use rsLoRA's scaling alpha / √r (`use_rslora`). */
  useRslora: boolean;
  /** Only adapt these block indices (`layers_to_transform`); all when undefined. */
  layersToTransform?: number[] | number;
  /** Name(s) of the layer list whose index `layersToTransform` refers to (`layers_pattern`, e.g. `h`). */
  layersPattern?: string[] | string;
  /** Initialisation (`init_lora_weights`). */
  init: LoRAInit;
  /** Seed of the initialisation. */
  seed: number;
}

/** Defaults of every {@link LoRAConfig} field: PEFT's, with GPT-2's default target `c_attn`. */
export const DEFAULT_LORA: Readonly<LoRAConfig> = Object.freeze({
  rank: 8,
  alpha: 8,
  dropout: 0,
  targetModules: ['c_attn'],
  useRslora: false,
  init: 'kaiming',
  seed: 0,
});

/** PEFT's shorthand for "every linear layer except the output layer". */
export const ALL_LINEAR = 'all-linear';

/** The GPT-2 linear maps `'all-linear'` stands for. */
const GPT2_LINEAR_SUFFIXES = ['c_attn', 'c_proj', 'c_fc'];

/** Fills defaults and checks every field; errors name the field. */
export function resolveLoRAConfig(options: Partial<LoRAConfig>): LoRAConfig {
  const config: LoRAConfig = { ...DEFAULT_LORA, ...stripUndefined(options) };
  if (!Number.isInteger(config.rank) || config.rank <= 0) throw new InvalidArgumentError(`LoRA rank must be a positive integer, got ${config.rank}`, { fix: 'Pass rank as a whole number ≥ 1 (8 or 16 are usual).' });
  if (!Number.isFinite(config.alpha)) throw new InvalidArgumentError(`LoRA alpha must be a finite number, got ${config.alpha}`, { fix: 'Pass alpha as a number, usually rank or 2 × rank.' });
  if (!(config.dropout >= 0 && config.dropout < 1)) throw new InvalidArgumentError(`LoRA dropout must be in [0, 1), got ${config.dropout}`, { fix: 'Pass dropout as a probability such as 0.05, or 0.' });
  if (!['kaiming', 'gaussian', 'random'].includes(config.init)) throw new InvalidArgumentError(`LoRA init must be 'kaiming', 'gaussian' or 'random', got ${String(config.init)}`, { fix: "Pass init: 'kaiming' (PEFT's default), 'gaussian' or 'random'." });
  if (typeof config.targetModules === 'string') {
    if (config.targetModules !== ALL_LINEAR) new RegExp(config.targetModules); // throws on a bad pattern
  } else if (!Array.isArray(config.targetModules) || config.targetModules.length === 0) {
    throw new InvalidArgumentError('LoRA targetModules must be a non-empty list of module names or a regular expression', { fix: "Pass targetModules such as ['c_attn'], a regular expression string, or 'all-linear'." });
  }
  const layers = config.layersToTransform;
  if (layers !== undefined && ![layers].flat().every((i) => Number.isInteger(i) && i >= 0)) {
    throw new InvalidArgumentError(`LoRA layersToTransform must be non-negative integers, got ${JSON.stringify(layers)}`, { fix: 'Pass layersToTransform as a layer index or a list of indices (0 is the first block).' });
  }
  // PEFT's own checks: a regular expression already says which layers it means.
  if (typeof config.targetModules === 'string' && (layers !== undefined || config.layersPattern !== undefined)) {
    throw new InvalidArgumentError('LoRA layersToTransform and layersPattern cannot be combined with a regular-expression targetModules', { fix: 'List the layers inside the regular expression, or pass targetModules as a list of names.' });
  }
  if (config.layersPattern !== undefined && config.layersPattern.length > 0 && layers === undefined) {
    throw new InvalidArgumentError('LoRA layersPattern needs layersToTransform', { fix: 'Add layersToTransform (the layer indices), or leave layersPattern out.' });
  }
  return config;
}

/** The factor of the low-rank term. */
export function loraScaling(config: Pick<LoRAConfig, 'alpha' | 'rank' | 'useRslora'>): number {
  return config.useRslora ? config.alpha / Math.sqrt(config.rank) : config.alpha / config.rank;
}


/** The `target_modules` that `'all-linear'` expands to (what PEFT saves). */
export function expandTargetModules(targets: string[] | string): string[] | string {
  return targets === ALL_LINEAR ? [...GPT2_LINEAR_SUFFIXES] : targets;
}

/**
 * PEFT's `check_target_module_exists` for one module key: regex full match
 * for a string, else equality or a `.`-suffix match, then the layer filter.
 */
export function targetsModule(key: string, options: Pick<LoRAConfig, 'targetModules' | 'layersToTransform' | 'layersPattern'>): boolean {
  const config = options;
  const targets = config.targetModules;
  if (targets === ALL_LINEAR) return key.startsWith('transformer.h.') && GPT2_LINEAR_SUFFIXES.some((s) => key.endsWith(`.${s}`));
  if (typeof targets === 'string') return new RegExp(`^(?:${targets})$`).test(key);
  if (targets.includes(key)) return true;
  if (!targets.some((target) => key.endsWith(`.${target}`))) return false;
  const layers = config.layersToTransform;
  if (layers === undefined || (Array.isArray(layers) && layers.length === 0)) return true;
  const index = layerIndex(key, config.layersPattern);
  if (index === undefined) return false;
  return Array.isArray(layers) ? layers.includes(index) : index === layers;
}

/** The block index in a module key, as PEFT finds it (the first `.name.N.` segment, or `.pattern.N.`). */
function layerIndex(key: string, pattern: string[] | string | undefined): number | undefined {
  // Patterns are regular expressions, as in PEFT.
  const patterns = pattern === undefined || pattern.length === 0 ? ['[^.]*'] : [pattern].flat();
  for (const p of patterns) {
    const match = new RegExp(`^.*?\\.${p}\\.(\\d+)\\.`).exec(key);
    if (match) return Number(match[1]);
  }
  return undefined;
}

function stripUndefined<T extends object>(options: T): Partial<T> {
  return Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)) as Partial<T>;
}
