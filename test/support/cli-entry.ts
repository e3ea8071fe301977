// `ccmon` from the sources, as bin/ccmon.js runs the build: for tests that run the CLI as a user does.
import { main } from '../../src/cli/main.js';

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(`ccmon: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 1;
  },
);
