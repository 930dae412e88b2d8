/**
 * `pnpm --filter @tunekit/examples lora-classification [flags]`: appendix E's
 * LoRA spam classifier. With `--model DIR` (a local gpt2 download) it runs the
 * appendix's setup; by default a tiny random GPT-2 that trains in a minute or two.
 */
import { COMMON_HELP, integerFlag, parseFlags, runCli } from '../common/cli';
import { exampleOptionsFromFlags } from '../common/options';
import { type HeadMode, runLoraClassification } from './lora-classification';

const HELP = `Fine-tune GPT-2 as an SMS spam classifier with LoRA (LLMs-from-scratch, appendix E).

Usage: pnpm --filter @tunekit/examples lora-classification [flags]

${COMMON_HELP}
  --rank N           LoRA rank (default 16)
  --alpha N          LoRA alpha (default 16)
  --head MODE        lora (appendix E: frozen head with a LoRA) or full (head trained whole, as PEFT's SEQ_CLS)
  --max-length N     tokens kept per message (default: the model's context)`;

runCli(async () => {
  const extra = { rank: { type: 'string' }, alpha: { type: 'string' }, head: { type: 'string' }, 'max-length': { type: 'string' } } as const;
  const flags = parseFlags(process.argv.slice(2), extra, HELP);
  if (!flags) return;
  const head = flags.extra.head as string | undefined;
  if (head !== undefined && head !== 'lora' && head !== 'full') throw new Error(`--head must be lora or full, got "${head}"`);
  await runLoraClassification({
    ...exampleOptionsFromFlags(flags),
    rank: integerFlag('rank', flags.extra.rank), alpha: integerFlag('alpha', flags.extra.alpha),
    head: head as HeadMode | undefined, maxLength: integerFlag('max-length', flags.extra['max-length']),
  });
});
