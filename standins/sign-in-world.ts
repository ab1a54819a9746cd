// A user signed in to AWS the morning way, as the tests of a long day need them: a temporary HOME
// whose AWS config has an IAM Identity Center profile (`sso_session`) or an `aws login` profile
// (`login_session`), the stand-in that profile refreshes through, the cache file the CLI would
// have written at sign-in, and (optionally) the CodeCommit stand-in with a clone to push from,
// a role chained on the login profile (through the STS stand-in), or the AWS CLI's own helper in
// cc-helper's place. Every process runs under the world's simulated clock (simulated-clock.ts),
// which the stand-ins follow too. The user-visible contract only: the environment variables, the cache files' shapes
// and git's credential protocol; nothing here imports src/.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { verifyCodeCommitPassword } from './codecommit-signature.js';
import { startCodeCommitStandIn, type CodeCommitStandIn } from './codecommit-standin.js';
import { routeHostsTo, startConnectProxy, type ConnectProxy } from './connect-proxy.js';
import { runGit, type Env, type RunResult } from './git-env.js';
import { HELPER_BIN } from './helper-process.js';
import { startIdentityCenterStandIn, type IdentityCenterStandIn } from './identity-center-standin.js';
import { startSigninStandIn, type SigninStandIn } from './signin-standin.js';
import { startStsStandIn, type StsStandIn } from './sts-standin.js';
import { loginCacheDir, loginTokenPath, ssoTokenPath, writeLoginTokenAsCli, writeSsoTokenAsCli } from './sign-in-files.js';
import type { SimulatedClock } from './simulated-clock.js';
import { makeThrowawayCa } from './throwaway-ca.js';
import { startTlsFront, type TlsFront } from './tls-front.js';

export type SignInKind = 'sso' | 'login';

export const ACCOUNT = '111122223333';
export const HOST = 'git-codecommit.us-east-1.amazonaws.com';
export const REPO = 'day';
const SSO_SESSION = 'corp';
const LOGIN_SESSION = `arn:aws:iam::${ACCOUNT}:user/alice`;
const REQUEST = `protocol=https\nhost=${HOST}\npath=v1/repos/${REPO}\n\n`;
/** Nothing should ever call these: a closed port. */
const CLOSED = 'http://127.0.0.1:9';
const SYSTEM_PATH = '/usr/local/bin:/usr/bin:/bin';
/** Honeypot keys in [default]: the CodeCommit stand-in does not know them, so using them fails. */
const CANARY = { id: 'AKIACANARYDEFAULT001', secret: 'CaNaRy/DeFaUlT+sEcReT=00000000000000000' };

export interface IssuedKey {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string;
  expiration: Date;
  /** The SSO role or `aws login` user the key is for. */
  for: string;
}

export interface GetOutcome {
  how: 'clone' | 'fill' | 'push' | 'get';
  /** Simulated instant the process started at. */
  at: Date;
  /** git (or the helper) answered, and what signed was valid at `at`, checked independently. */
  answered: boolean;
  accessKeyId?: string;
  /** Why it did not answer (the first stderr line, or what the check found). */
  problem?: string;
  result: RunResult;
}

export interface WorldOptions {
  kind: SignInKind;
  clock: SimulatedClock;
  /** The cc-helper to run (default: this package's). A build of another commit measures its day. */
  helperBin?: string;
  /** SSO: one profile per role, all in one sso-session (default one, `day`); login: one profile. */
  profiles?: string[];
  /** The CodeCommit stand-in, its CONNECT proxy and a clone (for clone / push). */
  git?: boolean;
  /** `aws login`'s cache under $AWS_LOGIN_CACHE_DIRECTORY instead of ~/.aws/login/cache. */
  loginCacheDirectory?: boolean;
  /**
   * SSO only: the AWS CLI's own helper (`aws codecommit credential-helper`, Debian's 2.9) instead of
   * cc-helper, as a yardstick. It ignores AWS_ENDPOINT_URL_*, so it reaches the stand-in through
   * the CONNECT proxy (HTTPS_PROXY) and a TLS front with a throwaway CA (AWS_CA_BUNDLE).
   */
  awsCli?: boolean;
  /** SSO only: a legacy profile (sso_start_url in the profile, no sso_session), which is never refreshed. */
  legacySso?: boolean;
  /**
   * aws login only: git uses profile `deploy`, a role (`role_arn`) whose `source_profile` is the
   * login profile, through the STS stand-in (role chaining on an `aws login` session).
   */
  roleOnLogin?: boolean;
}

