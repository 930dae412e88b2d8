import { describe, expect, it } from 'vitest';
import { inputExample, inputPrompt, multi, noInputExample, prompt, prompt2, single, withInput, withSystem } from '../testing/conversations.js';
import { render, renderPrompt } from './render.js';
import { segmentsToText } from './segments.js';
import { alpacaLlmsFromScratchTemplate, alpacaTemplate, stanfordAlpacaTemplate } from './alpaca.js';

// Source markers: the sources use Llama's `</s>`/`<s>`; GPT-2's default is `<|endoftext|>`.
const SOURCE_MARKERS = { eos: '</s>', bos: '<s>' };
const text = (c: Parameters<typeof render>[0], t: Parameters<typeof render>[1]['template']) => segmentsToText(render(c, { template: t, ...SOURCE_MARKERS }));

describe("alpaca (LLaMA-Factory)", () => {
  // Expected strings: LLaMA-Factory@ff6d4d12 template.py slots for `alpaca`, applied by `Template._encode`.
  it("single", () => {
    expect(text(single, alpacaTemplate)).toBe("Below is an instruction that describes a task. Write a response that appropriately completes the request.\n\n### Instruction:\nName three primary colors.\n\n### Response:\nRed, yellow and blue.</s>\n\n");
  });
  it("empty system: LLaMA-Factory's `system or default_system` puts the preamble back", () => {
    expect(text({ ...single, system: '' }, alpacaTemplate)).toBe("Below is an instruction that describes a task. Write a response that appropriately completes the request.\n\n### Instruction:\nName three primary colors.\n\n### Response:\nRed, yellow and blue.</s>\n\n");
  });
  it("multi", () => {
    expect(text(multi, alpacaTemplate)).toBe("Below is an instruction that describes a task. Write a response that appropriately completes the request.\n\n### Instruction:\nName three primary colors.\n\n### Response:\nRed, yellow and blue.</s>\n\n### Instruction:\nWhich of them is warm?\n\n### Response:\nRed and yellow.</s>\n\n### Instruction:\nAnd cool?\n\n### Response:\nBlue.</s>\n\n");
  });
  it("prompt", () => {
    expect(renderPrompt(prompt, { template: alpacaTemplate, ...SOURCE_MARKERS })).toBe("Below is an instruction that describes a task. Write a response that appropriately completes the request.\n\n### Instruction:\nName three primary colors.\n\n### Response:\n");
  });
  it("prompt2", () => {
    expect(renderPrompt(prompt2, { template: alpacaTemplate, ...SOURCE_MARKERS })).toBe("Below is an instruction that describes a task. Write a response that appropriately completes the request.\n\n### Instruction:\nName three primary colors.\n\n### Response:\nRed, yellow and blue.</s>\n\n### Instruction:\nWhich of them is warm?\n\n### Response:\n");
  });
  it("sys", () => {
    expect(text(withSystem, alpacaTemplate)).toBe("You are a painter.### Instruction:\nName three primary colors.\n\n### Response:\nRed, yellow and blue.</s>\n\n");
  });
  it("input", () => {
    expect(text(withInput, alpacaTemplate)).toBe("Below is an instruction that describes a task. Write a response that appropriately completes the request.\n\n### Instruction:\nName three primary colors.\nAnswer briefly.\n\n### Response:\nRed, yellow and blue.</s>\n\n");
  });
});

describe("stanford-alpaca", () => {
  // Expected strings: tatsu-lab/stanford_alpaca train.py PROMPT_DICT.format_map(example) + output + eos.
  it("no-input", () => {
    expect(text(noInputExample, stanfordAlpacaTemplate)).toBe("Below is an instruction that describes a task. Write a response that appropriately completes the request.\n\n### Instruction:\nName three primary colors.\n\n### Response:Red, yellow and blue.</s>");
  });
  it("input", () => {
    expect(text(inputExample, stanfordAlpacaTemplate)).toBe("Below is an instruction that describes a task, paired with an input that provides further context. Write a response that appropriately completes the request.\n\n### Instruction:\nTranslate to French.\n\n### Input:\nGood morning\n\n### Response:Bonjour</s>");
  });
  it("prompt", () => {
    expect(renderPrompt(prompt, { template: stanfordAlpacaTemplate, ...SOURCE_MARKERS })).toBe("Below is an instruction that describes a task. Write a response that appropriately completes the request.\n\n### Instruction:\nName three primary colors.\n\n### Response:");
  });
  it("prompt-input", () => {
    expect(renderPrompt(inputPrompt, { template: stanfordAlpacaTemplate, ...SOURCE_MARKERS })).toBe("Below is an instruction that describes a task, paired with an input that provides further context. Write a response that appropriately completes the request.\n\n### Instruction:\nTranslate to French.\n\n### Input:\nGood morning\n\n### Response:");
  });
});

describe("alpaca-llms-from-scratch", () => {
  // Expected strings: LLMs-from-scratch ch07 format_input(entry) + '\\n\\n### Response:\\n' + output, plus the collate function's end-of-text.
  it("no-input", () => {
    expect(text(noInputExample, alpacaLlmsFromScratchTemplate)).toBe("Below is an instruction that describes a task. Write a response that appropriately completes the request.\n\n### Instruction:\nName three primary colors.\n\n### Response:\nRed, yellow and blue.</s>");
  });
  it("input", () => {
    expect(text(inputExample, alpacaLlmsFromScratchTemplate)).toBe("Below is an instruction that describes a task. Write a response that appropriately completes the request.\n\n### Instruction:\nTranslate to French.\n\n### Input:\nGood morning\n\n### Response:\nBonjour</s>");
  });
  it("prompt", () => {
    expect(renderPrompt(prompt, { template: alpacaLlmsFromScratchTemplate, ...SOURCE_MARKERS })).toBe("Below is an instruction that describes a task. Write a response that appropriately completes the request.\n\n### Instruction:\nName three primary colors.\n\n### Response:\n");
  });
  it("prompt-input", () => {
    expect(renderPrompt(inputPrompt, { template: alpacaLlmsFromScratchTemplate, ...SOURCE_MARKERS })).toBe("Below is an instruction that describes a task. Write a response that appropriately completes the request.\n\n### Instruction:\nTranslate to French.\n\n### Input:\nGood morning\n\n### Response:\n");
  });
});
