/**
 * Core's seeded generator is the one of `@tunekit/formats` (one
 * implementation for splits, initialisation, dropout seeds and sampling);
 * re-exported here so core's modules import it from one place.
 */
export { SeededRandom } from '@tunekit/formats';
