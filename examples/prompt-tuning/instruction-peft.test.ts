// Quick runs of the prompt- and prefix-tuning examples on a very small random
// model: only the adapter trains (and its loss falls), the adapter's size is
// PEFT's, and the PEFT files reload to the same greedy response.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runInstructionPeft } from './instruction-peft';

const scratch = mkdtempSync(join(tmpdir(), 'tunekit-peft-example-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));
const tiny = { numLayers: 2, embeddingDim: 32, numHeads: 2, contextLength: 256 };
const quick = { tiny, numVirtualTokens: 4, trainLimit: 16, maxSteps: 4, evalEvery: 4, evalBatches: 1, maxNewTokens: 6 };

describe('prompt- and prefix-tuning examples', () => {
  it.each(['prompt-tuning', 'prefix-tuning'] as const)('%s: trains the adapter only, saves PEFT files, reloads to the same response', async (method) => {
    const result = await runInstructionPeft({ ...quick, method, out: join(scratch, method) });
    expect(result.steps).toBe(4);
    const perModel = method === 'prompt-tuning' ? 4 * 32 : 4 * 2 * 2 * 32; // P·C, or P·L·2·C
    expect(result.trainable.trainable).toBe(perModel);
    expect(result.sizes.gpt2).toBe(method === 'prompt-tuning' ? 4 * 768 : 4 * 12 * 2 * 768);
    expect(result.loss.train[1]).toBeLessThan(result.loss.train[0]);
    expect(result.reloadedSameResponse).toBe(true);
    const config = JSON.parse(readFileSync(join(result.files.adapter, 'adapter_config.json'), 'utf8'));
    expect(config).toMatchObject({ peft_type: method === 'prompt-tuning' ? 'PROMPT_TUNING' : 'PREFIX_TUNING', num_virtual_tokens: 4, token_dim: 32, task_type: 'CAUSAL_LM' });
    if (method === 'prompt-tuning') expect(config).toMatchObject({ prompt_tuning_init: 'TEXT', tokenizer_name_or_path: 'openai-community/gpt2' });
  });
});
