#!/usr/bin/env node
// Peak memory of `tunekit-formats validate` on a generated JSONL file of a
// few hundred MB: the number issue 16 measured (600 MiB for 300 MB before
// validation streamed). Too slow for the test suite; validate-memory.test.ts
// is its small, always-run counterpart.
//
//   node packages/formats/scripts/validate-memory-bench.mjs [MB=300] [CLI=packages/formats/dist/cli.js] [-- validate options]
import { spawnSync } from 'node:child_process';
import { createWriteStream, existsSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { finished } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';

const [mb = '300', cli = fileURLToPath(new URL('../dist/cli.js', import.meta.url)), ...rest] = process.argv.slice(2);
const extra = rest[0] === '--' ? rest.slice(1) : rest;
const file = join(tmpdir(), `tunekit-validate-bench-${mb}MB.jsonl`);

if (!existsSync(file)) {
  // OpenAI chat records of about 1.5 KB, each different, like a real chat data set.
  const out = createWriteStream(file);
  const words = ['data', 'model', 'answer', 'question', 'token', 'train', 'banana', 'golf', 'happy', 'spin'];
  for (let i = 0, bytes = 0; bytes < Number(mb) * 1e6; i++) {
    const text = Array.from({ length: 220 }, (_, j) => words[(i * 7 + j * 3) % words.length]).join(' ');
    const line = `${JSON.stringify({ messages: [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: `Question ${i}: ${text.slice(0, 200)}` }, { role: 'assistant', content: `${i} ${text}` }] })}\n`;
    bytes += line.length;
    if (!out.write(line)) await new Promise((resolve) => out.once('drain', resolve));
  }
  out.end();
  await finished(out);
}

const started = Date.now();
// GNU time reports the child's peak resident set size in KiB.
const run = spawnSync('/usr/bin/time', ['-f', '%M', process.execPath, cli, 'validate', file, '--json', ...extra], { encoding: 'utf8', maxBuffer: 1 << 30 });
const peakKiB = Number(run.stderr.trim().split('\n').at(-1));
let summary = run.stdout.slice(0, 200);
try {
  const report = JSON.parse(run.stdout);
  summary = `${report.records} records, ${report.errors.length} errors, tokens: ${report.tokenizer.name}`;
} catch {
  // Not JSON: an old CLI or a crash; the start of the output says which.
}
console.log(JSON.stringify({ file, fileMB: statSync(file).size / 1e6, cli, exit: run.status, seconds: (Date.now() - started) / 1000, peakRssMiB: Math.round(peakKiB / 1024), summary }));
