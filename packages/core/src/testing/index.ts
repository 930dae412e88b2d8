/**
 * @packageDocumentation
 * Test support for backends and applications: the tiny GPT-2 parity fixture,
 * its golden values, and comparison helpers. Node only.
 */
export { findSharedDirectory, goldenSequence, loadGolden, maxAbsDiff, tinyGPT2Directory, type FixtureOptions, type Golden, type GoldenSequence } from './fixtures';
export {
  createConformanceSuite, registerBackendConformance,
  type ConformanceCheck, type ConformanceCheckName, type ConformanceOptions, type TestRunner,
} from './conformance';
export { lifecycleChecks, registerLifecycleChecks, type LifecycleCheckName, type LifecycleOptions } from './lifecycle';
