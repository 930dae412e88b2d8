/** The report as text for people. @module */
import type { Distribution } from './distribution.js';
import type { ValidationReport } from './validation-report.js';
import { formatReadErrors } from '../read/read-error.js';

const round = (n: number) => (Number.isInteger(n) ? String(n) : n.toFixed(2));

function line(name: string, d: Distribution): string {
  return `  ${name.padEnd(30)} min ${round(d.min)}, max ${round(d.max)}, mean ${round(d.mean)}, median ${round(d.median)}, p10 ${round(d.p10)}, p90 ${round(d.p90)}`;
}

/** Formats a {@link ValidationReport} the way the CLI prints it. */
export function formatReport(report: ValidationReport): string {
  const out: string[] = [];
  out.push(`${report.file}: ${report.records} records (${report.kind ?? 'unknown kind'}), ${report.examples} valid`);
  if (report.errors.length > 0) {
    const counts = Object.entries(report.errorCounts).map(([code, n]) => `${code}: ${n}`).join(', ');
    out.push(`\nErrors (${report.errors.length}; ${counts}):`, formatReadErrors(report.errors));
  } else {
    out.push('No errors found');
  }
  out.push(
    '\nWarnings:',
    `  examples missing a system message: ${report.warnings.missingSystem}`,
    `  examples missing a user message: ${report.warnings.missingUser}`,
  );
  if (report.untrainable.length > 0) {
    out.push(`  records tunekit cannot train on as they are (${report.untrainable.length}; errors with --strict):`);
    out.push(...formatReadErrors(report.untrainable).split('\n').map((l) => `    ${l}`));
  }
  if (report.labels) out.push(`  labels: ${Object.entries(report.labels).map(([k, n]) => `${k} ${n}`).join(', ')}`);
  const exact = report.tokenizer.exact ? '' : ' (ESTIMATE)';
  out.push(
    `\nDistributions (tokens: ${report.tokenizer.name}${exact}, ${report.tokenizer.method === 'template' ? 'rendered template' : 'cookbook per-message count'}):`,
    line('messages per example', report.messages),
    line('total tokens per example', report.totalTokens),
    line('trainable tokens per example', report.trainableTokens),
  );
  const { overLength, budget } = report;
  out.push(`\n${overLength.count} examples over the ${overLength.contextLength}-token context (they will be truncated)`);
  for (const e of overLength.examples.slice(0, 20)) out.push(`  record ${e.index} (line ${e.line}): ${e.tokens} tokens`);
  if (overLength.count > 20) out.push(`  … and ${overLength.count - 20} more`);
  out.push(
    `\nBudget: ~${budget.tokensPerEpoch} tokens per epoch (each example capped at ${overLength.contextLength});`,
    `  default ${budget.epochs} epochs → ~${budget.totalTokens} tokens in total`,
  );
  return out.join('\n');
}
