import { describe, expect, it } from 'vitest';
import { multi, prompt, prompt2, single, withSystem } from '../testing/conversations.js';
import { render, renderPrompt } from './render.js';
import { segmentsToText } from './segments.js';
import { llama2Template } from './llama2.js';

// Source markers: the sources use Llama's `</s>`/`<s>`; GPT-2's default is `<|endoftext|>`.
const SOURCE_MARKERS = { eos: '</s>', bos: '<s>' };
const text = (c: Parameters<typeof render>[0], t: Parameters<typeof render>[1]['template']) => segmentsToText(render(c, { template: t, ...SOURCE_MARKERS }));

describe("llama-2", () => {
  // Expected strings: meta-llama/llama@689c7f2 chat_completion's token sequence written as text (BOS <s>, EOS </s>).
  it("single", () => {
    expect(text(single, llama2Template)).toBe("<s>[INST] Name three primary colors. [/INST] Red, yellow and blue. </s>");
  });
  it("multi", () => {
    expect(text(multi, llama2Template)).toBe("<s>[INST] Name three primary colors. [/INST] Red, yellow and blue. </s><s>[INST] Which of them is warm? [/INST] Red and yellow. </s><s>[INST] And cool? [/INST] Blue. </s>");
  });
  it("prompt", () => {
    expect(renderPrompt(prompt, { template: llama2Template, ...SOURCE_MARKERS })).toBe("<s>[INST] Name three primary colors. [/INST]");
  });
  it("prompt2", () => {
    expect(renderPrompt(prompt2, { template: llama2Template, ...SOURCE_MARKERS })).toBe("<s>[INST] Name three primary colors. [/INST] Red, yellow and blue. </s><s>[INST] Which of them is warm? [/INST]");
  });
  it("sys", () => {
    expect(text(withSystem, llama2Template)).toBe("<s>[INST] <<SYS>>\nYou are a painter.\n<</SYS>>\n\nName three primary colors. [/INST] Red, yellow and blue. </s>");
  });
});
