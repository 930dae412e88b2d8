import { describe, expect, it } from 'vitest';
import { multi, prompt, prompt2, single, withInput, withSystem } from '../testing/conversations.js';
import { render, renderPrompt } from './render.js';
import { segmentsToText } from './segments.js';
import { chatglm2Template, chatglm3Template, chatglmTemplate } from './chatglm.js';

// Source markers: the sources use Llama's `</s>`/`<s>`; GPT-2's default is `<|endoftext|>`.
const SOURCE_MARKERS = { eos: '</s>', bos: '<s>' };
const text = (c: Parameters<typeof render>[0], t: Parameters<typeof render>[1]['template']) => segmentsToText(render(c, { template: t, ...SOURCE_MARKERS }));

describe("chatglm (ChatGLM-6B v1)", () => {
  // Expected strings: ChatGLM-6B ptuning/main.py prompt building (bare query without history) + answer + EOS.
  it("single", () => {
    expect(text(single, chatglmTemplate)).toBe("Name three primary colors.Red, yellow and blue.</s>");
  });
  it("multi", () => {
    expect(text(multi, chatglmTemplate)).toBe("[Round 0]\n问：Name three primary colors.\n答：Red, yellow and blue.\n[Round 1]\n问：Which of them is warm?\n答：Red and yellow.\n[Round 2]\n问：And cool?\n答：Blue.</s>");
  });
  it("prompt", () => {
    expect(renderPrompt(prompt, { template: chatglmTemplate, ...SOURCE_MARKERS })).toBe("Name three primary colors.");
  });
  it("prompt2", () => {
    expect(renderPrompt(prompt2, { template: chatglmTemplate, ...SOURCE_MARKERS })).toBe("[Round 0]\n问：Name three primary colors.\n答：Red, yellow and blue.\n[Round 1]\n问：Which of them is warm?\n答：");
  });
});

describe("chatglm2", () => {
  // Expected strings: chatglm2-6b build_prompt(query, history) + answer + EOS (ChatGLM2-6B ptuning/main.py).
  it("single", () => {
    expect(text(single, chatglm2Template)).toBe("[Round 1]\n\n问：Name three primary colors.\n\n答：Red, yellow and blue.</s>");
  });
  it("multi", () => {
    expect(text(multi, chatglm2Template)).toBe("[Round 1]\n\n问：Name three primary colors.\n\n答：Red, yellow and blue.\n\n[Round 2]\n\n问：Which of them is warm?\n\n答：Red and yellow.\n\n[Round 3]\n\n问：And cool?\n\n答：Blue.</s>");
  });
  it("prompt", () => {
    expect(renderPrompt(prompt, { template: chatglm2Template, ...SOURCE_MARKERS })).toBe("[Round 1]\n\n问：Name three primary colors.\n\n答：");
  });
  it("prompt2", () => {
    expect(renderPrompt(prompt2, { template: chatglm2Template, ...SOURCE_MARKERS })).toBe("[Round 1]\n\n问：Name three primary colors.\n\n答：Red, yellow and blue.\n\n[Round 2]\n\n问：Which of them is warm?\n\n答：");
  });
});

describe("chatglm3", () => {
  // Expected strings: LLaMA-Factory@ff6d4d12 template.py slots for `chatglm3` (efficient_eos: one EOS at the end).
  it("single", () => {
    expect(text(single, chatglm3Template)).toBe("[gMASK]sop<|user|>\nName three primary colors.<|assistant|>\nRed, yellow and blue.</s>");
  });
  it("multi", () => {
    expect(text(multi, chatglm3Template)).toBe("[gMASK]sop<|user|>\nName three primary colors.<|assistant|>\nRed, yellow and blue.<|user|>\nWhich of them is warm?<|assistant|>\nRed and yellow.<|user|>\nAnd cool?<|assistant|>\nBlue.</s>");
  });
  it("prompt", () => {
    expect(renderPrompt(prompt, { template: chatglm3Template, ...SOURCE_MARKERS })).toBe("[gMASK]sop<|user|>\nName three primary colors.<|assistant|>");
  });
  it("prompt2", () => {
    expect(renderPrompt(prompt2, { template: chatglm3Template, ...SOURCE_MARKERS })).toBe("[gMASK]sop<|user|>\nName three primary colors.<|assistant|>\nRed, yellow and blue.<|user|>\nWhich of them is warm?<|assistant|>");
  });
  it("sys", () => {
    expect(text(withSystem, chatglm3Template)).toBe("[gMASK]sop<|system|>\nYou are a painter.<|user|>\nName three primary colors.<|assistant|>\nRed, yellow and blue.</s>");
  });
  it("input", () => {
    expect(text(withInput, chatglm3Template)).toBe("[gMASK]sop<|user|>\nName three primary colors.\nAnswer briefly.<|assistant|>\nRed, yellow and blue.</s>");
  });
});
