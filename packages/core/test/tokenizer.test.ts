// GPT-2 BPE with explicit handling of <|endoftext|>.
import { describe, expect, it } from 'vitest';
import { END_OF_TEXT_ID, gpt2Tokenizer } from '@tunekit/core';

describe('GPT2Tokenizer', () => {
  it('round-trips text, including unicode and whitespace', () => {
    for (const text of ['Hello, world!', '  leading spaces\n\ttabs', 'naïve café – 日本語 🙂', '']) {
      expect(gpt2Tokenizer.decode(gpt2Tokenizer.encode(text))).toBe(text);
    }
  });

  it('refuses <|endoftext|> in text unless allowed, then maps every occurrence to 50256', () => {
    expect(() => gpt2Tokenizer.encode('a<|endoftext|>b')).toThrow(/allowEndOfText/);
    const ids = gpt2Tokenizer.encode('Hi<|endoftext|>there<|endoftext|>', { allowEndOfText: true });
    expect(ids.filter((id) => id === END_OF_TEXT_ID)).toHaveLength(2);
    expect(ids[ids.length - 1]).toBe(END_OF_TEXT_ID);
    expect(ids.slice(0, ids.indexOf(END_OF_TEXT_ID))).toEqual(gpt2Tokenizer.encode('Hi'));
    expect(gpt2Tokenizer.decode(ids)).toBe('Hi<|endoftext|>there<|endoftext|>');
  });

  it('rejects ids outside the vocabulary when decoding', () => {
    expect(() => gpt2Tokenizer.decode([50257])).toThrow(/50257 is not a GPT-2 token id/);
  });
});
