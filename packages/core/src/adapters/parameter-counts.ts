/**
 * Adapter sizes from shapes alone, without allocating a model: for planning
 * (gpt2-medium with rank-16 LoRA on all linears?) and for the comparison in
 * `docs/adapters.md`. The adapters' own variable counts agree with these.
 */
import type { GPT2Config } from '../model/config';
import { type LoRAConfig, targetsModule } from './lora-config';
import { peftModuleKey } from './peft-keys';

/** What to count: one adapter method and its size-determining options. */
export type AdapterSizeSpec =
  | ({ method: 'lora'; rank: number; extraModules?: { name: string; inFeatures: number; outFeatures: number }[] } & Partial<Pick<LoRAConfig, 'targetModules' | 'layersToTransform' | 'layersPattern'>>)
  | { method: 'prefix-tuning'; numVirtualTokens: number; prefixProjection?: boolean; encoderHiddenSize?: number }
  | { method: 'prompt-tuning'; numVirtualTokens: number };

/** Shapes [in, out] of GPT-2's adaptable maps, by our linear names. */
function linearShapes(config: GPT2Config): [string, number, number][] {
  const { embeddingDim: C, innerDim: F } = config;
  const shapes: [string, number, number][] = [];
  for (let i = 0; i < config.numLayers; i++) {
    shapes.push([`h.${i}.attn.c_attn`, C, 3 * C], [`h.${i}.attn.c_proj`, C, C], [`h.${i}.mlp.c_fc`, C, F], [`h.${i}.mlp.c_proj`, F, C]);
  }
  return shapes;
}

/**
 * Trainable parameters an adapter adds to a model of this config:
 * LoRA r·(in + out) per targeted map; prompt tuning P·C; prefix tuning
 * P·L·2·C (or the embedding plus MLP with `prefixProjection`).
 */
export function adapterParameterCount(config: GPT2Config, options: AdapterSizeSpec): number {
  const spec = options;
  const C = config.embeddingDim;
  switch (spec.method) {
    case 'prompt-tuning':
      return spec.numVirtualTokens * C;
    case 'prefix-tuning': {
      const width = config.numLayers * 2 * C;
      if (!spec.prefixProjection) return spec.numVirtualTokens * width;
      const hidden = spec.encoderHiddenSize ?? C;
      return spec.numVirtualTokens * C + (C * hidden + hidden) + (hidden * width + width);
    }
    case 'lora': {
      const match = { targetModules: spec.targetModules ?? ['c_attn'], layersToTransform: spec.layersToTransform, layersPattern: spec.layersPattern };
      const modules = [...linearShapes(config), ...(spec.extraModules ?? []).map((m) => [m.name, m.inFeatures, m.outFeatures] as [string, number, number])];
      return modules
        .filter(([name]) => targetsModule(peftModuleKey(name), match))
        .reduce((sum, [, inFeatures, outFeatures]) => sum + spec.rank * (inFeatures + outFeatures), 0);
    }
  }
}
