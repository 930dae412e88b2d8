/** Where the CLI writes, so tests can capture it. @module */

/** The CLI's outputs. */
export interface CliIo {
  /** Writes to standard output. */
  out(text: string): void;
  /** Writes to standard error. */
  err(text: string): void;
}

/** The process's streams. */
export const processIo: CliIo = {
  out: (text) => void process.stdout.write(text),
  err: (text) => void process.stderr.write(text),
};

/** The CLI's exit codes. */
export const EXIT = {
  /** Everything was fine. */
  ok: 0,
  /** The data has problems (bad records, failed conversions or renderings). */
  dataErrors: 1,
  /** Bad usage: unknown command or option, unknown template, unreadable file. */
  usage: 2,
} as const;