export interface SignInWorld {
  kind: SignInKind;
  home: string;
  env: Env;
  profiles: string[];
  center?: IdentityCenterStandIn;
  signin?: SigninStandIn;
  codecommit?: CodeCommitStandIn;
  /** The token / login cache file the CLI keeps. */
  tokenFile: string;
  /** `aws sso login` / `aws login` at the clock's now, writing the cache as the CLI does. */
  signIn(): void;
  /** Successful refreshes (CreateToken / CreateOAuth2Token answered with new material). */
  refreshes(): number;
  /** Every refresh request, whatever its answer. */
  refreshCalls(): number;
  /** Refresh requests refused, with the service's error (InvalidGrantException, AccessDeniedException/TOKEN_EXPIRED, ...). */
  refusedRefreshes(): { at: Date; error: string }[];
  /** Simulated instants of the successful refreshes. */
  refreshTimes(): Date[];
  /** SSO: GetRoleCredentials calls; a role on an aws login profile: AssumeRole calls. */
  roleFetches(): number;
  /** The profile git's helper line names. */
  helperProfile: string;
  issued(): IssuedKey[];
  /** `git credential fill`, as git asks before a fetch or push. */
  fill(profile?: string): Promise<GetOutcome>;
  /** The helper itself (`cc-helper --profile P get`), so its stdout (quit=1) is seen. */
  get(profile?: string): Promise<GetOutcome>;
  clone(): Promise<GetOutcome>;
  push(): Promise<GetOutcome>;
  /** `cc-helper doctor [options] URL` at the simulated now (it finds the profile on the helper line). */
  doctor(url: string, options?: string[]): Promise<RunResult>;
  close(): Promise<void>;
}

export const AWS_CLI = '/usr/bin/aws';
const OIDC_HOST = 'oidc.us-east-1.amazonaws.com';
const PORTAL_HOST = 'portal.sso.us-east-1.amazonaws.com';

/** The line `cc-helper setup` writes (Node starts only for `get`); for the AWS CLI, the line its documentation gives. */
function helperLine(bin: string, profile: string, awsCli = false): string {
  if (awsCli) return `!'${AWS_CLI}' --profile '${profile}' codecommit credential-helper`;
  return `!f() { test "$1" = get && exec '${process.execPath}' '${bin}' --profile '${profile}' "$@"; while read -r _; do :; done; }; f`;
}

