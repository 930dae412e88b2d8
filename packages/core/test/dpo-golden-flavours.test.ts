// The DPO golden (see dpo-golden-suite.ts) on the other CPU flavours: wasm and pure JavaScript.
import { createCpuBackend } from '@tunekit/backend-cpu';
import { registerDpoGolden } from './dpo-golden-suite';

registerDpoGolden('wasm', createCpuBackend({ prefer: ['wasm'] }));
registerDpoGolden('pure JavaScript', createCpuBackend({ prefer: ['cpu'] }));
