/**
 * Rendered text as segments, so a trainer can put the loss on answers only.
 * @module
 */

/**
 * A piece of rendered text. The segments of one rendering concatenate to
 * exactly the training text.
 */
export interface Segment {
  /** The text. */
  text: string;
  /** Whether the loss covers it: assistant answers (unless `weight: 0`) and the EOS after them. */
  trainable: boolean;
  /**
   * Set when the text names one special token of the source model (an EOS or
   * BOS marker, ChatGLM3's `<|user|>`…). A tokenizer maps such a segment to
   * its token id when it has one; GPT-2 has only `<|endoftext|>` (50256), so
   * other special segments should be encoded as ordinary text.
   */
  special?: true;
}

/** GPT-2's one special token, used by default for both EOS and BOS markers. */
export const END_OF_TEXT = '<|endoftext|>';

/** The label that makes cross-entropy skip a position (PyTorch's and HF's convention). */
export const IGNORE_INDEX = -100;

/** The full text of a rendering. */
export function segmentsToText(segments: readonly Segment[]): string {
  return segments.map((s) => s.text).join('');
}

/** Only the trainable text of a rendering, in order. */
export function trainableText(segments: readonly Segment[]): string {
  return segments.filter((s) => s.trainable).map((s) => s.text).join('');
}

/** Token ids and labels of a rendering. */
export interface EncodedSegments {
  /** Token ids of the whole text. */
  inputIds: number[];
  /** The ids on trainable positions, {@link IGNORE_INDEX} elsewhere. */
  labels: number[];
}

/** What {@link encodeSegments} needs from a tokenizer. */
export interface SegmentTokenizer {
  /** Ordinary text to token ids. */
  encode(text: string): readonly number[];
  /** The id of a special token by its text, or `undefined` to encode it as ordinary text. */
  specialTokenId?(text: string): number | undefined;
}

/**
 * Tokenizes segments one by one: `inputIds`, and `labels` equal to the ids on
 * trainable positions and {@link IGNORE_INDEX} elsewhere (aligned with the
 * inputs, not shifted: the loss shifts, as in Hugging Face models).
 * Segments are encoded separately so no token straddles a prompt/answer
 * boundary.
 */
export function encodeSegments(segments: readonly Segment[], options: { tokenizer: SegmentTokenizer }): EncodedSegments {
  const { tokenizer } = options;
  const inputIds: number[] = [];
  const labels: number[] = [];
  for (const segment of segments) {
    const special = segment.special ? tokenizer.specialTokenId?.(segment.text) : undefined;
    const ids = special !== undefined ? [special] : tokenizer.encode(segment.text);
    for (const id of ids) {
      inputIds.push(id);
      labels.push(segment.trainable ? id : IGNORE_INDEX);
    }
  }
  return { inputIds, labels };
}

/** Markers for {@link markSegments}. */
export interface SegmentMarks {
  /** Opens a trainable run. Default `⟦`. */
  open?: string;
  /** Closes a trainable run. Default `⟧`. */
  close?: string;
}

/** The text with each trainable run wrapped in markers, for people to read. */
export function markSegments(segments: readonly Segment[], options: SegmentMarks = {}): string {
  const marks = options;
  const open = marks.open ?? '⟦';
  const close = marks.close ?? '⟧';
  let out = '';
  let inside = false;
  for (const segment of segments) {
    if (segment.trainable !== inside) {
      out += inside ? close : open;
      inside = segment.trainable;
    }
    out += segment.text;
  }
  return inside ? out + close : out;
}

/** Builds a segment list, merging neighbours with the same flags. */
export class SegmentBuilder {
  /** The segments so far. */
  readonly segments: Segment[] = [];

  /** Appends ordinary text. */
  text(text: string, trainable: boolean): void {
    if (text === '') return;
    const last = this.segments[this.segments.length - 1];
    if (last && !last.special && last.trainable === trainable) last.text += text;
    else this.segments.push({ text, trainable });
  }

  /** Appends one special token as its own segment. */
  special(text: string, trainable: boolean): void {
    if (text !== '') this.segments.push({ text, trainable, special: true });
  }
}
