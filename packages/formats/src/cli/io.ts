/** Where the CLI reads and writes, so tests can capture it. @module */

/** The CLI's inputs and outputs. */
export interface CliIo {
  /** Writes to standard output. */
  out(text: string): void;
  /** Writes to standard error. */
  err(text: string): void;
  /** Standard input, read when FILE is `-`; absent means no standard input is available. */
  stdin?: AsyncIterable<Uint8Array>;
}

/** The process's streams. */
export const processIo: CliIo = {
  out: (text) => void process.stdout.write(text),
  err: (text) => void process.stderr.write(text),
  stdin: process.stdin,
};

/** The CLI's exit codes. */
export const EXIT = {
  /** Everything was fine. */
  ok: 0,
  /** The data has problems (bad records, failed conversions or renderings). */
  dataErrors: 1,
  /** Bad usage: unknown command or option, unknown template, unreadable file or folder. */
  usage: 2,
} as const;
