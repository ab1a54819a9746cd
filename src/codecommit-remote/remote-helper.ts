// `git-remote-codecommit <remote> <url>`: what git runs for a codecommit:: or codecommit:// remote.
// It turns the URL into the plain https URL and hands the whole transport to git's own
// `git remote-https`, with cc-helper as the credential helper for that one run
// (transport-env.ts), so signing takes the normal helper path: the same profile rules, the same
// refusal of [default], the same files. Its injected line wins over the mappings git applies
// in the repository, so it carries their pin and the one setup gave the profile
// (setup/mapping-pins.ts), found through git's own config under any XDG_CONFIG_HOME. It loads
// no AWS SDK: git starts it for every fetch and push.
import { spawn } from 'node:child_process';
import { CC_HELPER_SCRIPT, helperLine } from '../setup/helper-line.js';
import { oneLine, UserError } from '../support/errors.js';
import { redactText } from '../support/redact.js';
import { resolveGrcTarget } from './remote-target.js';
import { parseGrcUrl } from './codecommit-url.js';
import { pinForRepositoryLine } from '../setup/mapping-pins.js';
import { givenConfigCount, transportEnv } from './transport-env.js';

export interface RemoteHelperIo {
  env: NodeJS.ProcessEnv;
  stderr: (text: string) => void;
}

/** Resolves with the exit status (that of `git remote-https`, once it has run). */
export async function runRemoteHelper(argv: readonly string[], io: RemoteHelperIo): Promise<number> {
  let child: { args: string[]; env: NodeJS.ProcessEnv };
  try {
    child = await transportCommand(argv, io.env, process.cwd());
  } catch (error) {
    if (!(error instanceof UserError)) throw error;
    io.stderr(`git-remote-codecommit (cc-helper): ${redactText(oneLine(error.message))}\n`);
    return 1;
  }
  return runInherited('git', child.args, child.env);
}

/** The `git remote-https` command line and environment for git's arguments; throws UserError. */
export async function transportCommand(argv: readonly string[], env: NodeJS.ProcessEnv, cwd: string): Promise<{ args: string[]; env: NodeJS.ProcessEnv }> {
  // GRC's own checks and words.
  if (argv.length < 2) throw new UserError('Too few arguments. This hook requires the git command and remote.');
  if (argv.length > 2) throw new UserError('Too many arguments. Hook only accepts the git command and remote.');
  const [remote, url] = argv as [string, string];
  if (remote === '' || remote.startsWith('-') || /[\0-\x1f\x7f]/.test(remote)) {
    throw new UserError(`the remote name ${JSON.stringify(remote.slice(0, 40))} is empty, starts with "-" or holds control characters: rename the remote`);
  }
  const target = resolveGrcTarget(parseGrcUrl(url), env);
  givenConfigCount(env); // before git reads the configuration with it
  const pin = await pinForRepositoryLine(target.profile, target.httpsUrl, { env, cwd });
  const helper = helperLine(target.profile, { node: process.execPath, script: CC_HELPER_SCRIPT }, { account: pin?.account });
  return { args: ['remote-https', remote, target.httpsUrl], env: transportEnv(env, target.host, helper) };
}

/** Runs the command on this process's stdin/stdout/stderr (git's pipes) and passes on its exit. */
function runInherited(command: string, args: string[], env: NodeJS.ProcessEnv): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { stdio: 'inherit', env });
    // git may stop its remote helper; the transport must stop with it.
    const forward = (signal: NodeJS.Signals) => () => child.kill(signal);
    const signals: NodeJS.Signals[] = ['SIGTERM', 'SIGHUP', 'SIGINT'];
    const handlers = signals.map((s) => [s, forward(s)] as const);
    for (const [s, h] of handlers) process.on(s, h);
    child.once('error', (error) => {
      process.stderr.write(`git-remote-codecommit (cc-helper): cannot run git remote-https: ${oneLine(error.message)}\n`);
      resolve(128);
    });
    child.once('exit', (code, signal) => {
      for (const [s, h] of handlers) process.off(s, h);
      resolve(code ?? (signal === 'SIGINT' ? 130 : signal === 'SIGTERM' ? 143 : 129));
    });
  });
}
