// `cc-helper askpass`: an askpass program for IDEs and GUI clients. git runs an askpass program
// directly (not through a shell) with the prompt as its only argument and reads the answer from
// its stdout, so `cc-helper askpass PROMPT` answers, asking on the terminal or with the desktop's
// dialog (never another askpass program: it is one). Without a prompt it writes a one-line sh
// script that starts it by absolute paths, for GIT_ASKPASS, core.askPass or an IDE's setting.
import { join } from 'node:path';
import { createAsk } from '../prompt/ask.js';
import { writeFileAtomically } from '../setup/atomic-write.js';
import { CC_HELPER_SCRIPT, shellPath, shellQuote } from '../setup/helper-line.js';
import { ccHelperConfigDir } from '../support/config-dir.js';
import { UsageError } from '../support/errors.js';
import type { CommandSpec } from './args.js';
import type { CliCommand } from './command.js';
import { chmod } from 'node:fs/promises';

const spec: CommandSpec = {
  name: 'askpass',
  summary: 'an askpass program for IDEs and GUI clients (terminal or the desktop\'s dialog)',
  args: { min: 0, max: 1, label: 'the prompt' },
  usage: `usage: cc-helper askpass PROMPT
       cc-helper askpass

With a PROMPT: ask a person (the terminal, or the desktop's dialog: zenity, kdialog, osascript,
PowerShell) and print the answer on stdout, as git expects of an askpass program.
Without: write ~/.config/cc-helper/askpass, a script that starts this by absolute paths (no PATH
needed), and print how to point git (core.askPass) or an IDE (GIT_ASKPASS) at it.

examples:
  cc-helper askpass
  cc-helper askpass 'MFA code: '

exit status: 0 answered or written; 1 no one could be asked; 2 bad usage
`,
};

export const command: CliCommand = {
  spec,
  run: (parsed, context) => runAskpassCommand(parsed.rest, context),
};

/** Prompts that ask for a secret get a hidden field. */
const SECRET = /pass(word|phrase)?|secret|token/i;

export async function runAskpassCommand(rest: readonly string[], io: { stdout: (s: string) => void; env: NodeJS.ProcessEnv }): Promise<number> {
  if (rest.length > 1) throw new UsageError('askpass takes one argument, the prompt (quote it)');
  const prompt = rest[0];
  if (prompt !== undefined) {
    const ask = createAsk({ env: io.env, hidden: SECRET.test(prompt), skipAskpass: true, fallbackHint: 'run git from a terminal' });
    io.stdout(`${await ask(prompt)}\n`);
    return 0;
  }
  const file = join(ccHelperConfigDir(io.env), 'askpass');
  await writeFileAtomically(file, `#!/bin/sh\nexec ${shellQuote(shellPath(process.execPath))} ${shellQuote(shellPath(CC_HELPER_SCRIPT))} askpass "$@"\n`);
  await chmod(file, 0o755);
  io.stdout(
    `cc-helper askpass: wrote ${file}\n` +
      `  git:   git config --global core.askPass ${shellQuote(file)}\n` +
      `  IDEs:  set GIT_ASKPASS=${shellQuote(file)} in the environment the IDE starts git with\n` +
      `  (run this again after Node or cc-helper moved)\n`,
  );
  return 0;
}
