import { describe, expect, it } from 'vitest';
import { multi, prompt, prompt2, single, withSystem } from '../testing/conversations.js';
import { render, renderPrompt } from './render.js';
import { segmentsToText } from './segments.js';
import { vicunaTemplate } from './vicuna.js';

// Source markers: the sources use Llama's `</s>`/`<s>`; GPT-2's default is `<|endoftext|>`.
const SOURCE_MARKERS = { eos: '</s>', bos: '<s>' };
const text = (c: Parameters<typeof render>[0], t: Parameters<typeof render>[1]['template']) => segmentsToText(render(c, { template: t, ...SOURCE_MARKERS }));

describe("vicuna", () => {
  // Expected strings: FastChat@0e6d3e4b get_conv_template('vicuna_v1.1').get_prompt().
  it("single", () => {
    expect(text(single, vicunaTemplate)).toBe("A chat between a curious user and an artificial intelligence assistant. The assistant gives helpful, detailed, and polite answers to the user's questions. USER: Name three primary colors. ASSISTANT: Red, yellow and blue.</s>");
  });
  it("multi", () => {
    expect(text(multi, vicunaTemplate)).toBe("A chat between a curious user and an artificial intelligence assistant. The assistant gives helpful, detailed, and polite answers to the user's questions. USER: Name three primary colors. ASSISTANT: Red, yellow and blue.</s>USER: Which of them is warm? ASSISTANT: Red and yellow.</s>USER: And cool? ASSISTANT: Blue.</s>");
  });
  it("prompt", () => {
    expect(renderPrompt(prompt, { template: vicunaTemplate, ...SOURCE_MARKERS })).toBe("A chat between a curious user and an artificial intelligence assistant. The assistant gives helpful, detailed, and polite answers to the user's questions. USER: Name three primary colors. ASSISTANT:");
  });
  it("prompt2", () => {
    expect(renderPrompt(prompt2, { template: vicunaTemplate, ...SOURCE_MARKERS })).toBe("A chat between a curious user and an artificial intelligence assistant. The assistant gives helpful, detailed, and polite answers to the user's questions. USER: Name three primary colors. ASSISTANT: Red, yellow and blue.</s>USER: Which of them is warm? ASSISTANT:");
  });
  it("sys", () => {
    expect(text(withSystem, vicunaTemplate)).toBe("You are a painter. USER: Name three primary colors. ASSISTANT: Red, yellow and blue.</s>");
  });
});
