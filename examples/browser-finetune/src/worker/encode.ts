/**
 * Tokenising the training data in the worker: each conversation rendered
 * with the chosen template, GPT-2 tokens, labels on the answers only (-100
 * on the prompt), cut to `maxLength` tokens. Segments are tokenised one by
 * one, so no token straddles a prompt/answer boundary.
 */
import { type CausalLMExample, gpt2Tokenizer, segmentTokenizer } from '@tunekit/core';
import { encodeSegments, render, type Template } from '@tunekit/formats';
import type { TrainingData } from '../protocol';

export function encodeTrainingData(data: TrainingData, template: Template, maxLength: number): CausalLMExample[] {
  const tokenizer = segmentTokenizer(gpt2Tokenizer);
  return data.conversations.map((conversation, record) => {
    const encoded = encodeSegments(render(conversation, { template }), { tokenizer });
    return {
      inputIds: encoded.inputIds.slice(0, maxLength),
      labels: encoded.labels.slice(0, maxLength),
      source: { file: data.name, line: data.lines[record], record },
    };
  });
}
