import { encode as cl100k } from 'gpt-tokenizer/encoding/cl100k_base';
import { describe, expect, it } from 'vitest';
import { isTunekitError } from '../errors/tunekit-error.js';
import { validateSource } from './validate-source.js';
import { encodingCounter, ESTIMATED_TOKEN_COUNTER, MissingTokenizerError, resolveTokenCounter } from './token-counter.js';

const missing = (specifier: string) => Promise.reject(Object.assign(new Error(`Cannot find package '${specifier}'`), { code: 'ERR_MODULE_NOT_FOUND' }));

describe('OpenAI encodings', () => {
  it('load each encoding on demand, named in reports', async () => {
    const counters = await Promise.all((['r50k_base', 'cl100k_base', 'o200k_base'] as const).map((e) => encodingCounter(e)));
    expect(counters.map((c) => c.name)).toEqual(['gpt2 (r50k_base)', 'cl100k_base', 'o200k_base']);
    expect(counters[1]!.count('You are a happy assistant.')).toBe(cl100k('You are a happy assistant.').length);
  });

  it('say clearly that gpt-tokenizer is missing when an encoding is asked for', async () => {
    const error = await encodingCounter('cl100k_base', { importer: missing }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MissingTokenizerError);
    expect(isTunekitError(error, { code: 'missing_dependency' })).toBe(true);
    expect((error as Error).message).toBe(
      'Counting cl100k_base tokens needs the optional package gpt-tokenizer, which is not installed. Install it next to @tunekit/formats (npm install gpt-tokenizer), or leave the encoding unset for a labelled estimate.',
    );
  });

  it('fall back to the labelled estimate only when no encoding was asked for', async () => {
    expect(await resolveTokenCounter({ encoding: 'cl100k_base', importer: missing })).toBe(ESTIMATED_TOKEN_COUNTER);
  });

  it('default by record kind: cl100k_base for OpenAI chat, GPT-2’s r50k_base for the rest', async () => {
    const chat = await validateSource('{"messages": [{"role": "user", "content": "q"}, {"role": "assistant", "content": "a"}]}\n', { file: 'x.jsonl' });
    const alpaca = await validateSource('[{"instruction": "q", "output": "a"}]', { file: 'x.json' });
    expect([chat.tokenizer.name, alpaca.tokenizer.name]).toEqual(['cl100k_base', 'gpt2 (r50k_base)']);
  });
});
