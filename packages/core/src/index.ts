export type { BackendCapabilities, BackendV1, FileIO } from './backend/backend-spec.js';
