// Model lifecycle on the embedded CPU backend's pure-JS and wasm flavours:
// create, load, adapt, train — then dispose — leave tf.memory() as it was.
import { afterAll, describe, it } from 'vitest';
import { createCPUBackend } from '@tunekit/backend-cpu';
import { registerLifecycleChecks } from '@tunekit/core/testing';

const runner = { describe, it, afterAll, skip: it.skip };
registerLifecycleChecks(runner, { backend: createCPUBackend({ prefer: ['cpu'] }) });
registerLifecycleChecks(runner, { backend: createCPUBackend({ prefer: ['wasm'] }) });
