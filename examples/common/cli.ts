/** The command-line flags both examples share, parsed with Node's `util.parseArgs`. */
import { parseArgs } from 'node:util';

/** Flags every example takes. */
export interface CommonFlags {
  /** A Hugging Face GPT-2 directory (config.json + model.safetensors); default: a tiny random model. */
  model?: string;
  /** The data file; default: found or downloaded (see data-files.ts). */
  data?: string;
  epochs?: number;
  batchSize?: number;
  lr?: number;
  maxSteps?: number;
  /** Output folder. */
  out?: string;
  seed?: number;
}

const COMMON = {
  model: { type: 'string' },
  data: { type: 'string' },
  epochs: { type: 'string' },
  'batch-size': { type: 'string' },
  lr: { type: 'string' },
  'max-steps': { type: 'string' },
  out: { type: 'string' },
  seed: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** The common flags' help text. */
export const COMMON_HELP = `  --model DIR        Hugging Face GPT-2 directory (config.json + model.safetensors); default: a tiny random model
  --data PATH        data file; default: $TUNEKIT_DATA_DIR, ../shared/data, the cache, then the public URL
  --epochs N         passes over the training data
  --batch-size N     examples per batch
  --lr RATE          peak learning rate
  --max-steps N      stop after N optimizer updates
  --out DIR          output folder
  --seed N           seed of the data order, dropout and the tiny model
  -h, --help         this help`;

function number(name: string, value: string | undefined, integer: boolean): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0 || (integer && !Number.isInteger(n))) {
    throw new Error(`--${name} must be a positive ${integer ? 'integer' : 'number'}, got "${value}"`);
  }
  return n;
}

/**
 * Parses the common flags plus the example's own boolean/string flags.
 * Returns `undefined` after printing `help` when `--help` is given.
 */
export function parseFlags<Extra extends Record<string, { type: 'string' | 'boolean' }>>(argv: string[], extra: Extra, help: string): (CommonFlags & { extra: Record<string, string | boolean | undefined> }) | undefined {
  const values = parseArgs({ args: argv, options: { ...COMMON, ...extra }, strict: true, allowPositionals: false }).values as Record<string, string | boolean | undefined>;
  if (values.help) {
    console.log(help);
    return undefined;
  }
  const text = (key: string) => values[key] as string | undefined;
  const seed = text('seed');
  if (seed !== undefined && !Number.isInteger(Number(seed))) throw new Error(`--seed must be an integer, got "${seed}"`);
  const extraValues: Record<string, string | boolean | undefined> = {};
  for (const key of Object.keys(extra)) extraValues[key] = values[key];
  return {
    model: text('model'),
    data: text('data'),
    epochs: number('epochs', text('epochs'), false),
    batchSize: number('batch-size', text('batch-size'), true),
    lr: number('lr', text('lr'), false),
    maxSteps: number('max-steps', text('max-steps'), true),
    out: text('out'),
    seed: seed === undefined ? undefined : Number(seed),
    extra: extraValues,
  };
}

/** An example's own integer flag: undefined when absent, else an integer ≥ `min` (default 1), or a clear error naming the flag. */
export function integerFlag(name: string, value: string | boolean | undefined, min = 1): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  const what = min === 1 ? 'a positive integer' : min === 0 ? 'a non-negative integer' : `an integer ≥ ${min}`;
  if (!(Number.isInteger(n) && n >= min)) throw new Error(`--${name} must be ${what}, got "${String(value)}"`);
  return n;
}

/** Runs `main`, printing an error's message (not its stack) and exiting 1 on failure. */
export function runCli(main: () => Promise<void>): void {
  main().catch((error: unknown) => {
    console.error(`\nerror: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  });
}
