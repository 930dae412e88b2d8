// A quick run of the LoRA classification example on a very small random
// model: the base stays bit-identical, the saved PEFT adapter (with the head
// as modules_to_save) reloads to the same predictions, and the printed counts
// are the appendix-E reconciliation.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseSafetensors } from '@tunekit/core';
import { runLoraClassification } from './lora-classification';

const scratch = mkdtempSync(join(tmpdir(), 'tunekit-lora-example-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));
const quick = { tiny: { numLayers: 1, embeddingDim: 32, numHeads: 2, contextLength: 128 }, trainLimit: 32, maxSteps: 4, evalEvery: 2, evalBatches: 1, maxLength: 64 };

describe('lora-classification example', () => {
  it.each(['lora', 'full'] as const)('head %s: trains only the adapter (and head), saves PEFT files, reloads exactly', async (head) => {
    const out = join(scratch, head);
    const result = await runLoraClassification({ ...quick, head, out });
    expect(result.steps).toBe(4);
    expect(result.baseUnchanged).toBe(true);
    expect(result.reloadMaxDiff).toBe(0);
    // r·(in + out) per map: 1 layer of c_attn (32→96), attn.c_proj, c_fc (32→128), mlp.c_proj, plus the head (32→2).
    const r = 16;
    const lora = r * ((32 + 96) + (32 + 32) + (32 + 128) + (128 + 32));
    expect(result.trainable.trainable).toBe(head === 'lora' ? lora + r * (32 + 2) : lora + 2 * 32);
    expect(result.trainable.line).toMatch(/^trainable params: [\d,]+ \|\| all params: [\d,]+ \|\| trainable%: \d+\.\d{4}$/);
    expect(result.gpt2Small).toMatchObject({ trainable: head === 'lora' ? 2_371_616 : 2_360_832, appendixTrainable: 2_666_528, appendixTotal: 124_441_346 });

    const config = JSON.parse(readFileSync(join(result.files.adapter, 'adapter_config.json'), 'utf8'));
    expect(config).toMatchObject({ peft_type: 'LORA', task_type: 'SEQ_CLS', r: 16, lora_alpha: 16, modules_to_save: ['score'] });
    expect(config.target_modules).toEqual(head === 'lora' ? ['c_attn', 'c_fc', 'c_proj', 'score'] : ['c_attn', 'c_fc', 'c_proj']);
    const keys = [...parseSafetensors(readFileSync(join(result.files.adapter, 'adapter_model.safetensors'))).tensors.keys()];
    expect(keys).toContain('base_model.model.score.weight');
    expect(keys.includes('base_model.model.score.lora_A.weight')).toBe(head === 'lora');
    expect(JSON.parse(readFileSync(result.files.metrics, 'utf8')).accuracy.test).toBe(result.accuracy.test);
  });
});
