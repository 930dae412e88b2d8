/**
 * GPT-2's byte-level BPE (the `r50k_base` encoding) via `gpt-tokenizer`, with
 * `<|endoftext|>` (id 50256) handled explicitly.
 */
import { InvalidArgumentError } from '@tunekit/formats';
import { decode as bpeDecode, encode as bpeEncode } from 'gpt-tokenizer/encoding/r50k_base';

/** The one special token of GPT-2. */
export const END_OF_TEXT = '<|endoftext|>';
/** Its id. */
export const END_OF_TEXT_ID = 50256;

/** Options of {@link GPT2Tokenizer.encode}. */
export interface EncodeOptions {
  /**
   * Treat the literal text `<|endoftext|>` as the special token 50256. When
   * false (the default) the text must not contain it: encoding throws rather
   * than silently splitting it into ordinary tokens.
   */
  allowEndOfText?: boolean;
}

/** Encodes text to GPT-2 token ids and back. */
export interface Tokenizer {
  readonly vocabSize: number;
  readonly eosTokenId: number;
  encode(text: string, options?: EncodeOptions): number[];
  decode(ids: readonly number[]): string;
}

/** GPT-2's tokenizer. Stateless; share one instance. */
export class GPT2Tokenizer implements Tokenizer {
  readonly vocabSize = 50257;
  readonly eosTokenId = END_OF_TEXT_ID;

  /** Text → ids. See {@link EncodeOptions.allowEndOfText}. */
  encode(text: string, options: EncodeOptions = {}): number[] {
    const parts = text.split(END_OF_TEXT);
    if (parts.length > 1 && !options.allowEndOfText) {
      throw new InvalidArgumentError(`Text contains "${END_OF_TEXT}";`, { fix: `pass { allowEndOfText: true } to encode it as token ${END_OF_TEXT_ID}` });
    }
    // gpt-tokenizer only recognises a special token at the very start of its
    // input, so split on it here and join the pieces with the id ourselves.
    const ids: number[] = [];
    parts.forEach((part, i) => {
      if (i > 0) ids.push(END_OF_TEXT_ID);
      if (part.length > 0) ids.push(...bpeEncode(part));
    });
    return ids;
  }

  /** Ids → text; 50256 decodes to `<|endoftext|>`. */
  decode(ids: readonly number[]): string {
    for (const id of ids) {
      if (!Number.isInteger(id) || id < 0 || id >= this.vocabSize) throw new InvalidArgumentError(`decode: ${id} is not a GPT-2 token id`, { fix: 'Decode ids the GPT-2 tokenizer produced (0 to 50256); ids from another tokenizer do not map.' });
    }
    return bpeDecode(ids as number[]);
  }
}

/** The shared GPT-2 tokenizer instance. */
export const gpt2Tokenizer = new GPT2Tokenizer();
