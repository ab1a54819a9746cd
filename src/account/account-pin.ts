// Account pinning (`--account 123456789012` on the helper line): refuse to sign when the
// profile's credentials belong to another account, so one client's code cannot be pushed into
// another client's account. Loaded by `get` only when the helper line carries --account.
//
// Where the account comes from, cheapest first:
//   1. a role ARN: the profile's `role_arn`, or its vault session's roleArn (an assumed role's
//      credentials belong to the role's account) — no network;
//   2. the cache of access key id -> account (accounts.json) — no network;
//   3. one STS GetCallerIdentity with the credentials themselves, then remembered.
import type { SigningCredentials } from '../codecommit/password.js';
import type { AmbientSource } from '../aws/ambient-credentials.js';
import type { CredentialSource } from '../aws/profile-credentials.js';
import { readProfile } from '../aws/profile-credentials.js';
import { UserError } from '../support/errors.js';
import { mask, type Trace } from '../support/trace.js';
import { cachedAccount, rememberAccount } from './account-cache.js';

export interface AccountPinOptions {
  profile: string;
  /** The pinned account id from the helper line. */
  expected: string;
  credentials: SigningCredentials;
  source: CredentialSource;
  env: NodeJS.ProcessEnv;
  now: Date;
  trace: Trace;
}

export function checkAccountId(account: string): void {
  if (!/^\d{12}$/.test(account)) {
    throw new UserError(`--account ${JSON.stringify(account.slice(0, 40))} is not an AWS account id (12 digits, like 123456789012): fix the helper line (cc-helper setup --account ID)`);
  }
}

/** The account in an IAM/STS ARN (`arn:aws:iam::123456789012:role/Name`), if it is one. */
export function accountOfArn(arn: string): string | undefined {
  return /^arn:aws[\w-]*:(?:iam|sts)::(\d{12}):/.exec(arn)?.[1];
}

/** Resolves when the credentials belong to the expected account; throws a UserError otherwise. */
export async function checkAccountPin(options: AccountPinOptions): Promise<void> {
  const { profile, expected, trace } = options;
  checkAccountId(expected);
  const { account, from } = await accountOf(options);
  trace(`profile "${profile}" is in account ${account} (from ${from}); pinned to ${expected}`);
  if (account !== expected) {
    throw new UserError(
      `refusing to sign: profile "${profile}" belongs to account ${account}, but this helper line is pinned to account ${expected} (--account); ` +
        'fix the profile, or the helper line if the pin is wrong',
    );
  }
}

async function accountOf(options: AccountPinOptions): Promise<{ account: string; from: string }> {
  const { profile, env, credentials } = options;
  const values = readProfile(profile, env).values;
  if (options.source === 'role' && values.role_arn) {
    const account = accountOfArn(values.role_arn);
    if (account) return { account, from: `role_arn ${values.role_arn}` };
  }
  const { findSessionDefinition } = await import('../session/session-definitions.js');
  const definition = findSessionDefinition(profile, env);
  const fromVault = options.source === 'vault session' || (definition !== undefined && options.source === 'credentials file' && credentials.sessionToken !== undefined);
  if (fromVault && definition?.roleArn) {
    const account = accountOfArn(definition.roleArn);
    if (account) return { account, from: `the vault session's role ${definition.roleArn}` };
  }
  const region = env.AWS_REGION || env.AWS_DEFAULT_REGION || values.region || definition?.region || 'us-east-1';
  return accountOfKey({ ...options, region, who: `profile "${profile}"` });
}

/**
 * The account of a key: from the cache, else one STS GetCallerIdentity with the credentials
 * themselves, then remembered. `who` names the credentials in the error ("profile "x"").
 */
export async function accountOfKey(options: {
  who: string;
  expected: string;
  credentials: SigningCredentials;
  region: string;
  env: NodeJS.ProcessEnv;
  now: Date;
  trace: Trace;
}): Promise<{ account: string; from: string }> {
  const { credentials, env, trace } = options;
  const cached = cachedAccount(credentials.accessKeyId, env);
  if (cached) return { account: cached, from: `the account cache (key ${mask(credentials.accessKeyId)})` };

  const { createStsClient } = await import('../sts/sts-client.js');
  let identity;
  try {
    identity = await createStsClient({ region: options.region, credentials, env, now: () => options.now, trace, maxAttempts: 2 }).getCallerIdentity();
  } catch (error) {
    if (!(error instanceof UserError)) throw error;
    throw new UserError(`cannot confirm the account of ${options.who} (pinned to ${options.expected} by --account), so not signing: ${error.message}`);
  }
  try {
    rememberAccount(credentials.accessKeyId, identity.account, env);
  } catch (error) {
    trace(`could not remember the account: ${(error as Error).message}`);
  }
  return { account: identity.account, from: `STS GetCallerIdentity (${identity.arn})` };
}

export interface AmbientPinOptions {
  expected: string;
  credentials: SigningCredentials;
  source: AmbientSource;
  /** For GetCallerIdentity when AWS_REGION is not set: the CodeCommit host's region. */
  region: string;
  env: NodeJS.ProcessEnv;
  now: Date;
  trace: Trace;
}

/**
 * `--credentials ambient`: the same pin for the machine's own credentials. A web identity
 * exchange names its role, whose account the credentials belong to (no network); any other
 * source goes through the key cache, then STS.
 */
export async function checkAmbientAccountPin(options: AmbientPinOptions): Promise<void> {
  const { expected, source, trace } = options;
  checkAccountId(expected);
  const { account, from } = (await ambientAccountOf(options, { network: true }))!;
  trace(`the ambient credentials (${source.kind}) are in account ${account} (from ${from}); pinned to ${expected}`);
  if (account !== expected) {
    throw new UserError(
      `refusing to sign: the ambient credentials (${source.kind}) belong to account ${account}, but this helper line is pinned to account ${expected} (--account); ` +
        'give the job credentials for that account, or fix the pin',
    );
  }
}

/** Where the ambient credentials' account comes from; without `network`, undefined when only STS could say. */
export async function ambientAccountOf(options: AmbientPinOptions, { network }: { network: boolean }): Promise<{ account: string; from: string } | undefined> {
  const { source, env, credentials } = options;
  const fromRole = source.roleArn === undefined ? undefined : accountOfArn(source.roleArn);
  if (fromRole) return { account: fromRole, from: `AWS_ROLE_ARN ${source.roleArn}` };
  if (!network) {
    const cached = cachedAccount(credentials.accessKeyId, env);
    return cached ? { account: cached, from: `the account cache (key ${mask(credentials.accessKeyId)})` } : undefined;
  }
  const region = env.AWS_REGION || env.AWS_DEFAULT_REGION || options.region;
  return accountOfKey({ ...options, who: `the ambient credentials (${source.kind})`, region });
}
