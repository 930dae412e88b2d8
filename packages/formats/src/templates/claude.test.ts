import { describe, expect, it } from 'vitest';
import { multi, prompt, prompt2, single, withSystem } from '../testing/conversations.js';
import { render, renderPrompt } from './render.js';
import { segmentsToText } from './segments.js';
import { claudeTemplate } from './claude.js';

// Source markers: the sources use Llama's `</s>`/`<s>`; GPT-2's default is `<|endoftext|>`.
const SOURCE_MARKERS = { eos: '</s>', bos: '<s>' };
const text = (c: Parameters<typeof render>[0], t: Parameters<typeof render>[1]['template']) => segmentsToText(render(c, { template: t, ...SOURCE_MARKERS }));

describe("claude (legacy)", () => {
  // Expected strings: FastChat@0e6d3e4b get_conv_template('claude').get_prompt().
  it("single", () => {
    expect(text(single, claudeTemplate)).toBe("\n\nHuman: Name three primary colors.\n\nAssistant: Red, yellow and blue.\n\n");
  });
  it("multi", () => {
    expect(text(multi, claudeTemplate)).toBe("\n\nHuman: Name three primary colors.\n\nAssistant: Red, yellow and blue.\n\nHuman: Which of them is warm?\n\nAssistant: Red and yellow.\n\nHuman: And cool?\n\nAssistant: Blue.\n\n");
  });
  it("prompt", () => {
    expect(renderPrompt(prompt, { template: claudeTemplate, ...SOURCE_MARKERS })).toBe("\n\nHuman: Name three primary colors.\n\nAssistant:");
  });
  it("prompt2", () => {
    expect(renderPrompt(prompt2, { template: claudeTemplate, ...SOURCE_MARKERS })).toBe("\n\nHuman: Name three primary colors.\n\nAssistant: Red, yellow and blue.\n\nHuman: Which of them is warm?\n\nAssistant:");
  });
  it("sys", () => {
    expect(text(withSystem, claudeTemplate)).toBe("You are a painter.\n\nHuman: Name three primary colors.\n\nAssistant: Red, yellow and blue.\n\n");
  });
});
