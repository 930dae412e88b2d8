/** `tunekit-formats templates`. @module */
import { stopStrings } from '../../templates/render.js';
import { TEMPLATES } from '../../templates/registry.js';
import { parseArgs } from '../args.js';
import { EXIT, type CliIo } from '../io.js';

/** The help of `templates`. */
export const TEMPLATES_HELP = `Usage: tunekit-formats templates

Lists the built-in templates with the source each follows and its stop strings.
`;

/** Lists the built-in templates with their sources and stop strings. */
export async function templatesCommand(argv: readonly string[], io: CliIo): Promise<number> {
  parseArgs(argv, [], []);
  for (const t of Object.values(TEMPLATES)) {
    io.out(`${t.name.padEnd(26)} ${t.title}\n${' '.repeat(27)}source: ${t.source}\n${' '.repeat(27)}stop: ${JSON.stringify(stopStrings(t))}\n`);
  }
  return EXIT.ok;
}
