/**
 * The `tunekit-formats` executable: runs {@link main} on the process
 * arguments and exits with its code.
 * @module
 */
import { main } from './cli/main.js';

// A closed pipe (`tunekit-formats render … | head`) is the reader's choice, not a failure.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw error;
});

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(error);
    process.exitCode = 70; // an internal error, not bad data or bad usage
  },
);
