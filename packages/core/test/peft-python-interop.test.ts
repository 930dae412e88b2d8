// Interop with Python PEFT itself, both directions, on the tiny fixture:
// adapters saved by tunekit load with `PeftModel.from_pretrained` and give our
// logits; adapters saved by PEFT load with `loadAdapter` and give PEFT's.
// Needs a Python with torch, transformers and peft: set TUNEKIT_PYTHON to its
// interpreter (default `python3`). Without one the suite is skipped, saying why.
import * as tf from '@tensorflow/tfjs-core';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type Adapter, applyAdapter, createLoRA, createPrefixTuning, createPromptTuning, type GPT2Model, loadAdapter, loadModel, saveAdapter,
} from '@tunekit/core';
import { maxAbsDiff, tinyGPT2Directory } from '@tunekit/core/testing';

const TOLERANCE = 1e-5;
const python = process.env.TUNEKIT_PYTHON ?? 'python3';
const probe = spawnSync(python, ['-c', 'import torch, transformers, peft; print(peft.__version__)'], { encoding: 'utf8' });
const peftVersion = probe.status === 0 ? probe.stdout.trim() : undefined;
if (!peftVersion) console.log(`Python PEFT interop skipped: ${python} cannot import torch, transformers and peft (set TUNEKIT_PYTHON)`);

const ids = [15496, 11, 616, 3290, 318, 13779];
let model: GPT2Model;
let scratch: string;

const PYTHON_SCRIPT = String.raw`
import json, sys, warnings, torch
from transformers import GPT2LMHeadModel, GPT2ForSequenceClassification
from peft import PeftModel, LoRAConfig, PrefixTuningConfig, PromptTuningConfig, get_peft_model
fixture, work, mode = sys.argv[1:4]
ids = torch.tensor([[15496, 11, 616, 3290, 318, 13779]])
base = lambda: GPT2LMHeadModel.from_pretrained(fixture).eval()
out = {}
if mode == "load":
    for name in json.load(open(f"{work}/names.json")):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            if name == "seq_cls":
                m = PeftModel.from_pretrained(GPT2ForSequenceClassification.from_pretrained(fixture, num_labels=2, pad_token_id=50256), f"{work}/{name}")
            else:
                m = PeftModel.from_pretrained(base(), f"{work}/{name}")
        with torch.no_grad():
            logits = m.eval()(input_ids=ids).logits
        out[name] = {"logits": (logits if name == "seq_cls" else logits[0]).tolist(), "warnings": [str(w.message) for w in caught if "peft" in w.filename]}
else:
    torch.manual_seed(0)
    configs = {
        "lora": LoRAConfig(task_type="CAUSAL_LM", r=4, lora_alpha=16, target_modules=["c_attn", "mlp.c_proj"], init_lora_weights=False),
        "prefix": PrefixTuningConfig(task_type="CAUSAL_LM", num_virtual_tokens=3),
        "prefix_proj": PrefixTuningConfig(task_type="CAUSAL_LM", num_virtual_tokens=3, prefix_projection=True, encoder_hidden_size=16),
        "prompt": PromptTuningConfig(task_type="CAUSAL_LM", num_virtual_tokens=5),
    }
    for name, config in configs.items():
        m = get_peft_model(base(), config).eval()
        with torch.no_grad():
            out[name] = {"logits": m(input_ids=ids).logits[0].tolist()}
        m.save_pretrained(f"{work}/{name}")
json.dump(out, open(f"{work}/python.json", "w"))
`;

