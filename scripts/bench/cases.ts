// The cases: the floor (`node -e 0`), the probes (what signing costs a Node program at the least),
// cc-helper's `get` for each kind of profile over random secrets, the large files, the sign-ins
// before and after a refresh, and the AWS CLI's own helper on the same profiles.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cliTime } from '../../standins/identity-center-standin.js';
import type { SigninStandIn } from '../../standins/signin-standin.js';
import { loginCacheDir, writeLoginTokenAsCli, writeSsoTokenAsCli } from '../../standins/sign-in-files.js';
import { assumeRoleCacheKey, ssoRoleCacheKey } from '../../src/aws-files/cli-cache.js';
import type { Options } from './options.js';
import { runOnce, type Case } from './runs.js';
import {
  ACCOUNT, AWS_CLI, CANARY, HELPER_BIN, manyProfiles, PACKAGE_ROOT, PROFILE, randomKey, REQUEST, ROLE_ARN, secretPool, sessionSection, staticSection, trustSourceKeys, writeCliCache,
  type AwsFiles, type Key, type Services,
} from './world.js';

/**
 * The probes: what a Node program doing this job costs at the least, signing with the run's
 * random secret (BENCH_SECRET). The @smithy one is bundled with esbuild (a devDependency) through
 * the packages' ES module entries, as cc-helper's bundle is, but without cc-helper's load-time
 * tricks (lazy node:crypto, V8 code cache).
 */
export async function buildProbes(root: string, env: (run: number) => NodeJS.ProcessEnv): Promise<Case[]> {
  const dir = join(root, 'probes');
  mkdirSync(dir);
  const stringToSign = `AWS4-HMAC-SHA256\\n20250101T000000Z\\n20250101/eu-west-1/codecommit/aws4_request\\n`;
  const withSecret = (run: number) => ({ ...env(run), BENCH_SECRET: randomKey().secret });
  const probe = (name: string, label: string, file: string, expect: Case['expect'] = () => true): Case => ({
    name: `probe:${name}`, label: `probe: ${label}`, kind: 'probe', command: process.execPath, args: [join(dir, file)], env: withSecret, input: '', expect,
  });
  const hexLine = (out: string) => /^[0-9a-f]{64}\n$/.test(out);
  writeFileSync(join(dir, 'empty.cjs'), '0;\n');
  writeFileSync(
    join(dir, 'crypto-sign.cjs'),
    [
      "const { createHash, createHmac } = require('node:crypto');",
      "const hmac = (key, data) => createHmac('sha256', key).update(data).digest();",
      "let key = hmac('AWS4' + process.env.BENCH_SECRET, '20250101');",
      "for (const part of ['eu-west-1', 'codecommit', 'aws4_request']) key = hmac(key, part);",
      "const hash = createHash('sha256').update('GIT\\n/v1/repos/bench\\n\\nhost:h\\n\\nhost\\n').digest('hex');",
      `require('node:fs').writeSync(1, hmac(key, '${stringToSign}' + hash).toString('hex') + '\\n');`,
    ].join('\n') + '\n',
  );
  const cases = [probe('empty', 'an empty CommonJS file', 'empty.cjs'), probe('crypto', 'SigV4 with node:crypto alone', 'crypto-sign.cjs', hexLine)];
  let esbuild: typeof import('esbuild');
  try {
    esbuild = await import('esbuild');
  } catch {
    process.stderr.write('bench: esbuild is not installed; skipping the @smithy probe\n');
    return cases;
  }
  await esbuild.build({
    stdin: {
      contents: [
        "import { Sha256 } from '@aws-crypto/sha256-js';",
        "import { SignatureV4 } from '@smithy/signature-v4';",
        "import { writeSync } from 'node:fs';",
        "const signer = new SignatureV4({ credentials: { accessKeyId: 'AKIA', secretAccessKey: process.env.BENCH_SECRET }, region: 'eu-west-1', service: 'codecommit', sha256: Sha256 });",
        '(async () => {',
        "  const hash = new Sha256(); hash.update('GIT\\n/v1/repos/bench\\n\\nhost:h\\n\\nhost\\n');",
        "  const hex = Buffer.from(await hash.digest()).toString('hex');",
        `  writeSync(1, (await signer.sign('${stringToSign}' + hex, { signingDate: new Date() })) + '\\n');`,
        '})();',
      ].join('\n'),
      resolveDir: PACKAGE_ROOT,
      loader: 'js',
    },
    outfile: join(dir, 'smithy-sign.cjs'),
    bundle: true,
    format: 'cjs',
    platform: 'node',
    target: 'node20',
    mainFields: ['module', 'main'],
    logLevel: 'error',
  });
  cases.push(probe('smithy', 'SigV4 with @smithy/signature-v4 + sha256-js, plain bundle', 'smithy-sign.cjs', hexLine));
  return cases;
}

