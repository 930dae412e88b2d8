import { describe, expect, it } from 'vitest';
import { multi, prompt, prompt2, single, withInput, withSystem } from '../testing/conversations.js';
import { render, renderPrompt } from './render.js';
import { segmentsToText } from './segments.js';
import { chatmlTemplate } from './chatml.js';

// Source markers: the sources use Llama's `</s>`/`<s>`; GPT-2's default is `<|endoftext|>`.
const SOURCE_MARKERS = { eos: '</s>', bos: '<s>' };
const text = (c: Parameters<typeof render>[0], t: Parameters<typeof render>[1]['template']) => segmentsToText(render(c, { template: t, ...SOURCE_MARKERS }));

describe("chatml", () => {
  // Expected strings: LLaMA-Factory@ff6d4d12 template.py slots for `chatml`.
  it("single", () => {
    expect(text(single, chatmlTemplate)).toBe("<|im_start|>user\nName three primary colors.<|im_end|>\n<|im_start|>assistant\nRed, yellow and blue.<|im_end|>\n");
  });
  it("multi", () => {
    expect(text(multi, chatmlTemplate)).toBe("<|im_start|>user\nName three primary colors.<|im_end|>\n<|im_start|>assistant\nRed, yellow and blue.<|im_end|>\n<|im_start|>user\nWhich of them is warm?<|im_end|>\n<|im_start|>assistant\nRed and yellow.<|im_end|>\n<|im_start|>user\nAnd cool?<|im_end|>\n<|im_start|>assistant\nBlue.<|im_end|>\n");
  });
  it("prompt", () => {
    expect(renderPrompt(prompt, { template: chatmlTemplate, ...SOURCE_MARKERS })).toBe("<|im_start|>user\nName three primary colors.<|im_end|>\n<|im_start|>assistant\n");
  });
  it("prompt2", () => {
    expect(renderPrompt(prompt2, { template: chatmlTemplate, ...SOURCE_MARKERS })).toBe("<|im_start|>user\nName three primary colors.<|im_end|>\n<|im_start|>assistant\nRed, yellow and blue.<|im_end|>\n<|im_start|>user\nWhich of them is warm?<|im_end|>\n<|im_start|>assistant\n");
  });
  it("sys", () => {
    expect(text(withSystem, chatmlTemplate)).toBe("<|im_start|>system\nYou are a painter.<|im_end|>\n<|im_start|>user\nName three primary colors.<|im_end|>\n<|im_start|>assistant\nRed, yellow and blue.<|im_end|>\n");
  });
  it("input", () => {
    expect(text(withInput, chatmlTemplate)).toBe("<|im_start|>user\nName three primary colors.\nAnswer briefly.<|im_end|>\n<|im_start|>assistant\nRed, yellow and blue.<|im_end|>\n");
  });
});
