import { describe, expect, it } from 'vitest';
import type { Conversation } from '../records/conversation.js';
import { applyChatTemplate } from './chat-template-render.js';
import { fromTokenizerConfig } from './chat-template-loading.js';
import { fromChatTemplate, toChatTemplateMessages } from './jinja-template.js';
import { render, renderPrompt } from './render.js';
import { markSegments, segmentsToText, trainableText } from './segments.js';
import { ChatTemplateRaisedError, TemplateError } from './template-errors.js';

const CHATML =
  "{% for message in messages %}{{'<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n'}}{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}";
// meta-llama/Llama-2-7b-chat-hf's chat_template (tokenizer_config.json).
const LLAMA2 =
  "{% if messages[0]['role'] == 'system' %}{% set loop_messages = messages[1:] %}{% set system_message = messages[0]['content'] %}{% else %}{% set loop_messages = messages %}{% set system_message = false %}{% endif %}{% for message in loop_messages %}{% if (message['role'] == 'user') != (loop.index0 % 2 == 0) %}{{ raise_exception('Conversation roles must alternate user/assistant/user/assistant/...') }}{% endif %}{% if loop.index0 == 0 and system_message != false %}{% set content = '<<SYS>>\\n' + system_message + '\\n<</SYS>>\\n\\n' + message['content'] %}{% else %}{% set content = message['content'] %}{% endif %}{% if message['role'] == 'user' %}{{ bos_token + '[INST] ' + content.strip() + ' [/INST]' }}{% elif message['role'] == 'assistant' %}{{ ' '  + content.strip() + ' ' + eos_token }}{% endif %}{% endfor %}";

const oneRound: Conversation = { messages: [{ role: 'user', content: 'Sky?' }, { role: 'assistant', content: 'Blue.' }] };

