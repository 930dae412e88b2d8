import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT, sharedFile } from '../testing/shared-data.js';
import { main } from './main.js';

async function run(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(argv, { out: (t) => (out += t), err: (t) => (err += t) });
  return { code, out, err };
}

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tunekit-cli-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('validate', () => {
  it('passes the real files with exit 0 and prints the report', async () => {
    const { code, out } = await run('validate', sharedFile('instruction-data.json'), '--template', 'alpaca-llms-from-scratch');
    expect(code).toBe(0);
    expect(out).toContain('1100 records (alpaca), 1100 valid');
    expect(out).toContain('No errors found');
    expect(out).toContain('tokens: gpt2 (r50k_base), rendered template');
    expect(out).toContain('0 examples over the 1024-token context');
  });

  it('prints JSON with --json', async () => {
    const { code, out } = await run('validate', sharedFile('SMSSpamCollection.tsv'), '--json');
    expect(code).toBe(0);
    const report = JSON.parse(out);
    expect(report.labels).toEqual({ ham: 4827, spam: 747 });
    expect(report.records).toBe(5574);
  });
});

describe('convert', () => {
  it('converts preference pairs to OpenAI JSONL and says what was dropped', async () => {
    const path = join(dir, 'pref.jsonl');
    const { code, err } = await run('convert', sharedFile('instruction-data-with-preference.json'), '--to', 'openai', '--out', path);
    expect(code).toBe(0);
    expect(err).toContain('converted 1100 preference records to openai (jsonl)');
    expect(err).toContain('rejected: 1100 records');
    expect(err).toContain('input (merged into the user message): 325 records');
    const lines = (await readFile(path, 'utf8')).trimEnd().split('\n');
    expect(lines).toHaveLength(1100);
    expect(JSON.parse(lines[2]!).messages[1]).toEqual({ role: 'assistant', content: '45 kilometers is equivalent to 45000 meters.' });
  });

  it('turns SMS rows into Alpaca instructions, and refuses without an instruction', async () => {
    const ok = await run('convert', sharedFile('SMSSpamCollection.tsv'), '--to', 'alpaca', '--instruction', 'Is this SMS spam or ham?');
    expect(ok.code).toBe(0);
    const records = JSON.parse(ok.out);
    expect(records).toHaveLength(5574);
    expect(records[2]).toMatchObject({ instruction: 'Is this SMS spam or ham?', output: 'spam' });
    const refused = await run('convert', sharedFile('SMSSpamCollection.tsv'), '--to', 'alpaca');
    expect(refused.code).toBe(1);
    expect(refused.out).toBe('');
    expect(refused.err).toContain('5574 problems; nothing written');
  });

  it('round-trips Alpaca → ShareGPT → Alpaca', async () => {
    const sharegpt = join(dir, 'sharegpt.json');
    expect((await run('convert', sharedFile('instruction-data.json'), '--to', 'sharegpt', '--out', sharegpt)).code).toBe(0);
    const back = await run('convert', sharegpt, '--to', 'alpaca');
    expect(back.code).toBe(0);
    const original = JSON.parse(await readFile(sharedFile('instruction-data.json'), 'utf8'));
    const roundTripped = JSON.parse(back.out);
    // Lossless except the input, which ShareGPT cannot hold apart (merged with a newline).
    expect(roundTripped.map((r: { output: string }) => r.output)).toEqual(original.map((r: { output: string }) => r.output));
    expect(roundTripped[0].instruction).toBe(`${original[0].instruction}\n${original[0].input}`);
  });
});

