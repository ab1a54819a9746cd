// One ready-made world for end-to-end runs (tests and `npm run demo`): the CodeCommit stand-in,
// the CONNECT proxy that lets git use the real portless URL, a throwaway HOME whose git config
// routes CodeCommit URLs through proxy and helper, and an AWS credentials file with a named
// profile and a canary [default].
import { mkdir, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { startCodeCommitStandIn, type AcceptedKey, type CodeCommitStandIn } from './codecommit-standin.js';
import { routeHostsTo, startConnectProxy, type ConnectProxy } from './connect-proxy.js';
import { makeHermeticGitEnv, runGit, type Env, type HermeticGitEnv, type RunResult } from './git-env.js';
import { PACKAGE_ROOT } from './helper-process.js';

export const PROFILE_KEY: AcceptedKey = {
  accessKeyId: 'AKIACODECOMMITDEMO01',
  secretAccessKey: 'cOdEcOmMiT/dEmO+sEcReT=0000000000000000',
};
/** What a honeypot [default] looks like: valid-looking keys that must never be used. */
export const CANARY_KEY: AcceptedKey = {
  accessKeyId: 'AKIACANARYDEFAULT001',
  secretAccessKey: 'CaNaRy/DeFaUlT+sEcReT=00000000000000000',
};

export interface CodeCommitWorld {
  codecommit: CodeCommitStandIn;
  proxy: ConnectProxy;
  home: HermeticGitEnv;
  env: Env;
  credentialsFile: string;
  git(args: string[], cwd?: string): Promise<RunResult>;
  close(): Promise<void>;
}

export interface WorldOptions {
  profile?: string;
  keys?: AcceptedKey[];
  /** The helper line written for CodeCommit URLs; null writes none (a test runs `cc-helper setup`). */
  helperLine?: string | null;
  /** Extra profiles for the credentials file, each with its own key. */
  extraProfiles?: Record<string, AcceptedKey>;
  /** Hostnames the stand-in serves (default: us-east-1's). */
  hostnames?: string[];
}

export async function startCodeCommitWorld(options: WorldOptions = {}): Promise<CodeCommitWorld> {
  const profile = options.profile ?? 'CodeCommitProfile';
  // The stand-in accepts the canary too: if cc-helper ever used [default], the push would go
  // through and the log would show it. Refusing it here would hide that bug.
  const codecommit = await startCodeCommitStandIn({
    keys: options.keys ?? [PROFILE_KEY, CANARY_KEY],
    ...(options.hostnames ? { hostnames: options.hostnames } : {}),
  });
  const proxy = await startConnectProxy({ routes: routeHostsTo(codecommit.port, codecommit.hostnames) });
  const home = await makeHermeticGitEnv({ caCertPath: codecommit.caCertPath });

  // `helper = codecommit` runs `git credential-codecommit`: put the bin on PATH under that name.
  const binDir = join(home.home, 'bin');
  await mkdir(binDir);
  await symlink(join(PACKAGE_ROOT, 'bin', 'git-credential-codecommit.js'), join(binDir, 'git-credential-codecommit'));
  // And this package's git-remote-codecommit, as `npm install -g` puts it, for codecommit:: URLs.
  await symlink(join(PACKAGE_ROOT, 'bin', 'git-remote-codecommit.js'), join(binDir, 'git-remote-codecommit'));
  const credentialsFile = join(home.home, '.aws', 'credentials');
  await mkdir(join(home.home, '.aws'), { mode: 0o700 });
  await writeFile(
    credentialsFile,
    `[default]\naws_access_key_id = ${CANARY_KEY.accessKeyId}\naws_secret_access_key = ${CANARY_KEY.secretAccessKey}\n\n` +
      `[${profile}]\naws_access_key_id = ${PROFILE_KEY.accessKeyId}\naws_secret_access_key = ${PROFILE_KEY.secretAccessKey}\n` +
      Object.entries(options.extraProfiles ?? {})
        .map(([name, key]) => `\n[${name}]\naws_access_key_id = ${key.accessKeyId}\naws_secret_access_key = ${key.secretAccessKey}\n`)
        .join(''),
    { mode: 0o600 },
  );
  const env: Env = {
    ...home.env,
    PATH: `${binDir}:${home.env.PATH ?? ''}`,
    AWS_SHARED_CREDENTIALS_FILE: credentialsFile,
    AWS_CONFIG_FILE: join(home.home, '.aws', 'config'),
  };
  const helperLine = options.helperLine === undefined ? `codecommit --profile ${profile}` : options.helperLine;
  await writeFile(
    join(home.home, '.gitconfig'),
    `[http]\n\tproxy = ${proxy.url}\n` +
      (helperLine === null ? '' : `[credential "https://git-codecommit.*.amazonaws.com"]\n\thelper =\n\thelper = ${helperLine}\n\tuseHttpPath = true\n`) +
      `[init]\n\tdefaultBranch = main\n`,
  );
  return {
    codecommit,
    proxy,
    home,
    env,
    credentialsFile,
    git: (args, cwd = home.home) => runGit(args, { cwd, env }),
    close: async () => {
      await proxy.close();
      await codecommit.close();
      await home.cleanup();
    },
  };
}
