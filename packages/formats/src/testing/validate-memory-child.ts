/**
 * Test support, run as a child process: validates a generated OpenAI JSONL
 * stream of `RECORDS` records with an answer of `KIB` KiB each, never held
 * in memory as a whole, and prints the report's counts and the peak RSS as
 * JSON. `validate-memory.test.ts` runs it under a small heap limit.
 * @module
 */
import { ESTIMATED_TOKEN_COUNTER } from '../validate/token-counter.js';
import { validateSource } from '../validate/validate-source.js';

const [records, kib] = process.argv.slice(2).map(Number) as [number, number];

/** One JSONL line per chunk, each with a distinct answer so nothing can be shared. */
function* lines(): Generator<string> {
  const filler = 'x'.repeat(kib * 1024);
  for (let i = 0; i < records; i++) {
    yield `${JSON.stringify({ messages: [{ role: 'user', content: `question ${i}` }, { role: 'assistant', content: `${i} ${filler}` }] })}\n`;
  }
}

const report = await validateSource(lines(), { file: 'generated.jsonl', counter: ESTIMATED_TOKEN_COUNTER });
const inputMiB = (records * kib) / 1024;
console.log(JSON.stringify({ records: report.records, examples: report.examples, errors: report.errors.length, inputMiB, maxRssMiB: process.resourceUsage().maxRSS / 1024 }));
