/**
 * `pnpm finetune` (or `pnpm --filter @tunekit/examples instruction-finetune [flags]`):
 * the chapter 7 instruction fine-tune. With `--model DIR` (e.g. gpt2-medium)
 * it runs the chapter's setup; by default a tiny random GPT-2 that visibly
 * learns in a few minutes on two CPU cores.
 */
import { COMMON_HELP, integerFlag, parseFlags, runCli } from '../common/cli';
import { exampleOptionsFromFlags } from '../common/options';
import { runInstructionFinetune } from './instruction-finetune';

const HELP = `Instruction-fine-tune GPT-2 on Alpaca-style data (LLMs-from-scratch, chapter 7).

Usage: pnpm finetune -- [flags]   or   pnpm --filter @tunekit/examples instruction-finetune [flags]

${COMMON_HELP}
  --loss-on WHAT     response (mask the prompt) or all (the chapter); default: all with --model, response for the tiny model
  --responses N      test entries to answer into instruction-data-with-response.json (default: all with --model, 10 for the tiny model)
  --max-new-tokens N longest generated response (default: 256 with --model, 64 for the tiny model)
  --shuffle-split    shuffle (seed) before the 85/10/5 split; default: the chapter's split, in file order
  --tied-head        keep GPT-2's tied output head; default: the chapter's untied head (a copy of wte that trains on its own)`;

runCli(async () => {
  const flags = parseFlags(process.argv.slice(2), { 'loss-on': { type: 'string' }, responses: { type: 'string' }, 'max-new-tokens': { type: 'string' }, 'shuffle-split': { type: 'boolean' }, 'tied-head': { type: 'boolean' } }, HELP);
  if (!flags) return;
  const lossOn = flags.extra['loss-on'] as string | undefined;
  if (lossOn !== undefined && lossOn !== 'all' && lossOn !== 'response') throw new Error(`--loss-on must be all or response, got "${lossOn}"`);
  await runInstructionFinetune({
    ...exampleOptionsFromFlags(flags),
    maskPrompt: lossOn === undefined ? undefined : lossOn === 'response', responses: integerFlag('responses', flags.extra.responses, 0),
    maxNewTokens: integerFlag('max-new-tokens', flags.extra['max-new-tokens'], 0), shuffleSplit: flags.extra['shuffle-split'] === true,
    untiedHead: flags.extra['tied-head'] !== true,
  });
});
