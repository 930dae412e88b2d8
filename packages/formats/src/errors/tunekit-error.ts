/**
 * The one error hierarchy of every tunekit package. It lives in
 * `@tunekit/formats` because that package depends on nothing, so core and the
 * backends can all extend it; core re-exports it.
 * @module
 */

/** Options every tunekit error accepts. */
export interface TunekitErrorOptions {
  /** What the user can do about it, appended to the message. */
  fix?: string;
  /** The lower-level error this one explains. */
  cause?: unknown;
}

/**
 * Base class of every error tunekit throws on purpose. `code` is stable and
 * meant for programs (`switch (error.code)`); the message is for people and
 * ends with the fix when there is one.
 */
export class TunekitError extends Error { // plain Error: the root of the hierarchy
  /** A stable, machine-readable code, e.g. `'file_not_found'`. */
  readonly code: string;
  /** What to do about it, when known (also part of `message`). */
  readonly fix?: string;

  /**
   * @param code - the stable code
   * @param message - what went wrong, naming the file, record and field where there are any
   * @param options - the fix and the cause
   */
  constructor(code: string, message: string, options: TunekitErrorOptions = {}) {
    super(options.fix ? `${message} ${options.fix}` : message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.fix = options.fix;
  }
}

/** A file or directory that was asked for is not there. Every `FileIO` throws this for a missing path. */
export class FileNotFoundError extends TunekitError {
  /** The path that is missing. */
  readonly path: string;

  /**
   * @param path - the missing path
   * @param options - the fix, the cause, and a message that says more than the default
   */
  constructor(path: string, options: TunekitErrorOptions & { message?: string } = {}) {
    super('file_not_found', options.message ?? `No such file or directory: ${path}.`, options);
    this.path = path;
  }
}

/** True for a {@link TunekitError} with the given code (works across copies of the package). */
export function isTunekitError(error: unknown, options: { code?: string } = {}): error is TunekitError {
  const { code } = options;
  if (!(error instanceof Error)) return false;
  const candidate = error as Partial<TunekitError>;
  return typeof candidate.code === 'string' && (code === undefined || candidate.code === code) && 'fix' in candidate;
}
