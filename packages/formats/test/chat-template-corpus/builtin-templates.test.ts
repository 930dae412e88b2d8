/**
 * Built-in templates that follow a model's own Hugging Face chat template
 * are checked against Python's rendering of that template (goldens.json).
 */
import { describe, expect, it } from 'vitest';
import type { Conversation, Role } from '../../src/records/conversation.js';
import { chatglm3Template, chatglm3ThudmTemplate } from '../../src/templates/chatglm.js';
import { render, renderPrompt } from '../../src/templates/render.js';
import { segmentsToText } from '../../src/templates/segments.js';
import { CONVERSATIONS, GOLDENS } from './corpus-data.js';

describe('chatglm3-thudm (THUDM chat template)', () => {
  // Expected strings: Python jinja2's rendering of THUDM/chatglm3-6b's chat_template (corpus goldens.json, `llamacpp-test-ChatGLM3`).
  const golden = (caseId: string) => GOLDENS.goldens['llamacpp-test-ChatGLM3']![caseId]!.text!;
  const conversation = (name: string): Conversation => ({ messages: CONVERSATIONS.conversations[name]!.map((m) => ({ role: m.role as Role, content: m.content as string })) });
  const plain = (c: Conversation) => segmentsToText(render(c, { template: chatglm3ThudmTemplate }));

  it('matches THUDM’s template byte for byte, with the goldens quoted here too', () => {
    expect(golden('system-user-assistant')).toBe('[gMASK]sop<|system|>\n You are a concise assistant.<|user|>\n Name a primary colour.<|assistant|>\n Red.');
    for (const name of ['system-user-assistant', 'multi-turn', 'empty-system', 'unicode-emoji', 'surrounding-whitespace', 'thinking-answer']) {
      expect(plain(conversation(name)), name).toBe(golden(name));
    }
    expect(renderPrompt(conversation('no-system-prompt'), { template: chatglm3ThudmTemplate })).toBe(golden('no-system-prompt+gen'));
  });

  it('keeps an empty system turn and writes no EOS, unlike LLaMA-Factory’s chatglm3', () => {
    expect(plain({ system: '', messages: [{ role: 'user', content: 'a' }, { role: 'assistant', content: 'b' }] })).toBe('[gMASK]sop<|system|>\n <|user|>\n a<|assistant|>\n b');
    const oneRound: Conversation = { messages: [{ role: 'user', content: 'a' }, { role: 'assistant', content: 'b' }] };
    expect(segmentsToText(render(oneRound, { template: chatglm3Template, eos: '</s>' }))).toBe('[gMASK]sop<|user|>\na<|assistant|>\nb</s>');
  });
});
