// The bench's world: the paths and tools it runs, the request git sends, and the temporary HOMEs
// with random secrets that every case runs in (their AWS files, the AWS CLI's caches), plus the
// loopback stand-ins for the AWS services the role and sign-in cases call. Everything a case's
// process sees is built here from scratch (cleanEnv), nothing is inherited from the developer.
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startIdentityCenterStandIn, type IdentityCenterStandIn } from '../../standins/identity-center-standin.js';
import { startSigninStandIn, type SigninStandIn } from '../../standins/signin-standin.js';
import { startStsStandIn, type StsStandIn } from '../../standins/sts-standin.js';

export const PACKAGE_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
export const HELPER_BIN = join(PACKAGE_ROOT, 'bin', 'cc-helper.js');
export const GIT_CREDENTIAL_BIN = join(PACKAGE_ROOT, 'bin', 'git-credential-codecommit.js');
export const AWS_CLI = '/usr/bin/aws';
export const GNU_TIME = '/usr/bin/time';
export const SYSTEM_PATH = '/usr/local/bin:/usr/bin:/bin';

export const HOST = 'git-codecommit.eu-west-1.amazonaws.com';
export const REPO = 'bench';
export const REQUEST = `protocol=https\nhost=${HOST}\npath=v1/repos/${REPO}\n\n`;
export const PROFILE = 'bench';
/** The account every bench role, SSO assignment and sign-in is in. */
export const ACCOUNT = '123456789012';
/** The role the role cases assume (at the STS stand-in, or found in the AWS CLI's cache). */
export const ROLE_ARN = `arn:aws:iam::${ACCOUNT}:role/bench`;

export interface Key {
  id: string;
  secret: string;
}

/** An access key shaped like AWS's: AKIA + 16 of [A-Z2-7], a 40-character secret of [A-Za-z0-9/+]. */
export function randomKey(prefix = 'AKIA'): Key {
  const base32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  const id = prefix + [...randomBytes(16)].map((b) => base32[b % 32]).join('');
  return { id, secret: randomBytes(30).toString('base64') };
}

export const CANARY: Key = { id: 'AKIACANARYCANARY0000', secret: 'canary/canary/canary/canary/canary/cana' };

export interface AwsFiles {
  credentials: string;
  config?: string;
}

export function staticSection(name: string, key: Key): string {
  return `[${name}]\naws_access_key_id = ${key.id}\naws_secret_access_key = ${key.secret}\n`;
}

export function sessionSection(name: string, key: Key, extra: string): string {
  const token = randomBytes(300).toString('base64');
  return `[${name}]\naws_access_key_id = ${key.id}\naws_secret_access_key = ${key.secret}\naws_session_token = ${token}\n${extra}`;
}

/** Exactly `count` profiles; the wanted one is second to last, so a reader must scan nearly all. */
export function manyProfiles(count: number, wanted: string, key: Key): string {
  const parts: string[] = [];
  for (let i = 1; i <= count; i++) {
    if (i === Math.max(count - 1, 1)) parts.push(staticSection(wanted, key));
    else parts.push(staticSection(`filler-${String(i).padStart(5, '0')}`, { id: `AKIAFILLER${String(i).padStart(10, '0')}`, secret: CANARY.secret }));
  }
  return parts.join('\n');
}

/** The base of every environment: nothing from the developer's (AWS_PROFILE, NODE_EXTRA_CA_CERTS, proxies). */
export function cleanEnv(home: string, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return {
    PATH: SYSTEM_PATH,
    HOME: home,
    LANG: 'C',
    AWS_SHARED_CREDENTIALS_FILE: join(home, '.aws', 'credentials'),
    AWS_CONFIG_FILE: join(home, '.aws', 'config'),
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_PAGER: '',
    GIT_TERMINAL_PROMPT: '0',
    ...extra,
  };
}

/**
 * `size` temporary HOMEs with the same layout, each with its own random key in its AWS files.
 * Returns the environment for run n and the keys (the CodeCommit stand-in accepts them).
 */
export function secretPool(root: string, name: string, size: number, files: (key: Key) => AwsFiles, extra: (home: string) => NodeJS.ProcessEnv = () => ({})) {
  const envs: NodeJS.ProcessEnv[] = [];
  const keys: Key[] = [];
  for (let i = 0; i < size; i++) {
    const home = join(root, name, String(i));
    mkdirSync(join(home, '.aws'), { recursive: true });
    const key = randomKey();
    const written = files(key);
    writeFileSync(join(home, '.aws', 'credentials'), written.credentials, { mode: 0o600 });
    writeFileSync(join(home, '.aws', 'config'), written.config ?? '', { mode: 0o600 });
    envs.push(cleanEnv(home, extra(home)));
    keys.push(key);
  }
  return { env: (run: number) => envs[run % envs.length]!, envs, keys };
}

/**
 * A fresh entry of the AWS CLI's credential cache (a random temporary key), as `aws` writes it:
 * after AssumeRole the whole answer (with AssumedRoleUser, which cc-helper checks against the
 * profile's role), after GetRoleCredentials the account it asked for.
 */
export function writeCliCache(home: string, cacheKey: string, holds: { assumedRoleArn: string } | { accountId: string }): NodeJS.ProcessEnv {
  const dir = join(home, '.aws', 'cli', 'cache');
  mkdirSync(dir, { recursive: true });
  const key = randomKey('ASIA');
  const expiration = new Date(Date.now() + 12 * 3600_000).toISOString().replace(/\.\d{3}Z$/, 'UTC');
  const credentials = { AccessKeyId: key.id, SecretAccessKey: key.secret, SessionToken: randomBytes(300).toString('base64'), Expiration: expiration };
  const entry =
    'assumedRoleArn' in holds
      ? { Credentials: credentials, AssumedRoleUser: { AssumedRoleId: 'AROABENCH:bench', Arn: holds.assumedRoleArn }, ResponseMetadata: {} }
      : { ProviderType: 'sso', Credentials: { ...credentials, AccountId: holds.accountId } };
  writeFileSync(join(dir, `${cacheKey}.json`), JSON.stringify(entry), { mode: 0o600 });
  return {};
}


/** The loopback AWS services: one stand-in a case, so that each case's count of calls is its own. */
export interface Services {
  /** STS for the role case: it trusts every source key of that case's HOMEs (trustSourceKeys). */
  sts: StsStandIn;
  center: IdentityCenterStandIn;
  signinWarm: SigninStandIn;
  signinRefreshed: SigninStandIn;
  close(): Promise<void>;
}

export async function startServices(): Promise<Services> {
  const sts = await startStsStandIn({ region: 'eu-west-1', roles: { [ROLE_ARN]: { account: ACCOUNT } } });
  // Long-lived material, so that no case drifts into a refresh window while the bench runs (the
  // services' own lifetimes are an hour and 15 minutes; the files' shapes are the same).
  const center = await startIdentityCenterStandIn({ roleCredentialSeconds: 12 * 3600 });
  const signinWarm = await startSigninStandIn({ credentialSeconds: 12 * 3600 });
  const signinRefreshed = await startSigninStandIn({ credentialSeconds: 12 * 3600 });
  return {
    sts,
    center,
    signinWarm,
    signinRefreshed,
    close: async () => {
      for (const standIn of [sts, center, signinWarm, signinRefreshed]) await standIn.close();
    },
  };
}

/** The STS stand-in checks every signature: it knows each HOME's random source key as an IAM user's. */
export function trustSourceKeys(sts: StsStandIn, keys: Key[]): void {
  for (const key of keys) sts.keys[key.id] = { secretAccessKey: key.secret, account: ACCOUNT, userName: 'bench' };
}
