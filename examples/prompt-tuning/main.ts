/**
 * `pnpm --filter @tunekit/examples prompt-tuning [flags]`: instruction tuning
 * of a frozen GPT-2 through 20 learned input embeddings (PEFT's prompt
 * tuning). With `--model DIR` (a local gpt2 download) it tunes that model;
 * by default a tiny random GPT-2, in a few minutes on a CPU.
 */
import { COMMON_HELP, integerFlag, parseFlags, runCli } from '../common/cli';
import { exampleOptionsFromFlags } from '../common/options';
import { runInstructionPeft } from './instruction-peft';

const HELP = `Instruction-tune a frozen GPT-2 with prompt tuning (soft prompt, PEFT layout).

Usage: pnpm --filter @tunekit/examples prompt-tuning [flags]

${COMMON_HELP}
  --virtual-tokens N  soft-prompt length (default 20)
  --init MODE         TEXT (from the Alpaca preamble; default), RANDOM or SAMPLE_VOCAB`;

runCli(async () => {
  const flags = parseFlags(process.argv.slice(2), { 'virtual-tokens': { type: 'string' }, init: { type: 'string' } }, HELP);
  if (!flags) return;
  const init = flags.extra.init as string | undefined;
  if (init !== undefined && !['TEXT', 'RANDOM', 'SAMPLE_VOCAB'].includes(init)) throw new Error(`--init must be TEXT, RANDOM or SAMPLE_VOCAB, got "${init}"`);
  await runInstructionPeft({
    ...exampleOptionsFromFlags(flags),
    method: 'prompt-tuning', init: init as 'TEXT' | 'RANDOM' | 'SAMPLE_VOCAB' | undefined, numVirtualTokens: integerFlag('virtual-tokens', flags.extra['virtual-tokens']),
  });
});
