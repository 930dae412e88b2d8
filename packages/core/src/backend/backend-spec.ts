/** The backend specification lives in `@tunekit/backend-spec`, which core and every backend share; core re-exports it. */
export type { BackendCapabilities, BackendV1, FileIO } from '@tunekit/backend-spec';