function runPython(work: string, mode: 'load' | 'save'): Record<string, { logits: number[][]; warnings?: string[] }> {
  mkdirSync(work, { recursive: true });
  writeFileSync(join(work, 'script.py'), PYTHON_SCRIPT);
  const run = spawnSync(python, [join(work, 'script.py'), tinyGPT2Directory(), work, mode], { encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`python failed:\n${run.stderr}`);
  return JSON.parse(readFileSync(join(work, 'python.json'), 'utf8'));
}

async function logitsOf(): Promise<number[][]> {
  const { logits } = model.forward([ids]);
  const rows = ((await logits.array()) as number[][][])[0] as number[][];
  logits.dispose();
  return rows;
}

describe.runIf(peftVersion)('interop with Python PEFT', () => {
  beforeAll(async () => {
    model = await loadModel({ source: tinyGPT2Directory() });
    scratch = mkdtempSync(join(tmpdir(), 'tunekit-pyinterop-'));
  });
  afterAll(() => {
    model?.dispose();
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  });

  it('PeftModel.from_pretrained loads tunekit adapters and reproduces their logits', async () => {
    const work = join(scratch, 'from-tunekit');
    const adapters: Record<string, () => Adapter> = {
      lora: () => createLoRA({ model, rank: 4, alpha: 8, targetModules: ['c_attn', 'c_proj', 'c_fc'], init: 'random', seed: 1 }),
      lora_rslora_layer1: () => createLoRA({ model, rank: 4, alpha: 8, useRslora: true, targetModules: ['mlp.c_proj', 'attn.c_attn'], layersToTransform: [1], init: 'random', seed: 2 }),
      prefix: () => createPrefixTuning({ model, numVirtualTokens: 3, seed: 1 }),
      prefix_proj: () => createPrefixTuning({ model, numVirtualTokens: 3, prefixProjection: true, encoderHiddenSize: 16, seed: 1 }),
      prompt: () => createPromptTuning({ model, numVirtualTokens: 4, init: 'TEXT', initText: 'Hello world' }),
    };
    const ours: Record<string, number[][]> = {};
    for (const [name, make] of Object.entries(adapters)) {
      const peft = applyAdapter({ model, adapter: make() });
      ours[name] = await logitsOf();
      await saveAdapter({ adapter: peft, directory: join(work, name), baseModelNameOrPath: tinyGPT2Directory() });
      peft.unload();
    }
    // A LoRA classifier: GPT2ForSequenceClassification's `score` saved as modules_to_save.
    const score = tf.variable(tf.randomNormal([2, 64], 0, 0.2, 'float32', 3));
    const peft = applyAdapter({ model, adapter: createLoRA({ model, rank: 2, alpha: 4, init: 'random', seed: 5 }) });
    const classLogits = tf.tidy(() => {
      const hidden = model.transformer([ids]).hidden; // [1, T, C]
      return tf.matMul(tf.reshape(tf.slice(hidden, [0, ids.length - 1, 0], [1, 1, 64]), [1, 64]), score, false, true); // [1, 2]
    });
    ours.seq_cls = (await classLogits.array()) as number[][];
    await saveAdapter({ adapter: peft, directory: join(work, 'seq_cls'), taskType: 'SEQ_CLS', modulesToSave: { score: { parameters: () => new Map([['weight', score]]) } } });
    peft.unload();
    tf.dispose([score, classLogits]);

    writeFileSync(join(work, 'names.json'), JSON.stringify(Object.keys(ours)));
    const theirs = runPython(work, 'load');
    for (const [name, logits] of Object.entries(ours)) {
      const result = theirs[name] as { logits: number[][]; warnings?: string[] };
      const diff = maxAbsDiff(result.logits, logits);
      console.log(`tunekit → PEFT ${peftVersion} ${name}: max |logit diff| ${diff.toExponential(2)}`);
      expect(result.logits.length, name).toBe(logits.length);
      expect(diff, name).toBeLessThan(TOLERANCE);
      expect(result.warnings, name).toEqual([]);
    }
  });

  it('loadAdapter loads adapters saved by PEFT and reproduces its logits', async () => {
    const work = join(scratch, 'from-peft');
    const theirs = runPython(work, 'save');
    for (const [name, { logits }] of Object.entries(theirs)) {
      const warnings: string[] = [];
      const peft = applyAdapter({ model, adapter: await loadAdapter({ model, source: join(work, name), logger: { warn: (m) => warnings.push(m) } }) });
      const diff = maxAbsDiff(await logitsOf(), logits);
      console.log(`PEFT ${peftVersion} → tunekit ${name}: max |logit diff| ${diff.toExponential(2)}`);
      expect(diff, name).toBeLessThan(TOLERANCE);
      expect(warnings, name).toEqual([]);
      peft.unload();
    }
  });
});
