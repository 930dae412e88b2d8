/**
 * The three Alpaca prompt styles.
 * @module
 */
import type { ChatTemplate } from './template-types.js';

const PREAMBLE = 'Below is an instruction that describes a task. Write a response that appropriately completes the request.';
const PREAMBLE_WITH_INPUT =
  'Below is an instruction that describes a task, paired with an input that provides further context. Write a response that appropriately completes the request.';

/**
 * LLaMA-Factory's `alpaca`: multi-turn, the input joined to the instruction
 * with a newline, EOS and a blank line after every answer (both trained, as
 * LLaMA-Factory labels the whole assistant slot). An empty system prompt
 * puts the default preamble back, as LLaMA-Factory's `Template._encode`
 * does (`system = system or self.default_system`).
 */
export const alpacaTemplate: ChatTemplate = {
  kind: 'chat',
  name: 'alpaca',
  title: 'Alpaca (LLaMA-Factory, multi-turn)',
  source: 'hiyouga/LLaMA-Factory@ff6d4d12 src/llamafactory/data/template.py, register_template(name="alpaca")',
  system: { format: ['{content}'], default: `${PREAMBLE}\n\n`, emptyUsesDefault: true },
  user: ['### Instruction:\n{content}\n\n### Response:\n'],
  assistant: ['{content}', { special: 'eos' }, '\n\n'],
  stop: [],
};

/**
 * The original Stanford Alpaca `PROMPT_DICT`: the with-input and
 * without-input preambles, no newline after `### Response:`, and the
 * target `output + eos` appended directly. Single-turn.
 */
export const stanfordAlpacaTemplate: ChatTemplate = {
  kind: 'chat',
  name: 'stanford-alpaca',
  title: 'Alpaca (Stanford PROMPT_DICT)',
  source: 'tatsu-lab/stanford_alpaca@761dc5b train.py, PROMPT_DICT and train targets',
  system: { format: ['{content}\n\n'], default: PREAMBLE, defaultWithInput: PREAMBLE_WITH_INPUT },
  user: ['### Instruction:\n{content}\n\n### Response:'],
  inputFormat: '{content}\n\n### Input:\n{input}',
  assistant: ['{content}', { special: 'eos' }],
  singleTurn: true,
  stop: [],
};

/**
 * The variant of *Build a Large Language Model (From Scratch)*, chapter 7
 * (`format_input` plus `"\n\n### Response:\n" + output`): one preamble for
 * both forms, the `### Input:` block only when the input is non-empty, and
 * one `<|endoftext|>` appended by the collate function (and trained).
 * Single-turn.
 */
export const alpacaLlmsFromScratchTemplate: ChatTemplate = {
  kind: 'chat',
  name: 'alpaca-llms-from-scratch',
  title: 'Alpaca (LLMs-from-scratch, chapter 7)',
  source: 'rasbt/LLMs-from-scratch@28c65cdf ch07/01_main-chapter-code/gpt_instruction_finetuning.py, format_input and custom_collate_fn',
  system: { format: ['{content}\n\n'], default: PREAMBLE },
  user: ['### Instruction:\n{content}\n\n### Response:\n'],
  inputFormat: '{content}\n\n### Input:\n{input}',
  assistant: ['{content}', { special: 'eos' }],
  singleTurn: true,
  stop: [],
};
