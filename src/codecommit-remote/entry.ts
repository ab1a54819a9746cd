// The entry bundled into dist/src/cli/git-remote-codecommit.cjs (scripts/bundle.ts), which
// bin/git-remote-codecommit.js loads. The only place that sets this bin's exit status.
import { oneLine } from '../support/errors.js';
import { runRemoteHelper } from './remote-helper.js';

runRemoteHelper(process.argv.slice(2), { env: process.env, stderr: (text) => void process.stderr.write(text) }).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`git-remote-codecommit (cc-helper): internal error: ${oneLine(error instanceof Error ? error.message : String(error))}\n`);
    process.exitCode = 70;
  },
);
