import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFile } from 'node:child_process';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT, sharedFile } from '../testing/shared-data.js';
import { main } from './main.js';

const TOY = fileURLToPath(new URL('../../fixtures/openai-cookbook/toy_chat_fine_tuning.jsonl', import.meta.url));

async function run(argv: string[], stdin?: Uint8Array): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const io = { out: (t: string) => (out += t), err: (t: string) => (err += t), stdin: stdin ? Readable.from([stdin]) : undefined };
  const code = await main(argv, io);
  return { code, out, err };
}

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tunekit-cli-options-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('validate on the OpenAI cookbook’s toy file', () => {
  it('finds no errors and prints the cookbook’s 26/8032 tokens; the untrainable example is a warning', async () => {
    const { code, out } = await run(['validate', TOY, '--context', '4096']);
    expect(code).toBe(0);
    expect(out).toContain('5 records (openai), 5 valid\nNo errors found');
    expect(out).toContain('tokens: cl100k_base, cookbook per-message count');
    expect(out).toContain('total tokens per example       min 26, max 8032, mean 1648.40, median 45, p10 26.80, p90 4863.60');
    expect(out).toContain(`records tunekit cannot train on as they are (1; errors with --strict):\n    ${TOY}:4 messages: message 1 should be a user message`);
    expect(out).toContain('~4306 tokens per epoch');
  });

  it('exits 1 with --strict, and counts GPT-2 tokens with --encoding r50k_base', async () => {
    const strict = await run(['validate', TOY, '--strict']);
    expect(strict.code).toBe(1);
    expect(strict.out).toContain('Errors (1; conversion: 1)');
    const gpt2 = await run(['validate', TOY, '--encoding', 'r50k_base', '--json']);
    expect(JSON.parse(gpt2.out).totalTokens).toMatchObject({ min: 28, max: 8033 });
    const bad = await run(['validate', TOY, '--encoding', 'p50k']);
    expect([bad.code, bad.err.split('\n')[0]]).toEqual([2, 'tunekit-formats validate: --encoding must be one of r50k_base, cl100k_base, o200k_base; got "p50k"']);
  });

  it('reads - from standard input, gzip-compressed or not', async () => {
    const bytes = await readFile(TOY);
    for (const input of [bytes, gzipSync(bytes)]) {
      const { code, out } = await run(['validate', '-', '--json'], input);
      expect(code).toBe(0);
      const report = JSON.parse(out);
      expect([report.file, report.records, report.totalTokens.max]).toEqual(['<stdin>', 5, 8032]);
    }
  });
});

describe('every subcommand', () => {
  it('prints its own help with --help (or help NAME) and exits 0', async () => {
    for (const name of ['validate', 'convert', 'render', 'templates']) {
      const { code, out } = await run([name, '--help']);
      expect([name, code, out.split('\n')[0]]).toEqual([name, 0, `Usage: tunekit-formats ${name}${name === 'templates' ? '' : ' FILE'}${name === 'convert' ? ' --to KIND' : name === 'render' ? ' --template NAME' : ''}${name === 'templates' ? '' : ' [options]'}`]);
      expect((await run(['help', name])).out).toBe(out);
    }
    expect((await run(['render', sharedFile('instruction-data.json'), '-h'])).code).toBe(0);
  });

  it('takes --kind for the record kind (convert also --from), and refuses both at once', async () => {
    const byKind = await run(['convert', sharedFile('instruction-data.json'), '--kind', 'alpaca', '--to', 'sharegpt']);
    expect(byKind.code).toBe(0);
    const byFrom = await run(['convert', sharedFile('instruction-data.json'), '--from', 'alpaca', '--to', 'sharegpt']);
    expect(byFrom.out).toBe(byKind.out);
    const both = await run(['convert', sharedFile('instruction-data.json'), '--kind', 'alpaca', '--from', 'alpaca', '--to', 'sharegpt']);
    expect([both.code, both.err.split('\n')[0]]).toEqual([2, 'tunekit-formats convert: give the record kind once (--kind or --from)']);
  });

  it('refuses a folder as FILE as bad usage (exit 2), naming it', async () => {
    for (const [name, ...options] of [['validate'], ['convert', '--to', 'alpaca'], ['render', '--template', 'alpaca']] as const) {
      const { code, err } = await run([name, dir, ...options]);
      expect([name, code, err.split('\n')[0]]).toEqual([name, 2, `tunekit-formats ${name}: ${dir} is a directory; give a data file (JSON, JSONL or TSV)`]);
    }
  });

  it('says a binary file is not text instead of validating it', async () => {
    const binary = join(dir, 'model.bin');
    await writeFile(binary, new Uint8Array([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0, 0, 0, 0x0a, 0x41, 0x09, 0x42]));
    const { code, out } = await run(['validate', binary, '--format', 'tsv']);
    expect(code).toBe(1);
    expect(out).toContain(`${binary}:1: not a text file: it looks like an executable (ELF).`);
    expect(out).toContain('0 records (unknown kind), 0 valid');
  });
});

