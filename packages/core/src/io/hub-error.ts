/** The error of a Hub download, saying that the Hub was tried and what to do. */
import { TunekitError, type TunekitErrorOptions } from '@tunekit/formats';

/** Why a Hub download failed. */
export type HubErrorCode =
  /** Offline (`HF_HUB_OFFLINE`, or the Hub unreachable) and the file is not in the cache. */
  | 'hub_not_cached'
  /** The Hub answered 404: no such repo, revision or file. */
  | 'hub_not_found'
  /** The Hub answered 401/403: a gated or private repo needs a token. */
  | 'hub_unauthorized'
  /** Any other failure: unreachable, an HTTP error, a response that is not the Hub's. */
  | 'hub_failed';

/** A file could not be had from the Hugging Face Hub or its cache. */
export class HubError extends TunekitError {
  /** The repo id, e.g. `openai-community/gpt2`. */
  readonly repoId: string;
  /** The file in the repo, e.g. `config.json`. */
  readonly filename: string;
  /** What happened, without the fix. */
  readonly detail: string;

  /**
   * @param code - why it failed
   * @param repoId - the repo id
   * @param filename - the file in the repo
   * @param message - what happened, naming the URL or cache path
   * @param options - the fix and the cause
   */
  constructor(code: HubErrorCode, repoId: string, filename: string, message: string, options: TunekitErrorOptions = {}) {
    super(code, message, options);
    this.repoId = repoId;
    this.filename = filename;
    this.detail = message;
  }

  /** The same error with `note` added to what happened (before the fix). */
  withNote(note: string): HubError {
    return new HubError(this.code as HubErrorCode, this.repoId, this.filename, `${this.detail} ${note}`, { fix: this.fix, cause: this.cause });
  }
}
