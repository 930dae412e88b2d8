/** Finding stop strings in streamed text, and how much text is safe to emit. */

/** Index of the earliest stop string in `text`, or -1. */
export function findStop(text: string, stops: readonly string[]): number {
  let first = -1;
  for (const stop of stops) {
    const at = text.indexOf(stop);
    if (at >= 0 && (first < 0 || at < first)) first = at;
  }
  return first;
}

/**
 * Length of the prefix of `text` that can be emitted now: text that could be
 * the beginning of a stop string, and a trailing incomplete UTF-8 character
 * (decoded as U+FFFD), are held back until the next token settles them.
 */
export function safeLength(text: string, stops: readonly string[]): number {
  let end = text.length;
  while (end > 0 && text[end - 1] === '\uFFFD') end--;
  let hold = 0;
  for (const stop of stops) {
    for (let k = Math.min(stop.length - 1, end); k > 0; k--) {
      if (text.endsWith(stop.slice(0, k), end)) {
        hold = Math.max(hold, k);
        break;
      }
    }
  }
  return end - hold;
}
