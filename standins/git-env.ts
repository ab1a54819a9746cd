// A hermetic environment for running real git (and the credential helper under test) in tests.
//
// Anything inherited from the developer's machine can change what git does: a global
// credential helper, a proxy, AWS_PROFILE, GIT_SSL_NO_VERIFY... So we start from the parent
// environment minus every GIT_*, AWS_* and proxy variable, and point HOME at a fresh temp dir.
import { spawn } from 'node:child_process';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export type Env = Record<string, string | undefined>;

// Variables that are not GIT_* / AWS_* but still steer curl, git or the AWS SDK.
const LEAKY = new Set([
  'http_proxy', 'HTTP_PROXY', 'https_proxy', 'HTTPS_PROXY', 'all_proxy', 'ALL_PROXY', 'no_proxy', 'NO_PROXY',
  'SSH_ASKPASS', 'CURL_CA_BUNDLE', 'SSL_CERT_FILE', 'SSL_CERT_DIR', 'EMAIL', 'XDG_CONFIG_HOME', 'XDG_CONFIG_DIRS',
]);

/** A copy of `base` without any variable that could leak the developer's setup into a test. */
export function scrubbedEnv(base: Env = process.env): Env {
  const env: Env = {};
  for (const [name, value] of Object.entries(base)) {
    if (value === undefined) continue;
    if (name.startsWith('GIT_') || name.startsWith('AWS_') || LEAKY.has(name)) continue;
    env[name] = value;
  }
  return env;
}

export interface HermeticGitEnv {
  /** The temporary HOME (also holds `.gitconfig`, `.config/` and, if a test writes it, `.aws/`). */
  home: string;
  /** Full environment for child processes; pass it as `env` (it is not merged with process.env). */
  env: Env;
  /** Removes the temporary HOME. */
  cleanup(): Promise<void>;
}

export async function makeHermeticGitEnv(options: {
  /** CA file for the loopback HTTPS stand-in (sets GIT_SSL_CAINFO). */
  caCertPath?: string;
  /** Extra variables, applied last (an `undefined` value removes a variable). */
  extra?: Env;
} = {}): Promise<HermeticGitEnv> {
  const home = await mkdtemp(join(tmpdir(), 'cc-helper-home-'));
  const gitconfig = join(home, '.gitconfig');
  await mkdir(join(home, '.config'), { recursive: true });
  // An empty global config file: git reads it, tests (and `cc-helper setup`) may write it.
  await writeFile(gitconfig, '');

  const env: Env = {
    ...scrubbedEnv(),
    HOME: home,
    XDG_CONFIG_HOME: join(home, '.config'),
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_CONFIG_GLOBAL: gitconfig,
    // Never block on a prompt: a missing credential must fail fast, not hang the suite.
    GIT_TERMINAL_PROMPT: '0',
    // English messages, so tests can match git's stderr.
    LC_ALL: 'C',
    LANGUAGE: undefined,
    GIT_AUTHOR_NAME: 'Test Author',
    GIT_AUTHOR_EMAIL: 'author@example.com',
    GIT_COMMITTER_NAME: 'Test Committer',
    GIT_COMMITTER_EMAIL: 'committer@example.com',
    // The AWS SDK would otherwise probe the EC2 metadata service (slow timeouts) off-EC2.
    AWS_EC2_METADATA_DISABLED: 'true',
  };
  if (options.caCertPath) env.GIT_SSL_CAINFO = options.caCertPath;
  for (const [name, value] of Object.entries({ ...options.extra })) env[name] = value;
  // No undefined values: callers may spread this env into others or hand it to any API.
  for (const [name, value] of Object.entries(env)) if (value === undefined) delete env[name];
  return {
    home,
    env,
    cleanup: () => rm(home, { recursive: true, force: true }),
  };
}

export interface RunResult {
  /** Exit code, or null when the process was killed by a signal (see `signal`). */
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Runs a program without a shell; never rejects on a non-zero exit (only if it cannot start). */
export function run(
  command: string,
  args: readonly string[],
  options: { cwd?: string; env?: Env; input?: string | Buffer; timeoutMs?: number } = {},
): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: (options.env ?? process.env) as NodeJS.ProcessEnv,
      stdio: ['pipe', 'pipe', 'pipe'],
      timeout: options.timeoutMs ?? 60_000,
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (c: Buffer) => out.push(c));
    child.stderr.on('data', (c: Buffer) => err.push(c));
    child.stdin.on('error', () => {}); // the program may exit without reading its input
    child.once('error', reject);
    child.once('close', (code, signal) =>
      resolve({ code, signal, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') }),
    );
    child.stdin.end(options.input ?? '');
  });
}

/** `git <args>`; never rejects on a non-zero exit status. */
export function runGit(
  args: readonly string[],
  options: { cwd?: string; env?: Env; input?: string | Buffer; timeoutMs?: number } = {},
): Promise<RunResult> {
  return run('git', args, options);
}