export const answered = (stdout: string) => /^username=.+\npassword=\d{8}T\d{6}Z[0-9a-f]{64}\npassword_expiry_utc=\d+\n$/.test(stdout);

export function helperCase(name: string, label: string, env: (run: number) => NodeJS.ProcessEnv, action = 'get'): Case {
  return {
    name,
    label,
    kind: 'helper',
    command: process.execPath,
    args: [HELPER_BIN, '--profile', PROFILE, action],
    env,
    input: REQUEST,
    expect: action === 'get' ? answered : (out) => out === '',
  };
}

export function awsCase(forCase: string, env: (run: number) => NodeJS.ProcessEnv): Case {
  return {
    name: `aws:${forCase}`,
    label: `AWS CLI helper, same profile and URL as "${forCase}"`,
    kind: 'aws',
    command: AWS_CLI,
    args: ['--profile', PROFILE, 'codecommit', 'credential-helper', 'get'],
    env,
    input: REQUEST,
    expect: (out) => /^username=.+\npassword=\d{8}T\d{6}Z[0-9a-f]{64}\n$/.test(out),
  };
}

export function buildHelperCases(root: string, services: Services, options: Options): Case[] {
  const pool = (name: string, files: (key: Key) => AwsFiles, extra?: (home: string) => NodeJS.ProcessEnv) => secretPool(root, name, options.secrets, files, extra).env;
  const config = `[profile ${PROFILE}]\nregion = eu-west-1\n`;
  const withCanary = (section: string) => staticSection('default', CANARY) + '\n' + section;

  const staticEnv = pool('static', (key) => ({ credentials: withCanary(staticSection(PROFILE, key)), config }));
  const sessionEnv = pool('session', (key) => ({ credentials: withCanary(sessionSection(PROFILE, key, 'x_security_token_expires = 2099-01-01T00:00:00Z\n')), config }));
  // What a vault-started session leaves in the credentials file. For `get` it is a session-token
  // profile like any other: the fast path reads it exactly so, without loading the vault.
  const expires = new Date(Date.now() + 12 * 3600_000).toISOString().replace(/\.\d{3}/, '');
  const vaultEnv = pool('vault-session', (key) => ({
    credentials: withCanary(sessionSection(PROFILE, key, `x_security_token_expires = ${expires}\nx_cc_helper_session = ${PROFILE}\n`)),
    config,
  }));
  const role = secretPool(
    root,
    'role',
    options.secrets,
    (key) => ({
      credentials: withCanary(staticSection('bench-source', key)),
      config: `[profile ${PROFILE}]\nregion = eu-west-1\nrole_arn = ${ROLE_ARN}\nsource_profile = bench-source\nrole_session_name = bench\n`,
    }),
    (home) => {
      // No usable cache (~/.aws/cli is a file): every get makes its AssumeRole call.
      writeFileSync(join(home, '.aws', 'cli'), 'not a directory\n');
      return { AWS_ENDPOINT_URL_STS: services.sts.url, AWS_REGION: 'eu-west-1' };
    },
  );
  trustSourceKeys(services.sts, role.keys);
  const roleEnv = role.env;
  // Warm: what the first get (or the AWS CLI) left in ~/.aws/cli/cache, good for hours.
  const roleWarmEnv = pool(
    'role-warm',
    (key) => ({
      credentials: withCanary(staticSection('bench-source', key)),
      config: `[profile ${PROFILE}]\nregion = eu-west-1\nrole_arn = arn:aws:iam::123456789012:role/bench\nsource_profile = bench-source\nrole_session_name = bench\n`,
    }),
    (home) => writeCliCache(home, assumeRoleCacheKey({ RoleArn: 'arn:aws:iam::123456789012:role/bench', RoleSessionName: 'bench' }), { assumedRoleArn: 'arn:aws:sts::123456789012:assumed-role/bench/bench' }),
  );
  const ssoWarmEnv = pool(
    'sso-warm',
    () => ({
      credentials: withCanary(''),
      config: `[profile ${PROFILE}]\nregion = eu-west-1\nsso_session = corp\nsso_account_id = 123456789012\nsso_role_name = Bench\n[sso-session corp]\nsso_start_url = https://corp.awsapps.com/start\nsso_region = eu-west-1\n`,
    }),
    (home) => writeCliCache(home, ssoRoleCacheKey('Bench', '123456789012', { sessionName: 'corp' }), { accountId: '123456789012' }),
  );
  const signInCases = buildSignInCases(root, services, options, withCanary);
  const files = [1, 100, 5000, 50_000].map((n) => ({ n, env: pool(`profiles-${n}`, (key) => ({ credentials: manyProfiles(n, PROFILE, key), config })) }));
  // The same files, rewritten before every run as an editor or `aws configure` would: each get
  // is the first after a change, so it checks the whole file (the cases above are the gets after
  // that, which find the file remembered clean).
  const changed = [5000, 50_000].map((n) => {
    const env = pool(`profiles-${n}-changed`, (key) => ({ credentials: manyProfiles(n, PROFILE, key), config }));
    const rewrite = (run: number) => {
      const file = env(run).AWS_SHARED_CREDENTIALS_FILE!;
      writeFileSync(file, readFileSync(file));
    };
    return { ...helperCase(`profiles-${n}-changed`, `get, credentials file with ${n} profiles, first get after the file changed`, env), beforeRun: rewrite };
  });

  const cases: Case[] = [
    helperCase('static', 'get, static keys', staticEnv),
    helperCase('session', 'get, session-token profile', sessionEnv),
    helperCase('vault-session', 'get, vault-managed active session (= session-token profile)', vaultEnv),
    helperCase('store', 'store (read and ignored)', staticEnv, 'store'),
    ...files.map(({ n, env }) => ({ ...helperCase(`profiles-${n}`, `get, credentials file with ${n} profile${n === 1 ? '' : 's'}${n >= 5000 ? ' (remembered clean)' : ''}`, env), warmTwice: n >= 5000 })),
    ...changed,
    helperCase('role', 'get, role profile, no usable cache: AssumeRole at loopback STS', roleEnv),
    helperCase('role-warm', 'get, role profile, warm AWS CLI cache', roleWarmEnv),
    // The pin is checked against the cache's own AssumedRoleUser: no STS call (a closed port
    // stands in for STS, so one would fail the case).
    {
      ...helperCase('role-warm-pinned', 'get, role profile, warm AWS CLI cache, --account pinned', (run) => ({ ...roleWarmEnv(run), AWS_ENDPOINT_URL_STS: 'http://127.0.0.1:9' })),
      args: [HELPER_BIN, '--profile', PROFILE, '--account', '123456789012', 'get'],
    },
    helperCase('sso-warm', 'get, SSO profile, warm AWS CLI cache', ssoWarmEnv),
    ...signInCases,
  ];
  if (options.aws) {
    cases.push(awsCase('static', staticEnv), awsCase('session', sessionEnv), awsCase('profiles-5000', files.find((f) => f.n === 5000)!.env));
  }
  return cases;
}

