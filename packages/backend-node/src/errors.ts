/** Typed errors of `@tunekit/backend-node`. */
import { TunekitError, type TunekitErrorOptions } from '@tunekit/core';
import type { TfjsNodePackage } from './requirements';

/** Why a tfjs-node package could not be used. */
export type NodeBackendFailure = 'not-installed' | 'failed-to-load' | 'no-gpu';

/** One package tried by `doInit()` and why it failed. */
export interface NodePackageAttempt {
  /** The package. */
  readonly packageName: TfjsNodePackage;
  /** What went wrong. */
  readonly failure: NodeBackendFailure;
  /** The underlying error message. */
  readonly detail: string;
}

/**
 * The native backend cannot start. The message says what to install and what
 * the GPU build needs, and that `@tunekit/core`'s embedded CPU backend needs
 * nothing.
 */
export class NodeBackendUnavailableError extends TunekitError {
  /** Each package tried, in order. */
  readonly attempts: readonly NodePackageAttempt[];

  constructor(message: string, attempts: readonly NodePackageAttempt[], options?: TunekitErrorOptions) {
    super('node_backend_unavailable', message, options);
    this.attempts = attempts;
  }
}