describe('render', () => {
  const file = sharedFile('instruction-data.json');

  it('writes plain rendered text with --text', async () => {
    const { code, out } = await run(['render', file, '--template', 'alpaca-llms-from-scratch', '--limit', '1', '--text']);
    expect(code).toBe(0);
    expect(out).toBe(
      'Below is an instruction that describes a task. Write a response that appropriately completes the request.\n\n' +
        '### Instruction:\nEvaluate the following phrase by transforming it into the spelling given.\n\n' +
        '### Input:\nfreind --> friend\n\n### Response:\n' +
        'The spelling of the given phrase "freind" is incorrect, the correct spelling is "friend".<|endoftext|>\n',
    );
  });

  it('writes to --out what it would print', async () => {
    const path = join(dir, 'rendered.jsonl');
    const printed = await run(['render', file, '--template', 'chatml', '--start', '3', '--limit', '2', '--json']);
    const written = await run(['render', file, '--template', 'chatml', '--start', '3', '--limit', '2', '--json', '--out', path]);
    expect([written.code, written.out]).toEqual([0, '']);
    expect(await readFile(path, 'utf8')).toBe(printed.out);
    expect(printed.out.trimEnd().split('\n').map((l) => JSON.parse(l).index)).toEqual([3, 4]);
  });

  it('refuses a misspelt --side, as convert does', async () => {
    const pref = sharedFile('instruction-data-with-preference.json');
    const render = await run(['render', pref, '--template', 'alpaca', '--side', 'rejectd']);
    const convert = await run(['convert', pref, '--to', 'openai', '--side', 'rejectd']);
    for (const { code, err } of [render, convert]) {
      expect(code).toBe(2);
      expect(err).toContain('--side must be one of chosen, rejected; got "rejectd"');
    }
  });
});

describe('the executable', () => {
  const cli = fileURLToPath(new URL('../cli.ts', import.meta.url));

  it('reads - from its real standard input, and exits 2 (not 70 with a raw EISDIR) for a folder', async () => {
    const piped = await new Promise<{ code: number | null; stdout: string }>((resolve, reject) => {
      const child = execFile(process.execPath, ['--import', 'tsx', cli, 'validate', '-', '--json'], { cwd: REPO_ROOT }, (error, stdout) => {
        if (error && typeof error.code !== 'number') reject(error);
        else resolve({ code: error ? (error.code as number) : 0, stdout });
      });
      readFile(TOY).then((bytes) => child.stdin!.end(bytes), reject);
    });
    expect(piped.code).toBe(0);
    expect(JSON.parse(piped.stdout)).toMatchObject({ file: '<stdin>', records: 5, errors: [] });
    const folder = await promisify(execFile)(process.execPath, ['--import', 'tsx', cli, 'validate', dir], { cwd: REPO_ROOT }).catch((e: { code: number; stderr: string }) => e);
    expect((folder as { code: number }).code).toBe(2);
    expect((folder as { stderr: string }).stderr).toContain(`${dir} is a directory`);
  }, 60_000);
});