/**
 * The sign-in cases. An SSO profile's warm get reads only the role credentials in ~/.aws/cli/cache:
 * here they are what cc-helper itself wrote after refreshing the sso-session token (the token file
 * is `aws sso login`'s, five minutes from its end). An `aws login` profile's warm get reads the
 * login cache: as `aws login` wrote it, and as cc-helper rewrote it after a refresh.
 */
function buildSignInCases(root: string, { center, signinWarm, signinRefreshed }: Services, options: Options, withCanary: (section: string) => string): Case[] {
  const ssoConfig =
    `[profile ${PROFILE}]\nregion = eu-west-1\nsso_session = corp\nsso_account_id = ${ACCOUNT}\nsso_role_name = Bench\n` +
    '[sso-session corp]\nsso_start_url = https://d-1234567890.awsapps.com/start\nsso_region = eu-west-1\n';
  const loginSession = `arn:aws:iam::${ACCOUNT}:user/bench`;
  const loginConfig = `[profile ${PROFILE}]\nregion = eu-west-1\nlogin_session = ${loginSession}\n`;
  const soon = () => cliTime(new Date(Date.now() + 5 * 60_000));
  const ssoRefreshed = secretPool(root, 'sso-refreshed', options.secrets, () => ({ credentials: withCanary(''), config: ssoConfig }), (home) => {
    writeSsoTokenAsCli(home, 'corp', { ...center.signIn(), expiresAt: soon() });
    return { AWS_ENDPOINT_URL_SSO_OIDC: center.url, AWS_ENDPOINT_URL_SSO: center.url };
  });
  const login = (name: string, signin: SigninStandIn, expiresAt?: () => string) =>
    secretPool(root, name, options.secrets, () => ({ credentials: withCanary(''), config: loginConfig }), (home) => {
      const token = signin.signIn({ account: ACCOUNT, user: 'bench' }).token;
      writeLoginTokenAsCli(loginCacheDir(home), loginSession, expiresAt ? { ...token, accessToken: { ...token.accessToken, expiresAt: expiresAt() } } : token);
      return { AWS_ENDPOINT_URL_SIGNIN: signin.url };
    });
  const loginWarm = login('login-warm', signinWarm);
  const loginRefreshed = login('login-refreshed', signinRefreshed, () => cliTime(new Date(Date.now() + 2 * 60_000)));

  /** One get per HOME, outside any time: each must refresh once. */
  const refreshEach = (name: string, envs: NodeJS.ProcessEnv[], refreshes: () => number) => async () => {
    const before = refreshes();
    for (const env of envs) {
      const got = await runOnce(helperCase(name, '', () => env));
      if (!answered(got.stdout)) throw new Error(`case "${name}": the refreshing get did not answer: ${got.stderr.slice(0, 600)}`);
    }
    if (refreshes() - before !== envs.length) throw new Error(`case "${name}": expected ${envs.length} refreshes, the stand-in saw ${refreshes() - before}`);
  };
  /** After the timed runs: no call beyond the preparing ones. */
  const noCallsAfter = (name: string, calls: () => number) => {
    let expected: number | undefined;
    return {
      mark: () => {
        expected = calls();
      },
      verify: () => {
        if (calls() !== expected) throw new Error(`case "${name}": ${calls() - expected!} timed gets called the sign-in service: they were not warm`);
      },
    };
  };
  const ssoCalls = () => center.calls.CreateToken + center.calls.GetRoleCredentials;
  const ssoGuard = noCallsAfter('sso-refreshed', ssoCalls);
  const loginWarmGuard = noCallsAfter('login-warm', () => signinWarm.calls);
  const loginRefreshedGuard = noCallsAfter('login-refreshed', () => signinRefreshed.calls);
  const prepared = (refresh: (() => Promise<void>) | undefined, guard: { mark: () => void }) => async () => {
    await refresh?.();
    guard.mark();
  };
  return [
    {
      ...helperCase('sso-refreshed', 'get, SSO profile, warm cache after a token refresh', ssoRefreshed.env),
      prepare: prepared(refreshEach('sso-refreshed', ssoRefreshed.envs, () => center.refreshes), ssoGuard),
      verify: ssoGuard.verify,
    },
    { ...helperCase('login-warm', 'get, aws login profile, warm cache (as aws login wrote it)', loginWarm.env), prepare: prepared(undefined, loginWarmGuard), verify: loginWarmGuard.verify },
    {
      ...helperCase('login-refreshed', 'get, aws login profile, warm cache after a refresh', loginRefreshed.env),
      prepare: prepared(refreshEach('login-refreshed', loginRefreshed.envs, () => signinRefreshed.refreshes), loginRefreshedGuard),
      verify: loginRefreshedGuard.verify,
    },
  ];
}