describe('render', () => {
  it('prints the text with trainable parts marked', async () => {
    const { code, out } = await run('render', sharedFile('instruction-data.json'), '--template', 'alpaca-llms-from-scratch', '--limit', '1');
    expect(code).toBe(0);
    expect(out).toBe(
      `──── record 0 (${sharedFile('instruction-data.json')}:2) ────\n` +
        'Below is an instruction that describes a task. Write a response that appropriately completes the request.\n\n' +
        '### Instruction:\nEvaluate the following phrase by transforming it into the spelling given.\n\n' +
        '### Input:\nfreind --> friend\n\n### Response:\n' +
        '⟦The spelling of the given phrase "freind" is incorrect, the correct spelling is "friend".<|endoftext|>⟧\n',
    );
  });

  it('prints segments as JSON lines, with a chat template from a tokenizer_config.json', async () => {
    const config = join(dir, 'tokenizer_config.json');
    await writeFile(
      config,
      JSON.stringify({
        eos_token: '<|im_end|>',
        chat_template: "{% for m in messages %}{{'<|im_start|>' + m['role'] + '\\n' + m['content'] + '<|im_end|>\\n'}}{% endfor %}{% if add_generation_prompt %}{{'<|im_start|>assistant\\n'}}{% endif %}",
      }),
    );
    const { code, out } = await run('render', sharedFile('instruction-data.json'), '--chat-template', config, '--start', '2', '--limit', '1', '--json');
    expect(code).toBe(0);
    const line = JSON.parse(out);
    expect(line.index).toBe(2);
    // Every EOS occurrence gets its own special segment, in prompts too.
    expect(line.segments).toEqual([
      { text: '<|im_start|>user\nConvert 45 kilometers to meters.', trainable: false },
      { text: '<|im_end|>', trainable: false, special: true },
      { text: '\n<|im_start|>assistant\n', trainable: false },
      { text: '45 kilometers is 45000 meters.', trainable: true },
      { text: '<|im_end|>', trainable: true, special: true },
      { text: '\n', trainable: true },
    ]);
  });

  it('exits 1 listing records a template cannot render', async () => {
    const file = join(dir, 'with-system.jsonl');
    await writeFile(file, '{"instruction": "a", "output": "b"}\n{"instruction": "c", "output": "d", "system": "S"}\n');
    const { code, out, err } = await run('render', file, '--template', 'chatglm2');
    expect(code).toBe(1);
    expect(out).toContain('[Round 1]\n\n问：a\n\n答：⟦b<|endoftext|>⟧');
    expect(err).toContain(`${file}:2: template "chatglm2" has no system prompt in its source`);
  });
});

describe('usage', () => {
  it('exits 2 with a clear message for bad usage', async () => {
    const unknownTemplate = await run('render', sharedFile('instruction-data.json'), '--template', 'gpt-5');
    expect(unknownTemplate.code).toBe(2);
    expect(unknownTemplate.err).toContain('unknown template "gpt-5"; known templates: alpaca,');
    expect((await run('validate', join(dir, 'missing.json'))).err).toContain('cannot read');
    expect((await run('validate', join(dir, 'missing.json'))).code).toBe(2);
    expect((await run('validate', sharedFile('instruction-data.json'), '--bogus')).err).toContain('unknown option --bogus');
    expect((await run('frobnicate')).code).toBe(2);
    expect((await run()).code).toBe(2);
    expect((await run('convert', sharedFile('instruction-data.json'))).err).toContain('missing --to KIND');
    expect((await run('convert', sharedFile('instruction-data.json'), '--to', 'csv')).err).toContain('--to must be one of alpaca, sharegpt');
  });

  it('prints help and the template list with exit 0', async () => {
    const help = await run('--help');
    expect([help.code, help.out.startsWith('Usage: tunekit-formats')]).toEqual([0, true]);
    const templates = await run('templates');
    expect(templates.code).toBe(0);
    expect(templates.out).toContain('chatglm2');
    expect(templates.out).toContain('source: tatsu-lab/stanford_alpaca');
  });
});

describe('the executable', () => {
  it('sets the process exit code (spawned through tsx)', async () => {
    const cli = fileURLToPath(new URL('../cli.ts', import.meta.url));
    const exec = promisify(execFile);
    const ok = await exec(process.execPath, ['--import', 'tsx', cli, 'templates'], { cwd: REPO_ROOT });
    expect(ok.stdout).toContain('llama-2');
    const bad = await exec(process.execPath, ['--import', 'tsx', cli, 'render', sharedFile('instruction-data.json')], { cwd: REPO_ROOT }).catch((e: { code: number; stderr: string }) => e);
    expect((bad as { code: number }).code).toBe(2);
    expect((bad as { stderr: string }).stderr).toContain('missing --template NAME');
  });
});
