// Account pinning (`--account 123456789012` on the helper line): refuse to sign when the
// profile's credentials belong to another account, so one client's code cannot be pushed into
// another client's account. Loaded by `get` only when the helper line carries --account.
//
// Where the account comes from, cheapest first:
//   1. a role ARN: the role the signing credentials were just assumed from (an assumed role's
//      credentials belong to the role's account), or the vault session's roleArn — no network.
//      Never a `role_arn` merely written beside the keys: only the credentials that sign count;
//   2. the cache of access key id -> account (accounts.json) — no network;
//   3. one STS GetCallerIdentity with the credentials themselves, then remembered.
import type { SigningCredentials } from '../codecommit/password.js';
import type { AmbientSource } from '../aws/ambient-credentials.js';
import type { CredentialSource } from '../aws/profile-credentials.js';
import { readProfile } from '../aws/profile-credentials.js';
import { sharedFilePaths } from '../aws/shared-files.js';
import type { SessionDefinition } from '../session/session-definitions.js';
import { UserError } from '../support/errors.js';
import { mask, type Trace } from '../support/trace.js';
import { cachedAccount, rememberAccount } from './account-cache.js';

export interface AccountPinOptions {
  profile: string;
  /** The pinned account id from the helper line. */
  expected: string;
  credentials: SigningCredentials;
  source: CredentialSource;
  /** For source 'role': the role the signing credentials were assumed from (set by the SDK path). */
  roleArn?: string;
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
  if (options.source === 'role' && options.roleArn !== undefined && credentials.sessionToken !== undefined) {
    const account = accountOfArn(options.roleArn);
    if (account) return { account, from: `the assumed role ${options.roleArn}` };
  }
  const { findSessionDefinition } = await import('../session/session-definitions.js');
  const definition = findSessionDefinition(profile, env);
  if (definition?.roleArn && (await signsWithOwnRoleSession(definition, options))) {
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

/**
 * Whether the credentials that will sign are a session cc-helper itself got by assuming the
 * definition's role: just now (source 'vault session'), or earlier, written into the profile's
 * section with its marker, and the key that signs is that section's key. A session another tool
 * wrote there (saml2aws for another account, say), or a Leapp session (Leapp picks the role),
 * proves nothing about the role ARN beside it: those are judged by the credentials themselves.
 */
async function signsWithOwnRoleSession(definition: SessionDefinition, options: AccountPinOptions): Promise<boolean> {
  if ('leapp' in definition.source) return false;
  if (options.source === 'vault session') return true;
  if (options.source !== 'credentials file' || options.credentials.sessionToken === undefined) return false;
  const { readProfileSection, SESSION_MARKER_KEY } = await import('../aws/credentials-file-editor.js');
  const { sessionMarkerFor } = await import('../session/session-definitions.js');
  const section = await readProfileSection(sharedFilePaths(options.env).credentialsFile, options.profile);
  return section?.[SESSION_MARKER_KEY] === sessionMarkerFor(definition) && section.aws_access_key_id === options.credentials.accessKeyId;
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
