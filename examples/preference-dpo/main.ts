/**
 * `pnpm --filter @tunekit/examples preference-dpo [flags]`: the chapter 7 DPO
 * bonus — instruction-tune, then DPO on the preference pairs, with reward
 * accuracy and margins on held-out pairs before and after. Tiny random model
 * by default; `--model DIR` for a real GPT-2.
 */
import { COMMON_HELP, integerFlag, parseFlags, runCli } from '../common/cli';
import { exampleOptionsFromFlags } from '../common/options';
import { runPreferenceDpo } from './preference-dpo';

const HELP = `Instruction-tune GPT-2, then preference-tune it with DPO (LLMs-from-scratch, chapter 7 bonus).

Usage: pnpm --filter @tunekit/examples preference-dpo [flags]

${COMMON_HELP}
  --beta B           DPO beta (default 0.1)
  --sft-steps N      instruction-tuning updates (0 skips the stage; default: 1 epoch with --model, 120 for the tiny model)
  --max-steps N      DPO updates (default: 1 epoch with --model, 120 for the tiny model)
  --lr RATE          DPO learning rate (default: 5e-6 with --model, 1e-3 for the tiny model)`;

runCli(async () => {
  const flags = parseFlags(process.argv.slice(2), { beta: { type: 'string' }, 'sft-steps': { type: 'string' } }, HELP);
  if (!flags) return;
  const beta = flags.extra.beta === undefined ? undefined : Number(flags.extra.beta);
  if (beta !== undefined && !(beta > 0)) throw new Error(`--beta must be a number > 0, got "${String(flags.extra.beta)}"`);
  // Two stages, no epochs: --lr and --max-steps set the DPO stage's.
  const { learningRate, maxSteps, ...common } = exampleOptionsFromFlags(flags);
  await runPreferenceDpo({
    ...common, dpoLearningRate: learningRate, dpoSteps: maxSteps, sftSteps: integerFlag('sft-steps', flags.extra['sft-steps'], 0),
    dpo: beta === undefined ? undefined : { beta },
  });
});
