// The DPO golden (see dpo-golden-suite.ts) on the other CPU flavours: wasm and pure JavaScript.
import { createCPUBackend } from '@tunekit/backend-cpu';
import { registerDpoGolden } from './dpo-golden-suite';

registerDpoGolden('wasm', createCPUBackend({ prefer: ['wasm'] }));
registerDpoGolden('pure JavaScript', createCPUBackend({ prefer: ['cpu'] }));
