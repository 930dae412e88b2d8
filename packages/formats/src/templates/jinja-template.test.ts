import { describe, expect, it } from 'vitest';
import type { Conversation } from '../records/conversation.js';
import { multi, prompt2, single, withSystem } from '../testing/conversations.js';
import { chatmlTemplate } from './chatml.js';
import { fromChatTemplate, fromTokenizerConfig } from './jinja-template.js';
import { llama2Template } from './llama2.js';
import { render, renderPrompt, stopStrings } from './render.js';
import { segmentsToText, trainableText } from './segments.js';
import { TemplateError } from './template-types.js';

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
      expect(render(c, llama2)).toEqual(render(c, llama2Template, native));
    }
    expect(renderPrompt(prompt2, llama2)).toBe(renderPrompt(prompt2, llama2Template, native));
  });

  it('render ChatML exactly like the native template, with the same trainable text', () => {
    for (const c of [single, multi, withSystem]) {
      const hf = render(c, chatml);
      const ours = render(c, chatmlTemplate);
      expect(segmentsToText(hf)).toBe(segmentsToText(ours));
      expect(trainableText(hf)).toBe(trainableText(ours));
    }
  });

  it('honour weight 0 and give BOS/EOS their own segments', () => {
    const weighted: Conversation = { messages: [...multi.messages.slice(0, 2).map((m) => ({ ...m, weight: 0 as const })), ...multi.messages.slice(2, 4)] };
    const segments = render(weighted, llama2);
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

  it('report templates whose answers cannot be located', () => {
    // Prints only the last message: earlier renderings are not prefixes of later ones.
    const lastOnly = fromChatTemplate({ template: "{{ messages[-1]['content'] }}" });
    expect(() => render(multi, lastOnly)).toThrow(TemplateError);
    expect(() => fromChatTemplate({ template: '{% for %}' })).toThrow(/cannot parse the chat template/);
  });

  it('surface the template’s own exceptions', () => {
    const bad: Conversation = { messages: [{ role: 'user', content: 'a' }] };
    const strict = fromChatTemplate({ template: "{{ raise_exception('no prompts here') }}" });
    expect(() => render(bad, strict)).toThrow(/no prompts here/);
  });
});
