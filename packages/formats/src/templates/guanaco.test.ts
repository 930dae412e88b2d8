import { describe, expect, it } from 'vitest';
import { multi, prompt, prompt2, single, withSystem } from '../testing/conversations.js';
import { render, renderPrompt } from './render.js';
import { segmentsToText } from './segments.js';
import { guanacoTemplate } from './guanaco.js';

// Source markers: the sources use Llama's `</s>`/`<s>`; GPT-2's default is `<|endoftext|>`.
const SOURCE_MARKERS = { eos: '</s>', bos: '<s>' };
const text = (c: Parameters<typeof render>[0], t: Parameters<typeof render>[1]['template']) => segmentsToText(render(c, { template: t, ...SOURCE_MARKERS }));

describe("guanaco", () => {
  // Expected strings: FastChat@0e6d3e4b get_conv_template('zero_shot').get_prompt().
  it("single", () => {
    expect(text(single, guanacoTemplate)).toBe("A chat between a curious human and an artificial intelligence assistant. The assistant gives helpful, detailed, and polite answers to the human's questions.\n### Human: Name three primary colors.\n### Assistant: Red, yellow and blue.\n### ");
  });
  it("multi", () => {
    expect(text(multi, guanacoTemplate)).toBe("A chat between a curious human and an artificial intelligence assistant. The assistant gives helpful, detailed, and polite answers to the human's questions.\n### Human: Name three primary colors.\n### Assistant: Red, yellow and blue.\n### Human: Which of them is warm?\n### Assistant: Red and yellow.\n### Human: And cool?\n### Assistant: Blue.\n### ");
  });
  it("prompt", () => {
    expect(renderPrompt(prompt, { template: guanacoTemplate, ...SOURCE_MARKERS })).toBe("A chat between a curious human and an artificial intelligence assistant. The assistant gives helpful, detailed, and polite answers to the human's questions.\n### Human: Name three primary colors.\n### Assistant:");
  });
  it("prompt2", () => {
    expect(renderPrompt(prompt2, { template: guanacoTemplate, ...SOURCE_MARKERS })).toBe("A chat between a curious human and an artificial intelligence assistant. The assistant gives helpful, detailed, and polite answers to the human's questions.\n### Human: Name three primary colors.\n### Assistant: Red, yellow and blue.\n### Human: Which of them is warm?\n### Assistant:");
  });
  it("sys", () => {
    expect(text(withSystem, guanacoTemplate)).toBe("You are a painter.\n### Human: Name three primary colors.\n### Assistant: Red, yellow and blue.\n### ");
  });
});
