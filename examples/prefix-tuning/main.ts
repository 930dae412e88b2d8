/**
 * `pnpm --filter @tunekit/examples prefix-tuning [flags]`: instruction tuning
 * of a frozen GPT-2 through 20 learned key/value positions per layer (PEFT's
 * prefix tuning). With `--model DIR` (a local gpt2 download) it tunes that
 * model; by default a tiny random GPT-2, in a few minutes on a CPU. The
 * training code is shared with the prompt-tuning example
 * (`../prompt-tuning/instruction-peft.ts`); only the adapter differs.
 */
import { COMMON_HELP, integerFlag, parseFlags, runCli } from '../common/cli';
import { exampleOptionsFromFlags } from '../common/options';
import { runInstructionPeft } from '../prompt-tuning/instruction-peft';

const HELP = `Instruction-tune a frozen GPT-2 with prefix tuning (learned keys/values, PEFT layout).

Usage: pnpm --filter @tunekit/examples prefix-tuning [flags]

${COMMON_HELP}
  --virtual-tokens N  prefix length per layer (default 20)
  --projection        produce the prefix with PEFT's MLP (prefix_projection); the file holds its output`;

runCli(async () => {
  const flags = parseFlags(process.argv.slice(2), { 'virtual-tokens': { type: 'string' }, projection: { type: 'boolean' } }, HELP);
  if (!flags) return;
  await runInstructionPeft({
    ...exampleOptionsFromFlags(flags),
    method: 'prefix-tuning', prefixProjection: flags.extra.projection === true, numVirtualTokens: integerFlag('virtual-tokens', flags.extra['virtual-tokens']),
  });
});
