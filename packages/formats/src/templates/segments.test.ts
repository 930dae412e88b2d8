import { encode } from 'gpt-tokenizer/encoding/r50k_base';
import { describe, expect, it } from 'vitest';
import { single } from '../testing/conversations.js';
import { alpacaLlmsFromScratchTemplate } from './alpaca.js';
import { render } from './render.js';
import { encodeSegments, END_OF_TEXT, IGNORE_INDEX, SegmentBuilder } from './segments.js';

describe('encodeSegments', () => {
  it('maps <|endoftext|> to 50256 and masks the prompt with -100', () => {
    const segments = render(single, { template: alpacaLlmsFromScratchTemplate });
    const gpt2 = { encode: (t: string) => encode(t), specialTokenId: (t: string) => (t === END_OF_TEXT ? 50256 : undefined) };
    const { inputIds, labels } = encodeSegments(segments, { tokenizer: gpt2 });
    const promptIds = encode(segments[0]!.text);
    const answerIds = encode(segments[1]!.text);
    expect(inputIds).toEqual([...promptIds, ...answerIds, 50256]);
    expect(labels).toEqual([...promptIds.map(() => IGNORE_INDEX), ...answerIds, 50256]);
  });

  it('encodes special segments as text when the tokenizer has no such token', () => {
    const { inputIds } = encodeSegments([{ text: '<|user|>', trainable: false, special: true }], { tokenizer: { encode: (t) => [...t].map((c) => c.charCodeAt(0)) } });
    expect(inputIds).toHaveLength('<|user|>'.length);
  });
});

describe('SegmentBuilder', () => {
  it('merges neighbours with the same flags and skips empty text', () => {
    const b = new SegmentBuilder();
    b.text('a', false);
    b.text('', true);
    b.text('b', false);
    b.special('<s>', false);
    b.text('c', false);
    expect(b.segments).toEqual([
      { text: 'ab', trainable: false },
      { text: '<s>', trainable: false, special: true },
      { text: 'c', trainable: false },
    ]);
  });
});
