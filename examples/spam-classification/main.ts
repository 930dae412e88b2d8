/**
 * `pnpm --filter @tunekit/examples spam-classification [flags]`: the chapter 6
 * spam classifier. With `--model DIR` (e.g. a local gpt2 download) it runs the
 * chapter's setup; by default a tiny random GPT-2 that trains in a minute or two.
 */
import { COMMON_HELP, integerFlag, parseFlags, runCli } from '../common/cli';
import { exampleOptionsFromFlags } from '../common/options';
import { runSpamClassification } from './spam-classification';

const HELP = `Fine-tune GPT-2 as an SMS spam classifier (LLMs-from-scratch, chapter 6).

Usage: pnpm --filter @tunekit/examples spam-classification [flags]

${COMMON_HELP}
  --trainable WHICH  last-block (the chapter: last block + final norm + head) or all
  --max-length N     tokens kept per message (default: the model's context)`;

runCli(async () => {
  const flags = parseFlags(process.argv.slice(2), { trainable: { type: 'string' }, 'max-length': { type: 'string' } }, HELP);
  if (!flags) return;
  const trainable = flags.extra.trainable as string | undefined;
  if (trainable !== undefined && trainable !== 'all' && trainable !== 'last-block') throw new Error(`--trainable must be all or last-block, got "${trainable}"`);
  await runSpamClassification({ ...exampleOptionsFromFlags(flags), trainable, maxLength: integerFlag('max-length', flags.extra['max-length']) });
});
