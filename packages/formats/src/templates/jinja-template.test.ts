import { describe, expect, it } from 'vitest';
import type { Conversation } from '../records/conversation.js';
import { multi, prompt2, single, withSystem } from '../testing/conversations.js';
import { chatmlTemplate } from './chatml.js';
import { fromTokenizerConfig } from './chat-template-loading.js';
import { fromChatTemplate } from './jinja-template.js';
import { llama2Template } from './llama2.js';
import { render, renderPrompt, stopStrings } from './render.js';
import { segmentsToText, trainableText } from './segments.js';
import { AnswerMaskingError, TemplateError } from './template-errors.js';

// The chat_template of meta-llama/Llama-2-7b-chat-hf's tokenizer_config.json.
const LLAMA2_CONFIG = {
  bos_token: { __type: 'AddedToken', content: '<s>', lstrip: false, normalized: false, rstrip: false, single_word: false },
  eos_token: { __type: 'AddedToken', content: '</s>', lstrip: false, normalized: false, rstrip: false, single_word: false },
  chat_template:
    "{% if messages[0]['role'] == 'system' %}{% set loop_messages = messages[1:] %}{% set system_message = messages[0]['content'] %}{% else %}{% set loop_messages = messages %}{% set system_message = false %}{% endif %}{% for message in loop_messages %}{% if (message['role'] == 'user') != (loop.index0 % 2 == 0) %}{{ raise_exception('Conversation roles must alternate user/assistant/user/assistant/...') }}{% endif %}{% if loop.index0 == 0 and system_message != false %}{% set content = '<<SYS>>\\n' + system_message + '\\n<</SYS>>\\n\\n' + message['content'] %}{% else %}{% set content = message['content'] %}{% endif %}{% if message['role'] == 'user' %}{{ bos_token + '[INST] ' + content.strip() + ' [/INST]' }}{% elif message['role'] == 'assistant' %}{{ ' '  + content.strip() + ' ' + eos_token }}{% endif %}{% endfor %}",
};

// The ChatML template from the Hugging Face chat-templating guide.
const CHATML =
  "{% for message in messages %}{{'<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n'}}{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}";

describe('Hugging Face chat templates', () => {
  const llama2 = fromTokenizerConfig(JSON.stringify(LLAMA2_CONFIG));
  const chatml = fromChatTemplate({ template: CHATML, eosToken: '<|im_end|>', name: 'chatml-hf' });
  const native = { bos: '<s>', eos: '</s>' };

  it('render Llama 2 chat exactly like the native template', () => {
    for (const c of [single, multi, withSystem]) {
      expect(render(c, { template: llama2 })).toEqual(render(c, { template: llama2Template, ...native }));
    }
    expect(renderPrompt(prompt2, { template: llama2 })).toBe(renderPrompt(prompt2, { template: llama2Template, ...native }));
  });

  it('render ChatML exactly like the native template, with the same trainable text', () => {
    for (const c of [single, multi, withSystem]) {
      const hf = render(c, { template: chatml });
      const ours = render(c, { template: chatmlTemplate });
      expect(segmentsToText(hf)).toBe(segmentsToText(ours));
      expect(trainableText(hf)).toBe(trainableText(ours));
    }
  });

  it('honour weight 0 and give BOS/EOS their own segments', () => {
    const weighted: Conversation = { messages: [...multi.messages.slice(0, 2).map((m) => ({ ...m, weight: 0 as const })), ...multi.messages.slice(2, 4)] };
    const segments = render(weighted, { template: llama2 });
    expect(trainableText(segments)).toBe(' Red and yellow. </s>');
    expect(segments.filter((s) => s.special).map((s) => `${s.text}:${s.trainable}`)).toEqual(['<s>:false', '</s>:false', '<s>:false', '</s>:true']);
  });

  it('read the token texts and stop at the EOS', () => {
    expect(llama2.bosToken).toBe('<s>');
    expect(llama2.eosToken).toBe('</s>');
    expect(stopStrings(llama2)).toEqual(['</s>']);
  });

  it('pick a named template from a list', () => {
    const config = { chat_template: [{ name: 'default', template: CHATML }, { name: 'tool_use', template: '{{ 1 }}' }] };
    expect(fromTokenizerConfig(config).template).toBe(CHATML);
    expect(() => fromTokenizerConfig(config, { templateName: 'rag' })).toThrow('no chat template named "rag" (has: default, tool_use)');
  });

  it('report templates whose answers cannot be located, with a typed error', () => {
    // Prints every answer twice.
    const twice = fromChatTemplate({ template: "{% for m in messages %}{{ m.content }}{% if m.role == 'assistant' %}{{ m.content }}{% endif %}{% endfor %}" });
    expect(() => render(multi, { template: twice })).toThrow(/prints answer \d+ more than once/);
    // The last answer changes text before the first message.
    const peeks = fromChatTemplate({ template: "{% if messages[-1].content|length > 3 %}LONG {% endif %}{% for m in messages %}{{ m.content }}\n{% endfor %}" });
    expect(() => render(multi, { template: peeks })).toThrow(AnswerMaskingError);
    expect(() => render(multi, { template: peeks })).toThrow(/changes the text of message 0/);
    // Refuses any answer but the real one.
    const picky = fromChatTemplate({ template: "{% for m in messages %}{% if m.role == 'assistant' and m.content != 'Blue.' %}{{ raise_exception('only Blue.') }}{% endif %}{{ m.content }}{% endfor %}" });
    const blue: Conversation = { messages: [{ role: 'user', content: 'Sky?' }, { role: 'assistant', content: 'Blue.' }] };
    expect(() => render(blue, { template: picky })).toThrow(/fails when an answer is replaced by a placeholder/);
    try {
      render(multi, { template: twice });
    } catch (e) {
      expect(e).toBeInstanceOf(TemplateError);
      expect((e as AnswerMaskingError).code).toBe('answer_masking_impossible');
    }
    expect(() => fromChatTemplate({ template: '{% for %}' })).toThrow(/cannot parse the chat template/);
  });

  it('surface the template’s own exceptions', () => {
    const bad: Conversation = { messages: [{ role: 'user', content: 'a' }] };
    const strict = fromChatTemplate({ template: "{{ raise_exception('no prompts here') }}" });
    expect(() => render(bad, { template: strict })).toThrow(/no prompts here/);
  });
});
