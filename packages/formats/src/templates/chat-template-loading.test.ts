import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadChatTemplate } from '../node.js';
import { chatTemplateFromFiles, fromTokenizerConfig } from './chat-template-loading.js';
import { TemplateError } from './template-errors.js';

const CONFIG = {
  bos_token: { __type: 'AddedToken', content: '<s>', lstrip: false },
  eos_token: '</s>',
  chat_template: [
    { name: 'default', template: 'default:{{ bos_token }}' },
    { name: 'tool_use', template: 'tools:{{ tools|length }}' },
  ],
};

describe('loading a chat template from model files', () => {
  it('reads tokenizer_config.json as an object, text or bytes, picking a named template', () => {
    const bytes = new TextEncoder().encode(JSON.stringify(CONFIG));
    for (const config of [CONFIG, JSON.stringify(CONFIG), bytes]) {
      const template = fromTokenizerConfig(config);
      expect(template.template).toBe('default:{{ bos_token }}');
      expect(template.specialTokens).toEqual({ bos_token: '<s>', eos_token: '</s>' });
      expect(template.stop).toEqual(['</s>']);
    }
    expect(fromTokenizerConfig(CONFIG, { templateName: 'tool_use' }).template).toBe('tools:{{ tools|length }}');
  });

  it('prefers chat_template.jinja, as transformers does, keeping the special tokens of tokenizer_config.json', () => {
    const template = chatTemplateFromFiles({ tokenizerConfig: CONFIG, chatTemplateJinja: new TextEncoder().encode('jinja file {{ eos_token }}') });
    expect(template.template).toBe('jinja file {{ eos_token }}');
    expect(template.source).toBe('chat_template.jinja');
    expect(template.eosToken).toBe('</s>');
  });

  it('says what is missing', () => {
    expect(() => fromTokenizerConfig(CONFIG, { templateName: 'rag' })).toThrow('no chat template named "rag" (has: default, tool_use)');
    expect(() => chatTemplateFromFiles({ tokenizerConfig: { eos_token: '</s>' } })).toThrow(TemplateError);
    expect(() => chatTemplateFromFiles({})).toThrow(/no chat_template.jinja, and no "chat_template"/);
    expect(() => fromTokenizerConfig('{not json')).toThrow(/not valid JSON/);
  });

  it('loads a model folder in Node: chat_template.jinja first, else tokenizer_config.json', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'tunekit-chat-template-'));
    writeFileSync(join(folder, 'tokenizer_config.json'), JSON.stringify({ ...CONFIG, chat_template: 'from config' }));
    expect((await loadChatTemplate(folder)).template).toBe('from config');
    writeFileSync(join(folder, 'chat_template.jinja'), 'from jinja file');
    const template = await loadChatTemplate(folder);
    expect(template.template).toBe('from jinja file');
    expect(template.bosToken).toBe('<s>');
    const empty = mkdtempSync(join(tmpdir(), 'tunekit-chat-template-'));
    await expect(loadChatTemplate(empty)).rejects.toMatchObject({ code: 'chat_template_not_found' });
  });
});
