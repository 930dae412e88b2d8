import { describe, expect, it } from 'vitest';
import type { Conversation } from '../records/conversation.js';
import { multi, prompt, single, SYSTEM, withSystem } from '../testing/conversations.js';
import { alpacaLlmsFromScratchTemplate, alpacaTemplate, stanfordAlpacaTemplate } from './alpaca.js';
import { chatglm3Template, chatglmTemplate } from './chatglm.js';
import { chatmlTemplate } from './chatml.js';
import { llama2Template } from './llama2.js';
import { getTemplate, templateNames, TEMPLATES } from './registry.js';
import { render, renderPrompt, stopStrings } from './render.js';
import { END_OF_TEXT, markSegments, segmentsToText, trainableText } from './segments.js';
import { TemplateError } from './template-types.js';
import { vicunaTemplate } from './vicuna.js';

describe('segments', () => {
  it('mark exactly the answers (and their EOS) as trainable', () => {
    const segments = render(multi, { template: alpacaTemplate });
    expect(trainableText(segments)).toBe(`Red, yellow and blue.${END_OF_TEXT}\n\nRed and yellow.${END_OF_TEXT}\n\nBlue.${END_OF_TEXT}\n\n`);
    expect(segments.filter((s) => s.special)).toEqual([
      { text: END_OF_TEXT, trainable: true, special: true },
      { text: END_OF_TEXT, trainable: true, special: true },
      { text: END_OF_TEXT, trainable: true, special: true },
    ]);
  });

  it('concatenate to the full text for every template, with no empty segment', () => {
    const convs: Conversation[] = [single, prompt];
    for (const template of Object.values(TEMPLATES)) {
      for (const conversation of convs) {
        const segments = render(conversation, { template });
        expect(segments.every((s) => s.text.length > 0)).toBe(true);
        expect(segmentsToText(segments).length).toBe(segments.reduce((n, s) => n + s.text.length, 0));
        expect(segments.some((s) => s.trainable)).toBe(conversation === single);
      }
    }
  });

  it('keep a weight-0 answer in the text but out of the loss', () => {
    const conversation: Conversation = {
      messages: [
        { role: 'user', content: 'Hi' },
        { role: 'assistant', content: 'Bad answer.', weight: 0 },
        { role: 'user', content: 'Again' },
        { role: 'assistant', content: 'Good answer.', weight: 1 },
      ],
    };
    const segments = render(conversation, { template: chatmlTemplate });
    expect(segmentsToText(segments)).toContain('Bad answer.');
    expect(trainableText(segments)).toBe('Good answer.<|im_end|>\n');
    const vicuna = render(conversation, { template: vicunaTemplate });
    expect(vicuna.filter((s) => s.special).map((s) => s.trainable)).toEqual([false, true]);
  });

  it('give special tokens their own segments, outside the loss in prompts', () => {
    const segments = render(single, { template: chatglm3Template });
    expect(segments.filter((s) => s.special).map((s) => [s.text, s.trainable])).toEqual([
      ['[gMASK]', false],
      ['sop', false],
      ['<|user|>', false],
      ['<|assistant|>', false],
      [END_OF_TEXT, true],
    ]);
  });

  it('mark trainable runs for people', () => {
    expect(markSegments(render(single, { template: chatmlTemplate }))).toBe(
      '<|im_start|>user\nName three primary colors.<|im_end|>\n<|im_start|>assistant\n⟦Red, yellow and blue.<|im_end|>\n⟧',
    );
  });
});

