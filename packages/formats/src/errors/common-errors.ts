/**
 * The few general error classes every tunekit package shares, next to the
 * specific ones (`DataError`, `InvalidSettingError`, `FetchError`, ...). Each
 * has one stable code; the message names what is wrong and ends with the fix.
 * @module
 */
import { TunekitError, type TunekitErrorOptions } from './tunekit-error.js';

/** A value passed to a function is out of range or of the wrong kind (an option, a config field, an input). Code `invalid_argument`. */
export class InvalidArgumentError extends TunekitError {
  /**
   * @param message - which value, what it must be, and what was given
   * @param options - the fix and the cause
   */
  constructor(message: string, options: TunekitErrorOptions = {}) {
    super('invalid_argument', message, options);
  }
}

/** A file's content is not what it must be: not JSON, not safetensors, a missing or mis-shaped tensor, a foreign checkpoint. Code `invalid_file`. */
export class InvalidFileError extends TunekitError {
  /**
   * @param message - the file, and what in it is wrong (tensor, field, shapes)
   * @param options - the fix and the cause
   */
  constructor(message: string, options: TunekitErrorOptions = {}) {
    super('invalid_file', message, options);
  }
}

/** An object is used in a state that does not allow it: disposed, not started, already attached. Code `invalid_state`. */
export class InvalidStateError extends TunekitError {
  /**
   * @param message - what was attempted, and the state that refused it
   * @param options - the fix and the cause
   */
  constructor(message: string, options: TunekitErrorOptions = {}) {
    super('invalid_state', message, options);
  }
}

/** What was asked for is not available here: a runtime without a file system, a browser without OPFS, a feature tunekit does not have. Code `unsupported`. */
export class UnsupportedError extends TunekitError {
  /**
   * @param message - what is missing, and where
   * @param options - the fix (what to use instead) and the cause
   */
  constructor(message: string, options: TunekitErrorOptions = {}) {
    super('unsupported', message, options);
  }
}