const quoted = (value: string) => `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;

export async function startSignInWorld(options: WorldOptions): Promise<SignInWorld> {
  const { kind, clock } = options;
  const bin = options.helperBin ?? HELPER_BIN;
  const profiles = options.profiles ?? ['day'];
  if (options.roleOnLogin && kind !== 'login') throw new Error('roleOnLogin: an aws login world only');
  const helperProfile = options.roleOnLogin ? 'deploy' : profiles[0]!;
  const home = mkdtempSync(join(tmpdir(), `cc-helper-${kind}-day-`));
  mkdirSync(join(home, '.aws'), { mode: 0o700 });
  mkdirSync(join(home, '.config'));
  const issued: IssuedKey[] = [];
  const acceptKey = (key: IssuedKey) => {
    issued.push(key);
    codecommit?.keys.push({ accessKeyId: key.accessKeyId, secretAccessKey: key.secretAccessKey, sessionToken: key.sessionToken });
  };

  const awsCli = options.awsCli ?? false;
  if (awsCli && kind !== 'sso') throw new Error('the AWS CLI 2.9 has no aws login');
  let codecommit: CodeCommitStandIn | undefined;
  let proxy: ConnectProxy | undefined;
  let front: TlsFront | undefined;
  if (options.git) {
    codecommit = await startCodeCommitStandIn({ keys: [], now: clock.now });
    await codecommit.addRepo(REPO, { initialCommit: { files: { 'README.md': '# day\n' } } });
  }

  const env: Env = {
    PATH: SYSTEM_PATH,
    HOME: home,
    LANG: 'C',
    LC_ALL: 'C',
    TZ: 'UTC',
    XDG_CONFIG_HOME: join(home, '.config'),
    AWS_CONFIG_FILE: join(home, '.aws', 'config'),
    AWS_SHARED_CREDENTIALS_FILE: join(home, '.aws', 'credentials'),
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_ENDPOINT_URL_STS: CLOSED,
    AWS_ENDPOINT_URL_SSO_OIDC: CLOSED,
    AWS_ENDPOINT_URL_SSO: CLOSED,
    AWS_ENDPOINT_URL_SIGNIN: CLOSED,
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_CONFIG_GLOBAL: join(home, '.gitconfig'),
    GIT_TERMINAL_PROMPT: '0',
    GIT_AUTHOR_NAME: 'Day Tester',
    GIT_AUTHOR_EMAIL: 'day@example.com',
    GIT_COMMITTER_NAME: 'Day Tester',
    GIT_COMMITTER_EMAIL: 'day@example.com',
    ...(codecommit ? { GIT_SSL_CAINFO: codecommit.caCertPath } : {}),
  };
  const gitRoutes = codecommit ? routeHostsTo(codecommit.port, codecommit.hostnames) : () => undefined;
  writeFileSync(env.AWS_SHARED_CREDENTIALS_FILE!, `[default]\naws_access_key_id = ${CANARY.id}\naws_secret_access_key = ${CANARY.secret}\n`, { mode: 0o600 });

  let center: IdentityCenterStandIn | undefined;
  let signin: SigninStandIn | undefined;
  let sts: StsStandIn | undefined;
  let tokenFile: string;
  let signIn: () => void;
  if (kind === 'sso') {
    const roles = profiles.map((_, i) => (i === 0 ? 'Developer' : `Developer${i + 1}`));
    center = await startIdentityCenterStandIn({
      now: clock.now,
      assignments: { [ACCOUNT]: roles },
      onIssue: (c) => acceptKey({ accessKeyId: c.accessKeyId, secretAccessKey: c.secretAccessKey, sessionToken: c.sessionToken, expiration: c.expiration, for: c.roleName }),
    });
    env.AWS_ENDPOINT_URL_SSO_OIDC = center.url;
    env.AWS_ENDPOINT_URL_SSO = center.url;
    const legacy = options.legacySso ?? false;
    const startUrl = 'https://d-1234567890.awsapps.com/start';
    writeFileSync(
      env.AWS_CONFIG_FILE!,
      legacy
        ? profiles.map((p, i) => `[profile ${p}]\nsso_start_url = ${startUrl}\nsso_region = us-east-1\nsso_account_id = ${ACCOUNT}\nsso_role_name = ${roles[i]}\nregion = us-east-1\n\n`).join('')
        : profiles.map((p, i) => `[profile ${p}]\nsso_session = ${SSO_SESSION}\nsso_account_id = ${ACCOUNT}\nsso_role_name = ${roles[i]}\nregion = us-east-1\n\n`).join('') +
            `[sso-session ${SSO_SESSION}]\nsso_start_url = ${startUrl}\nsso_region = us-east-1\nsso_registration_scopes = sso:account:access\n`,
      { mode: 0o600 },
    );
    // A legacy profile's token is keyed by its start URL (botocore's SSOTokenLoader).
    const tokenKey = legacy ? startUrl : SSO_SESSION;
    tokenFile = ssoTokenPath(home, tokenKey);
    if (awsCli) {
      const ca = await makeThrowawayCa(join(home, 'ca'), [OIDC_HOST, PORTAL_HOST]);
      front = await startTlsFront(center.port, ca);
      const cliRoutes = routeHostsTo(front.port, [OIDC_HOST, PORTAL_HOST]);
      proxy = await startConnectProxy({ routes: (host, port) => gitRoutes(host, port) ?? cliRoutes(host, port) });
      Object.assign(env, { HTTPS_PROXY: proxy.url, AWS_CA_BUNDLE: ca.caCertPath, AWS_PAGER: '', AWS_MAX_ATTEMPTS: '1' });
    }
    const standIn = center;
    signIn = () => writeSsoTokenAsCli(home, tokenKey, standIn.signIn());
  } else {
    signin = await startSigninStandIn({
      now: clock.now,
      onIssue: (c) => acceptKey({ accessKeyId: c.accessKeyId, secretAccessKey: c.secretAccessKey, sessionToken: c.sessionToken, expiration: c.expiration, for: c.loginSession }),
    });
    env.AWS_ENDPOINT_URL_SIGNIN = signin.url;
    if (options.loginCacheDirectory) env.AWS_LOGIN_CACHE_DIRECTORY = join(home, 'login-cache');
    writeFileSync(env.AWS_CONFIG_FILE!, profiles.map((p) => `[profile ${p}]\nlogin_session = ${LOGIN_SESSION}\nregion = us-east-1\n\n`).join(''), { mode: 0o600 });
    const dir = loginCacheDir(home, env);
    tokenFile = loginTokenPath(dir, LOGIN_SESSION);
    if (options.roleOnLogin) {
      const roleArn = `arn:aws:iam::${ACCOUNT}:role/Deploy`;
      const stsStandIn = await startStsStandIn({
        now: clock.now,
        roles: { [roleArn]: { account: ACCOUNT } },
        onIssue: (c) => acceptKey({ accessKeyId: c.accessKeyId, secretAccessKey: c.secretAccessKey, sessionToken: c.sessionToken, expiration: c.expiration, for: roleArn }),
      });
      sts = stsStandIn;
      // STS must know the login's temporary keys as a caller (the stand-in models callers with
      // temporary keys as role sessions; the trust policy here admits any caller).
      const loginIssued = signin.onIssue;
      signin.onIssue = (c) => {
        loginIssued?.(c);
        stsStandIn.addSession(c, `arn:aws:iam::${ACCOUNT}:role/aws-login-alice`);
      };
      env.AWS_ENDPOINT_URL_STS = stsStandIn.url;
      writeFileSync(env.AWS_CONFIG_FILE!, `[profile deploy]\nrole_arn = ${roleArn}\nsource_profile = ${profiles[0]}\nrole_session_name = alice\nregion = us-east-1\n`, { flag: 'a' });
    }
    const standIn = signin;
    signIn = () => {
      const login = standIn.signIn({ account: ACCOUNT, user: 'alice' });
      if (login.loginSession !== LOGIN_SESSION) throw new Error(`unexpected login session ${login.loginSession}`);
      writeLoginTokenAsCli(dir, login.loginSession, login.token);
    };
  }

  if (codecommit) {
    // The working copy pushes come from, made without credentials (straight from the stand-in's
    // bare repository), so that a push is a push even on a day whose clone failed.
    for (const args of [['clone', '--quiet', codecommit.gitDir(REPO), 'work'], ['-C', 'work', 'remote', 'set-url', 'origin', codecommit.repoUrl(REPO)]]) {
      const done = await runGit(args, { cwd: home, env: { ...env, GIT_CONFIG_GLOBAL: '/dev/null' } });
      if (done.code !== 0) throw new Error(`git ${args.join(' ')} failed: ${done.stderr}`);
    }
  }
  if (codecommit && !proxy) proxy = await startConnectProxy({ routes: gitRoutes });
  writeFileSync(
    env.GIT_CONFIG_GLOBAL!,
    (proxy ? `[http]\n\tproxy = ${proxy.url}\n` : '') +
      `[credential "https://${HOST}"]\n\thelper =\n\thelper = ${quoted(helperLine(bin, helperProfile, awsCli))}\n\tuseHttpPath = true\n` +
      '[init]\n\tdefaultBranch = main\n',
  );

  /** Whether an answer signs validly, at the simulated instant, with a key a stand-in issued that had not expired. */
  const checkAnswer = (username: string, password: string, at: Date): { ok: true; accessKeyId: string } | { ok: false; problem: string } => {
    const accessKeyId = username.split('%')[0]!;
    const key = issued.find((k) => k.accessKeyId === accessKeyId);
    if (!key) return { ok: false, problem: `signed with a key no stand-in issued (${accessKeyId.slice(0, 8)}…)` };
    if (key.expiration <= at) return { ok: false, problem: `signed with a key that expired at ${key.expiration.toISOString()}` };
    const verdict = verifyCodeCommitPassword({
      username,
      password,
      host: HOST,
      repoPath: `/v1/repos/${REPO}`,
      now: clock.now(),
      keys: [{ accessKeyId: key.accessKeyId, secretAccessKey: key.secretAccessKey, sessionToken: key.sessionToken }],
    });
    return verdict.ok ? { ok: true, accessKeyId } : { ok: false, problem: `the CodeCommit check refused it: ${verdict.reason}` };
  };

  const firstLine = (text: string) => text.split('\n').find((l) => l.trim() !== '') ?? '(no output)';

  const world: SignInWorld = {
    kind,
    home,
    env,
    profiles,
    ...(center ? { center } : {}),
    ...(signin ? { signin } : {}),
    ...(codecommit ? { codecommit } : {}),
    tokenFile,
    signIn,
    refreshes: () => (center ? center.refreshes : signin!.refreshes),
    refreshCalls: () => (center ? center.calls.CreateToken : signin!.calls),
    refusedRefreshes: () =>
      center
        ? center.log.filter((e) => e.operation === 'CreateToken' && e.error).map((e) => ({ at: e.at, error: e.error! }))
        : signin!.log.filter((e) => e.error).map((e) => ({ at: e.at, error: e.error! })),
    refreshTimes: () => (center ? center.log.filter((e) => e.operation === 'CreateToken' && e.status === 200) : signin!.log.filter((e) => e.status === 200)).map((e) => e.at),
    roleFetches: () => center?.calls.GetRoleCredentials ?? sts?.callCount('AssumeRole') ?? 0,
    helperProfile,
    issued: () => [...issued],
    async fill(profile) {
      const at = clock.now();
      const args = profile && profile !== helperProfile ? ['-c', 'credential.helper=', '-c', `credential.helper=${helperLine(bin, profile, awsCli)}`, 'credential', 'fill'] : ['credential', 'fill'];
      const result = await clock.run('git', args, { cwd: home, env, input: REQUEST, fakeMonotonic: awsCli });
      const username = /^username=(.*)$/m.exec(result.stdout)?.[1];
      const password = /^password=(.*)$/m.exec(result.stdout)?.[1];
      if (result.code !== 0 || !username || !password) return { how: 'fill', at, answered: false, problem: firstLine(result.stderr), result };
      const verdict = checkAnswer(username, password, at);
      return verdict.ok ? { how: 'fill', at, answered: true, accessKeyId: verdict.accessKeyId, result } : { how: 'fill', at, answered: false, problem: verdict.problem, result };
    },
    async get(profile = helperProfile) {
      const at = clock.now();
      const result = awsCli
        ? await clock.run(AWS_CLI, ['--profile', profile, 'codecommit', 'credential-helper', 'get'], { env, input: REQUEST, fakeMonotonic: true })
        : await clock.run(process.execPath, [bin, '--profile', profile, 'get'], { env, input: REQUEST });
      const m = /^username=(.*)\npassword=(.*)\n/.exec(result.stdout);
      if (result.code !== 0 || !m) return { how: 'get', at, answered: false, problem: firstLine(result.stderr), result };
      const verdict = checkAnswer(m[1]!, m[2]!, at);
      return verdict.ok ? { how: 'get', at, answered: true, accessKeyId: verdict.accessKeyId, result } : { how: 'get', at, answered: false, problem: verdict.problem, result };
    },
    async clone() {
      if (!codecommit) throw new Error('clone: the world has no CodeCommit stand-in (git: true)');
      return gitOperation('clone', ['clone', '--quiet', codecommit.repoUrl(REPO), 'clone'], home);
    },
    async push() {
      if (!codecommit) throw new Error('push: the world has no CodeCommit stand-in (git: true)');
      const work = join(home, 'work');
      const note = `pushed at ${clock.now().toISOString()}\n`;
      writeFileSync(join(work, 'notes.txt'), note, { flag: 'a' });
      for (const args of [['add', 'notes.txt'], ['commit', '--quiet', '-m', note.trim()]]) {
        const done = await runGit(args, { cwd: work, env });
        if (done.code !== 0) throw new Error(`git ${args[0]} failed: ${done.stderr}`);
      }
      return gitOperation('push', ['push', '--quiet', 'origin', 'main'], work);
    },
    doctor: (url, doctorOptions = []) => clock.run(process.execPath, [bin, 'doctor', ...doctorOptions, url], { env, cwd: home, timeoutMs: 120_000 }),
    async close() {
      await proxy?.close();
      await front?.close();
      await codecommit?.close();
      await center?.close();
      await sts?.close();
      await signin?.close();
      rmSync(home, { recursive: true, force: true });
    },
  };

  async function gitOperation(how: 'clone' | 'push', args: string[], cwd: string): Promise<GetOutcome> {
    const at = clock.now();
    const before = codecommit!.log.length;
    const result = await clock.run('git', args, { cwd, env, fakeMonotonic: awsCli });
    const accepted = codecommit!.log.slice(before).filter((e) => e.outcome === 'accepted');
    const service = how === 'push' ? 'git-receive-pack' : 'git-upload-pack';
    const served = accepted.find((e) => e.service === service);
    if (result.code !== 0 || !served) return { how, at, answered: false, problem: firstLine(result.stderr), result };
    const key = issued.find((k) => k.accessKeyId === served.accessKeyId);
    if (!key) return { how, at, answered: false, problem: 'the stand-in accepted a key no stand-in issued', result };
    return { how, at, answered: true, accessKeyId: served.accessKeyId!, result };
  }

  return world;
}
