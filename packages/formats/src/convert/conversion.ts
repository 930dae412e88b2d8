/** What a conversion returns. @module */

/** A converted value and what the conversion could not carry over. */
export interface Converted<T> {
  /** Success. */
  ok: true;
  /** The converted value. */
  value: T;
  /** What was lost or merged, in words (`"rejected"`, `"input (merged into the user message)"`); empty when lossless. */
  dropped: string[];
}

/** A record that cannot be converted, and why. */
export interface ConversionFailure {
  /** Failure. */
  ok: false;
  /** Why. */
  message: string;
  /** The field at fault, when one is. */
  field?: string;
}

/** The result of a conversion. */
export type Conversion<T> = Converted<T> | ConversionFailure;

/** Builds a success. */
export function converted<T>(value: T, options: { dropped?: string[] } = {}): Converted<T> {
  return { ok: true, value, dropped: options.dropped ?? [] };
}

/** Builds a failure. */
export function failed(message: string, options: { field?: string } = {}): ConversionFailure {
  const { field } = options;
  return field === undefined ? { ok: false, message } : { ok: false, message, field };
}
