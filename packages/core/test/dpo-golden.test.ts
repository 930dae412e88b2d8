// The DPO golden (see dpo-golden-suite.ts) on the embedded CPU backend as chosen by default.
import { registerDpoGolden } from './dpo-golden-suite';

registerDpoGolden('the default CPU flavour');
