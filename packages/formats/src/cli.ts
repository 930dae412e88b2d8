/**
 * The `tunekit-formats` executable: runs {@link main} on the process
 * arguments and exits with its code.
 * @module
 */
import { main } from './cli/main.js';

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(error);
    process.exitCode = 70; // an internal error, not bad data or bad usage
  },
);
