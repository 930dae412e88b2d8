/** Core's GPT-2 tokenizer in the shape `@tunekit/formats`' `encodeSegments` wants. */
import type { SegmentTokenizer } from '@tunekit/formats';
import { END_OF_TEXT, type Tokenizer } from '../tokenizer/gpt2-tokenizer';

/**
 * A `SegmentTokenizer` (`@tunekit/formats`): ordinary text is encoded as text, and a special
 * segment `<|endoftext|>` becomes the EOS id (GPT-2's only special token;
 * other template markers are encoded as text).
 */
export function segmentTokenizer(tokenizer: Tokenizer): SegmentTokenizer {
  return {
    encode: (text) => tokenizer.encode(text),
    specialTokenId: (text) => (text === END_OF_TEXT ? tokenizer.eosTokenId : undefined),
  };
}
