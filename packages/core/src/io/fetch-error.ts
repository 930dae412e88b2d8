/**
 * The error of a failed HTTP request, with its cause kept: `fetch` in Node
 * rejects with a bare "fetch failed" and hides the reason (connection
 * refused, DNS, TLS) in `error.cause`, which is what a user needs to see.
 */
import { TunekitError, type TunekitErrorOptions } from '@tunekit/formats';

/** What {@link FetchError} knows about the failed request. */
export interface FetchErrorDetails extends TunekitErrorOptions {
  /** The HTTP status, when the server answered. */
  status?: number;
}

/** A request that failed: the server could not be reached, answered with an error status, or the body broke off. */
export class FetchError extends TunekitError {
  /** The URL that was requested. */
  readonly url: string;
  /** The HTTP status, when the server answered. */
  readonly status?: number;

  /**
   * @param url - the URL that was requested
   * @param reason - what went wrong (`HTTP 404 Not Found`, `fetch failed (connect ECONNREFUSED …)`)
   * @param details - status, fix and cause
   */
  constructor(url: string, reason: string, details: FetchErrorDetails = {}) {
    super(details.status === undefined ? 'network_error' : 'http_error', `Cannot fetch ${url}: ${reason}`, details);
    this.url = url;
    this.status = details.status;
  }
}

/**
 * The message of an error followed by its causes, e.g. `fetch failed (connect
 * ECONNREFUSED 127.0.0.1:9)` or `fetch failed (getaddrinfo ENOTFOUND example.invalid)`.
 * Aggregate errors (happy-eyeballs tries every address) list their first error.
 */
export function describeError(error: unknown): string {
  const parts: string[] = [];
  let current: unknown = error;
  for (let depth = 0; current !== undefined && current !== null && depth < 5; depth++) {
    if (current instanceof Error) {
      const code = (current as { code?: unknown }).code;
      let text = current.message;
      if (!text && current instanceof AggregateError && current.errors.length > 0) text = describeError(current.errors[0]);
      if (typeof code === 'string' && !text.includes(code)) text = text ? `${code}: ${text}` : code;
      if (text && !parts.some((part) => part.includes(text))) parts.push(text);
      current = current.cause;
    } else {
      parts.push(String(current));
      break;
    }
  }
  const [first, ...rest] = parts;
  return rest.length > 0 ? `${first} (${rest.join('; ')})` : (first ?? 'unknown error');
}
