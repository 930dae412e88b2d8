/** Locating the repository, for default output and data folders. */
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The folder holding `pnpm-workspace.yaml` above this file, or undefined outside the repository. */
export function repositoryRoot(start = dirname(fileURLToPath(import.meta.url))): string | undefined {
  for (let folder = resolve(start); ; folder = dirname(folder)) {
    if (existsSync(join(folder, 'pnpm-workspace.yaml'))) return folder;
    if (dirname(folder) === folder) return undefined;
  }
}

/** `out/<name>` in the repository (git-ignored), else in the working directory. */
export function defaultOutputDirectory(name: string): string {
  return join(repositoryRoot() ?? process.cwd(), 'out', name);
}
