// The entry: parses argv, runs one command, and is the only place that sets the exit status.
// Each command module is imported only when chosen, so `get` loads nothing it does not use.
import { flag, lastOption, parseArgs, type ParsedArgs } from './args.js';
import { oneLine, reportUserError, UsageError, UserError } from '../support/errors.js';
import { createTrace, debugRequested, type Trace } from '../support/trace.js';
import type { CommandIo } from './vault-command.js';

// Every option any command takes (the commands check which apply to them). Kept here as plain
// names so that parsing argv for `get` loads no other command's module.
const VALUED = new Set([
  'profile',
  'dir', 'remote-url', // setup
  'backend', 'role-arn', 'external-id', 'mfa-serial', 'duration', 'region', 'source-profile', 'max-key-age-days', // vault
  'account', // helper (pinning) and setup
  'credentials', // helper: `--credentials ambient` (CI and cloud workloads)
  'repo', // doctor
]);
const KNOWN = new Set([
  ...VALUED, 'allow-default', 'debug', 'help', 'h', 'version',
  'local', 'dry-run', 'replace-aws-cli', 'remove', 'list', 'all', 'ambient', // setup
  'force', // session start
  'online', 'json', // doctor
  'undo', // migrate
]);

export async function main(argv: readonly string[]): Promise<number> {
  let parsed: ParsedArgs;
  try {
    parsed = parseArgs(argv, { valued: VALUED, known: KNOWN });
  } catch (error) {
    return report(error);
  }
  if (flag(parsed, 'help') || flag(parsed, 'h') || parsed.command === 'help') {
    const { USAGE } = await import('./usage.js');
    process.stdout.write(USAGE);
    return 0;
  }
  if (flag(parsed, 'version')) {
    const { readFileSync } = await import('node:fs');
    const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string };
    process.stdout.write(`cc-helper ${pkg.version}\n`);
    return 0;
  }
  const trace = createTrace(flag(parsed, 'debug') || debugRequested(process.env));
  try {
    switch (parsed.command) {
      case 'get': {
        const [{ readCredentialBytes }, { answerGet }, { writeAnswer }] = await Promise.all([
          import('../git/read-request.js'),
          import('../helper/get.js'),
          import('../git/write-answer.js'),
        ]);
        const input = await readCredentialBytes();
        trace('read the request from git');
        const answer = await answerGet({
          input,
          profileFlag: lastOption(parsed, 'profile'),
          allowDefault: flag(parsed, 'allow-default'),
          account: lastOption(parsed, 'account'),
          credentials: lastOption(parsed, 'credentials'),
          env: process.env,
          now: () => new Date(),
          trace,
          warn: (line) => process.stderr.write(`cc-helper: ${oneLine(line)}\n`),
        });
        writeAnswer(answer);
        trace('answered');
        return 0;
      }
      case 'store':
      case 'erase': {
        // Nothing is ever stored: passwords are computed fresh. Read the request so git's
        // write never meets a closed pipe.
        const { readCredentialInput } = await import('../git/read-request.js');
        await readCredentialInput();
        return 0;
      }
      case 'setup': {
        const { runSetup } = await import('./setup-command.js');
        const io = { stdout: (t: string) => void process.stdout.write(t), stderr: (t: string) => void process.stderr.write(t) };
        return await runSetup(parsed, { ...io, env: process.env, cwd: process.cwd() });
      }
      case 'migrate': {
        const { runMigrate } = await import('./migrate-command.js');
        const io = { stdout: (t: string) => void process.stdout.write(t), stderr: (t: string) => void process.stderr.write(t) };
        return await runMigrate(parsed, { ...io, env: process.env, cwd: process.cwd() });
      }
      case 'doctor': {
        const { runDoctor } = await import('./doctor-command.js');
        const io = { stdout: (t: string) => void process.stdout.write(t), stderr: (t: string) => void process.stderr.write(t) };
        return await runDoctor(parsed, { ...io, env: process.env, cwd: process.cwd(), now: () => new Date(), trace });
      }
      case 'askpass': {
        const { runAskpassCommand } = await import('./askpass-command.js');
        return await runAskpassCommand(parsed.rest, { stdout: (t) => void process.stdout.write(t), env: process.env });
      }
      case 'vault':
      case 'session': {
        const io = await commandIo(trace);
        if (parsed.command === 'vault') return await (await import('./vault-command.js')).runVault(parsed, io);
        return await (await import('./session-command.js')).runSession(parsed, io);
      }
      case undefined:
        throw new UsageError('no command given: see `cc-helper --help`');
      default:
        throw new UsageError(`unknown command "${parsed.command.slice(0, 40)}": see \`cc-helper --help\``);
    }
  } catch (error) {
    return report(error);
  }
}

async function commandIo(trace: Trace): Promise<CommandIo> {
  const { readFileSync } = await import('node:fs');
  return {
    stdout: (text) => void process.stdout.write(text),
    env: process.env,
    trace,
    now: () => new Date(),
    readStdin: async () => readFileSync(0, 'utf8'),
    stdinIsTerminal: process.stdin.isTTY === true,
  };
}

function report(error: unknown): number {
  if (error instanceof UserError) return reportUserError(error, (text) => process.stderr.write(text));
  // A bug: say so in one line; the stack only with --debug, since it cannot hold secrets but
  // is noise on every git command.
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`cc-helper: internal error: ${oneLine(message)} (rerun with CC_HELPER_DEBUG=1 and report it)\n`);
  if (debugRequested(process.env) && error instanceof Error && error.stack) process.stderr.write(error.stack + '\n');
  return 70;
}