describe('system prompts', () => {
  it('use the template default when the conversation has none, and none for an empty one', () => {
    expect(segmentsToText(render(single, { template: alpacaLlmsFromScratchTemplate }))).toMatch(/^Below is an instruction/);
    expect(segmentsToText(render({ ...single, system: '' }, { template: alpacaLlmsFromScratchTemplate }))).toMatch(/^### Instruction:\n/);
  });

  it('fold leading system messages into the system prompt', () => {
    const conversation: Conversation = { messages: [{ role: 'system', content: SYSTEM }, ...single.messages] };
    expect(segmentsToText(render(conversation, { template: chatmlTemplate }))).toBe(segmentsToText(render(withSystem, { template: chatmlTemplate })));
  });

  it('are refused by templates whose source has none', () => {
    expect(() => render(withSystem, { template: chatglmTemplate })).toThrow(/has no system prompt/);
    expect(segmentsToText(render({ ...single, system: '' }, { template: chatglmTemplate }))).toBe(`Name three primary colors.Red, yellow and blue.${END_OF_TEXT}`);
  });

  it('pick the with-input preamble of Stanford Alpaca only when there is an input', () => {
    const withInput: Conversation = { messages: [{ role: 'user', content: 'Sum.', input: '1 2' }, { role: 'assistant', content: '3' }] };
    expect(segmentsToText(render(withInput, { template: stanfordAlpacaTemplate }))).toMatch(/^Below is an instruction that describes a task, paired with an input/);
    expect(segmentsToText(render(single, { template: stanfordAlpacaTemplate }))).toMatch(/^Below is an instruction that describes a task\. Write/);
  });
});

describe('structure', () => {
  it('rejects several rounds for single-turn sources', () => {
    expect(() => render(multi, { template: stanfordAlpacaTemplate })).toThrow(TemplateError);
    expect(() => render(multi, { template: alpacaLlmsFromScratchTemplate })).toThrow(/single-turn/);
  });

  it('rejects roles that do not alternate', () => {
    const bad: Conversation = { messages: [{ role: 'assistant', content: 'x' }] };
    expect(() => render(bad, { template: chatmlTemplate })).toThrow(/should be a user message/);
  });

  it('strips contents for Llama 2, as Meta does', () => {
    const spaced: Conversation = {
      messages: [
        { role: 'user', content: '  Q with spaces \n' },
        { role: 'assistant', content: '\n A with spaces  ' },
      ],
    };
    // Meta's chat_completion on the same strings (see llama2.test.ts for the source).
    expect(segmentsToText(render(spaced, { template: llama2Template, bos: '<s>', eos: '</s>' }))).toBe('<s>[INST] Q with spaces [/INST] A with spaces </s>');
  });

  it('renderPrompt needs a conversation that ends with the user', () => {
    expect(() => renderPrompt(single, { template: chatmlTemplate })).toThrow(/ends with a user message/);
    expect(renderPrompt(prompt, { template: chatmlTemplate })).toBe('<|im_start|>user\nName three primary colors.<|im_end|>\n<|im_start|>assistant\n');
  });

  it('substitutes placeholders once, leaving placeholder-like text in contents alone', () => {
    const tricky: Conversation = { messages: [{ role: 'user', content: 'say {content} and {round}' }, { role: 'assistant', content: '{input}' }] };
    expect(segmentsToText(render(tricky, { template: chatmlTemplate }))).toBe(
      '<|im_start|>user\nsay {content} and {round}<|im_end|>\n<|im_start|>assistant\n{input}<|im_end|>\n',
    );
  });
});

describe('stop strings', () => {
  it('are the source stop words plus the EOS marker when the template emits one', () => {
    expect(stopStrings(chatmlTemplate)).toEqual(['<|im_end|>', '<|im_start|>']);
    expect(stopStrings(getTemplate('claude'))).toEqual(['\n\nHuman:']);
    expect(stopStrings(getTemplate('guanaco'))).toEqual(['###']);
    expect(stopStrings(chatglm3Template)).toEqual(['<|user|>', '<|observation|>', END_OF_TEXT]);
    expect(stopStrings(vicunaTemplate, { eos: '</s>' })).toEqual(['</s>']);
    expect(stopStrings(alpacaLlmsFromScratchTemplate)).toEqual([END_OF_TEXT]);
  });
});

describe('registry', () => {
  it('holds every template under its name', () => {
    expect(templateNames()).toEqual([
      'alpaca',
      'stanford-alpaca',
      'alpaca-llms-from-scratch',
      'chatglm',
      'chatglm2',
      'chatglm3',
      'chatglm3-thudm',
      'claude',
      'chatml',
      'guanaco',
      'vicuna',
      'llama-2',
    ]);
    for (const name of templateNames()) expect(getTemplate(name).name).toBe(name);
  });

  it('lists the known names when asked for an unknown one', () => {
    expect(() => getTemplate('llama-3')).toThrow('unknown template "llama-3"; known templates: alpaca, stanford-alpaca, alpaca-llms-from-scratch');
  });
});
