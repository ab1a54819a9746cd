// A temporary HOME for `cc-helper setup` tests: real git, hermetic environment (git-env.ts),
// an AWS credentials file whose profiles have static test keys (so the username git gets back
// names the profile that signed), and runSetup called in-process with that environment.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ExecutionContext } from 'ava';
import { parseCommand } from '../../src/cli/args.js';
import { command, runSetup } from '../../src/cli/setup-command.js';
import { exitStatusOf } from '../../src/support/errors.js';
import { makeHermeticGitEnv, runGit, type Env } from '../../standins/git-env.js';

/** Profile name -> access key id; a signed answer's username is the key id. */
export const PROFILES: Record<string, string> = {
  CodeCommitProfile: 'AKIAGLOBALEXAMPLE',
  AcmeCode: 'AKIAACMEEXAMPLE',
  GlobexCode: 'AKIAGLOBEXEXAMPLE',
  Legacy: 'AKIALEGACYEXAMPLE',
  'client.acme': 'AKIADOTTEDEXAMPLE',
};

export interface SetupHome {
  home: string;
  env: Env;
  gitconfig: string;
  ownedDir: string;
  /** runSetup in-process: argv after `cc-helper`, e.g. ['setup', '--profile', 'X']. */
  setup(argv: string[], cwd?: string): Promise<{ code: number; stdout: string; stderr: string }>;
  /** `git credential fill` for a URL, from `cwd`: the username git got, or undefined. */
  fill(url: string, cwd?: string): Promise<{ username?: string; stdout: string; stderr: string; code: number | null }>;
  git(args: string[], cwd?: string, input?: string): ReturnType<typeof runGit>;
  /** `git init` a repository at home-relative `path`; returns its absolute path. */
  repo(path: string, remote?: string): Promise<string>;
}

export async function makeSetupHome(t: ExecutionContext, extra: Env = {}): Promise<SetupHome> {
  const credentials = Object.entries(PROFILES)
    .map(([name, key]) => `[${name}]\naws_access_key_id = ${key}\naws_secret_access_key = wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY\n`)
    .join('\n');
  const h = await makeHermeticGitEnv({ extra });
  t.teardown(h.cleanup);
  await mkdir(join(h.home, '.aws'));
  await writeFile(join(h.home, '.aws', 'credentials'), credentials, { mode: 0o600 });
  await writeFile(join(h.home, '.aws', 'config'), '');
  const env: Env = {
    ...h.env,
    AWS_SHARED_CREDENTIALS_FILE: join(h.home, '.aws', 'credentials'),
    AWS_CONFIG_FILE: join(h.home, '.aws', 'config'),
    ...extra,
  };
  for (const [k, v] of Object.entries(env)) if (v === undefined) delete env[k];
  const self: SetupHome = {
    home: h.home,
    env,
    gitconfig: env.GIT_CONFIG_GLOBAL ?? join(h.home, '.gitconfig'),
    ownedDir: join(h.home, '.config', 'cc-helper', 'git'),
    async setup(argv, cwd = h.home) {
      let stdout = '';
      let stderr = '';
      const io = { stdout: (s: string) => void (stdout += s), stderr: (s: string) => void (stderr += s), env: env as NodeJS.ProcessEnv, cwd };
      // Checked as the CLI entry checks it: a usage error is its stderr line and exit status 2.
      const code = await exitStatusOf(() => runSetup(parseCommand(argv, argv.indexOf('setup'), 'setup', command.spec), io), io.stderr);
      return { code, stdout, stderr };
    },
    async fill(url, cwd = h.home) {
      const u = new URL(url);
      const input = `protocol=${u.protocol.replace(':', '')}\nhost=${u.host}\npath=${u.pathname.slice(1)}\n\n`;
      const r = await runGit(['credential', 'fill'], { cwd, env, input, timeoutMs: 20_000 });
      const username = /^username=(.*)$/m.exec(r.stdout)?.[1];
      return username === undefined ? { ...r } : { ...r, username };
    },
    git(args, cwd = h.home, input) {
      return runGit(args, input === undefined ? { cwd, env } : { cwd, env, input });
    },
    async repo(path, remote) {
      const dir = join(h.home, path);
      await mkdir(dir, { recursive: true });
      const r = await runGit(['init', '-q', dir], { cwd: h.home, env });
      if (r.code !== 0) throw new Error(r.stderr);
      if (remote) await runGit(['remote', 'add', 'origin', remote], { cwd: dir, env });
      return dir;
    },
  };
  return self;
}
