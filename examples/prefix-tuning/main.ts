/**
 * `pnpm --filter @tunekit/examples prefix-tuning [flags]`: instruction tuning
 * of a frozen GPT-2 through 20 learned key/value positions per layer (PEFT's
 * prefix tuning). With `--model DIR` (a local gpt2 download) it tunes that
 * model; by default a tiny random GPT-2, in a few minutes on a CPU. The
 * training code is shared with the prompt-tuning example
 * (`../prompt-tuning/instruction-peft.ts`); only the adapter differs.
 */
import { COMMON_HELP, parseFlags, runCli } from '../common/cli';
import { runInstructionPeft } from '../prompt-tuning/instruction-peft';

const HELP = `Instruction-tune a frozen GPT-2 with prefix tuning (learned keys/values, PEFT layout).

Usage: pnpm --filter @tunekit/examples prefix-tuning [flags]

${COMMON_HELP}
  --virtual-tokens N  prefix length per layer (default 20)
  --projection        produce the prefix with PEFT's MLP (prefix_projection); the file holds its output`;

runCli(async () => {
  const flags = parseFlags(process.argv.slice(2), { 'virtual-tokens': { type: 'string' }, projection: { type: 'boolean' } }, HELP);
  if (!flags) return;
  const tokens = flags.extra['virtual-tokens'] === undefined ? undefined : Number(flags.extra['virtual-tokens']);
  if (tokens !== undefined && !(Number.isInteger(tokens) && tokens > 0)) throw new Error('--virtual-tokens must be a positive integer');
  await runInstructionPeft({
    method: 'prefix-tuning', prefixProjection: flags.extra.projection === true, numVirtualTokens: tokens,
    model: flags.model, data: flags.data, epochs: flags.epochs, batchSize: flags.batchSize, learningRate: flags.lr, maxSteps: flags.maxSteps,
    out: flags.out, seed: flags.seed, progress: true, print: (line) => console.log(line),
  });
});
