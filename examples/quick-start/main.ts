/**
 * `pnpm --filter @tunekit/examples quick-start -- MODEL_DIR DATA_FILE [OUT_DIR]`:
 * the README's quick start as a command, e.g. on the tiny test fixture:
 * `… quick-start -- ../shared/fixtures/tiny-gpt2 ../shared/data/instruction-data.json`.
 */
import { resolve } from 'node:path';
import { quickStart } from './quick-start';

const [modelDir, dataFile, outDir = 'out/quick-start'] = process.argv.slice(2).filter((arg) => arg !== '--');
if (!modelDir || !dataFile) {
  console.error('usage: quick-start MODEL_DIR DATA_FILE [OUT_DIR]');
  process.exit(2);
}
const result = await quickStart({ modelDir: resolve(modelDir), dataFile: resolve(dataFile), outDir: resolve(outDir) });
console.log(`validation loss ${result.firstValLoss.toFixed(3)} → ${result.lastValLoss.toFixed(3)}; answer: ${JSON.stringify(result.answer)}`);