describe('rendering as transformers apply_chat_template', () => {
  it('keeps an empty system prompt as an empty system message (Llama 2 then prints an empty <<SYS>> block)', () => {
    const llama2 = fromChatTemplate({ template: LLAMA2, bosToken: '<s>', eosToken: '</s>' });
    const text = segmentsToText(render({ system: '', ...oneRound }, { template: llama2 }));
    expect(text).toBe('<s>[INST] <<SYS>>\n\n<</SYS>>\n\nSky? [/INST] Blue. </s>');
    expect(segmentsToText(render(oneRound, { template: llama2 }))).toBe('<s>[INST] Sky? [/INST] Blue. </s>');
  });

  it('adds the generation prompt whoever spoke last, when asked', () => {
    const chatml = fromChatTemplate({ template: CHATML, eosToken: '<|im_end|>' });
    expect(segmentsToText(render(oneRound, { template: chatml, addGenerationPrompt: true }))).toMatch(/Blue\.<\|im_end\|>\n<\|im_start\|>assistant\n$/);
    const prompt: Conversation = { messages: [{ role: 'user', content: 'Sky?' }] };
    expect(renderPrompt(prompt, { template: chatml })).toBe('<|im_start|>user\nSky?<|im_end|>\n<|im_start|>assistant\n');
    expect(segmentsToText(render(prompt, { template: chatml, addGenerationPrompt: false }))).toBe('<|im_start|>user\nSky?<|im_end|>\n');
  });

  it('continues the final message as transformers does, keeping its trailing spaces only when the template printed them', () => {
    const messages = [{ role: 'user', content: 'Sky?' }, { role: 'assistant', content: 'The sky is ' }];
    expect(applyChatTemplate(CHATML, { messages, continueFinalMessage: true })).toBe('<|im_start|>user\nSky?<|im_end|>\n<|im_start|>assistant\nThe sky is ');
    const trims = "{% for m in messages %}[{{ m.content|trim }}]{% endfor %}";
    expect(applyChatTemplate(trims, { messages, continueFinalMessage: true })).toBe('[Sky?][The sky is');
    expect(() => applyChatTemplate(CHATML, { messages, continueFinalMessage: true, addGenerationPrompt: true })).toThrow(TemplateError);
    const drops = "{% for m in messages %}{% if m.role == 'user' %}{{ m.content }}{% endif %}{% endfor %}";
    expect(() => applyChatTemplate(drops, { messages, continueFinalMessage: true })).toThrow(/continueFinalMessage cannot find/);
  });

  it('passes every special token, tools, documents and extra variables; tools and documents are None when not given', () => {
    const config = {
      chat_template: '{{ bos_token }}|{{ eos_token }}|{{ unk_token }}|{{ pad_token }}|{{ additional_special_tokens[1] }}|{{ enable_thinking }}|{{ tools|length }}|{{ documents[0].title }}',
      bos_token: { __type: 'AddedToken', content: '<s>' },
      eos_token: '</s>',
      unk_token: '<unk>',
      pad_token: { content: '<pad>' },
      additional_special_tokens: ['<a>', { content: '<b>' }],
    };
    const template = fromTokenizerConfig(config, { variables: { enable_thinking: true } });
    const text = applyChatTemplate(template.template, {
      messages: [],
      specialTokens: template.specialTokens,
      variables: { ...template.variables, enable_thinking: false },
      tools: [{ type: 'function' }, { type: 'function' }],
      documents: [{ title: 'Doc' }],
    });
    expect(text).toBe('<s>|</s>|<unk>|<pad>|<b>|False|2|Doc');
    expect(applyChatTemplate('{{ tools is defined }} {{ tools is none }} {{ documents is none }}', { messages: [] })).toBe('True True True');
  });

  it('gives strftime_now the clock it is handed, formatted like Python', () => {
    const now = () => new Date(2024, 6, 26, 9, 5, 3);
    expect(applyChatTemplate('{{ strftime_now("%d %b %Y, %A %B %H:%M:%S %I%p %j %y %%") }}', { messages: [], now })).toBe('26 Jul 2024, Friday July 09:05:03 09AM 208 24 %');
  });

  it('reports the template’s own raise_exception with its exact text', () => {
    try {
      applyChatTemplate(LLAMA2, { messages: [{ role: 'assistant', content: 'x' }], specialTokens: { bos_token: '<s>', eos_token: '</s>' } });
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(ChatTemplateRaisedError);
      expect((e as ChatTemplateRaisedError).templateMessage).toBe('Conversation roles must alternate user/assistant/user/assistant/...');
      expect((e as ChatTemplateRaisedError).code).toBe('chat_template_raised');
    }
  });
});

describe('answer masking with {% generation %} blocks', () => {
  const template = fromChatTemplate({
    template: "{% for m in messages %}{% if m.role == 'assistant' %}A: {%- generation %} {{ m.content }}{{ eos_token }}{% endgeneration %}\n{% else %}U: {{ m.content }}\n{% endif %}{% endfor %}",
    eosToken: '</s>',
  });

  it('trains on exactly the blocks, honours weight 0, and prints the same text as without the blocks', () => {
    const conversation: Conversation = {
      messages: [
        { role: 'user', content: 'a' },
        { role: 'assistant', content: 'b', weight: 0 },
        { role: 'user', content: 'c' },
        { role: 'assistant', content: 'd' },
      ],
    };
    const segments = render(conversation, { template });
    // Python (generate_goldens.py's environment) renders 'U: a\nA: b</s>U: c\nA: d</s>' with spans [7, 13] and [20, 26].
    expect(markSegments(segments)).toBe('U: a\nA: b</s>U: c\nA:⟦ d</s>⟧');
    expect(trainableText(segments)).toBe(' d</s>');
    expect(segmentsToText(segments)).toBe(applyChatTemplate(template.template, { messages: toChatTemplateMessages(conversation).messages, specialTokens: { eos_token: '</s>' } }));
  });
});
