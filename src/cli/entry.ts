// The process entry of `cc-helper` (and `git-credential-codecommit`): runs the CLI and sets the exit
// status, the only thing it does. scripts/bundle.ts bundles from here (src/cli/bundle-plan.ts names
// it), and bin/cc-helper.js runs the bundle.
import { main } from './main.js';

main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
