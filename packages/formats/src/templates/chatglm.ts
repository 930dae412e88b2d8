/**
 * The ChatGLM family. The [gMASK]/sop tokens that ChatGLM-6B and ChatGLM2's
 * tokenizers insert on their own are not part of those sources' prompt text
 * and are left out; ChatGLM3's come from LLaMA-Factory's template, which
 * writes them explicitly.
 * @module
 */
import type { ChatTemplate } from './template-types.js';

/**
 * ChatGLM-6B (v1), official: rounds numbered from 0 with single newlines; a
 * conversation without history is the bare query. The tokenizer (not the
 * text) puts `[gMASK]<sop>` between prompt and answer and EOS after it; we
 * keep the final EOS as a marker. Prefer `chatglm2` for new GPT-2 work: a
 * bare query gives the model no cue where the answer starts.
 */
export const chatglmTemplate: ChatTemplate = {
  kind: 'chat',
  name: 'chatglm',
  title: 'ChatGLM-6B (v1)',
  source: 'THUDM/ChatGLM-6B@401bf3a8 ptuning/main.py (prompt building, L160-L205)',
  user: ['[Round {round}]\n问：{content}\n答：'],
  userAlone: ['{content}'],
  assistant: ['{content}'],
  separator: ['\n'],
  finalEos: true,
  roundBase: 0,
  stop: [],
};

/**
 * ChatGLM2-6B, official `build_prompt`: rounds numbered from 1 with double
 * newlines; ChatGLM2's p-tuning appends EOS after the final answer.
 * (LLaMA-Factory's `chatglm2` numbers from 0 and has no separator.)
 */
export const chatglm2Template: ChatTemplate = {
  kind: 'chat',
  name: 'chatglm2',
  title: 'ChatGLM2-6B',
  source: 'THUDM/chatglm2-6b tokenization_chatglm.py build_prompt, as cited by lm-sys/FastChat@0e6d3e4b fastchat/conversation.py (CHATGLM style); THUDM/ChatGLM2-6B@cb8e8b4 ptuning/main.py (EOS)',
  user: ['[Round {round}]\n\n问：{content}\n\n答：'],
  assistant: ['{content}'],
  separator: ['\n\n'],
  finalEos: true,
  roundBase: 1,
  stop: [],
};

/**
 * ChatGLM3, as LLaMA-Factory writes it: `[gMASK]sop`, role tokens, and one
 * EOS at the very end (`efficient_eos`). THUDM's own chat template differs
 * (a space after each role's newline, no EOS): use `chatglm3-thudm` for that.
 */
export const chatglm3Template: ChatTemplate = {
  kind: 'chat',
  name: 'chatglm3',
  title: 'ChatGLM3 (LLaMA-Factory)',
  source: 'hiyouga/LLaMA-Factory@ff6d4d12 src/llamafactory/data/template.py, register_template(name="chatglm3")',
  prefix: [{ token: '[gMASK]' }, { token: 'sop' }],
  system: { format: [{ token: '<|system|>' }, '\n{content}'] },
  user: [{ token: '<|user|>' }, '\n{content}', { token: '<|assistant|>' }],
  assistant: ['\n{content}'],
  finalEos: true,
  stop: ['<|user|>', '<|observation|>'],
};

/**
 * ChatGLM3, as THUDM's own chat template (THUDM/chatglm3-6b
 * tokenizer_config.json) renders it: `[gMASK]sop` once, each message as
 * `<|role|>\n content` (the space is the SentencePiece word boundary its
 * tokenizer adds), an empty system message still printed, and no EOS.
 * Checked against Python's rendering of that template (the corpus entry
 * `llamacpp-test-ChatGLM3`).
 */
export const chatglm3ThudmTemplate: ChatTemplate = {
  kind: 'chat',
  name: 'chatglm3-thudm',
  title: 'ChatGLM3 (THUDM chat template)',
  source: 'THUDM/chatglm3-6b tokenizer_config.json chat_template, as quoted in ggml-org/llama.cpp@1eeb523c tests/test-chat-template.cpp ("ChatGLM3")',
  prefix: [{ token: '[gMASK]' }, { token: 'sop' }],
  system: { format: [{ token: '<|system|>' }, '\n {content}'], renderEmpty: true },
  user: [{ token: '<|user|>' }, '\n {content}', { token: '<|assistant|>' }],
  assistant: ['\n {content}'],
  stop: ['<|user|>', '<|observation|>'],
};
