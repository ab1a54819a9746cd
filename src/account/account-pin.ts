// Account pinning (`--account 123456789012` on the helper line): refuse to sign when the
// credentials that will sign belong to another account, so one client's code cannot be pushed into
// another client's account. Loaded by `get` only when the helper line carries --account and the
// source's own proof does not already name that account (provesAccount, account-evidence.ts).
//
// THE RULE (SECURITY.md, "The account pin", says the same). Every signing path — a profile's
// static keys, a role or SSO profile (cache or fresh), a vault session, `--credentials ambient` —
// hands its credentials here, and the account they belong to is taken from, in this order:
//   1. the evidence the source returned with them (ProfileCredentials.account), which a source
//      sets only when it holds proof for exactly these keys: an STS or SSO portal answer it just
//      got (AssumeRole's AssumedRoleUser, GetRoleCredentials for an account), or an AWS CLI cache
//      file whose contents agree with what its name claims (an AssumeRole cache whose
//      AssumedRoleUser.Arn is a session of the profile's role_arn; an SSO cache whose AccountId,
//      if any, is sso_account_id) — a file that disagrees is never used at all;
//   2. the key -> account cache (accounts.json), which only STS answers fill;
//   3. one STS GetCallerIdentity signed with the credentials themselves, then remembered.
// Nothing else counts: not a role_arn, sso_account_id or aws_account_id written beside keys, not
// a vault definition's role, not an account a credential_process or a metadata endpoint names.
// A new kind of source (the `aws login` token cache carries its accountId) plugs in by setting
// `account` when, and only when, its own answer proves it.
import type { SigningCredentials } from '../codecommit/password.js';
import { UserError } from '../support/errors.js';
import { mask, type Trace } from '../support/trace.js';
import type { AccountEvidence } from './account-evidence.js';
import { cachedAccount, rememberAccount } from './account-cache.js';

/** Credentials about to sign, as a signing path hands them to the pin. */
export interface SigningParty {
  /** Names them in messages: `profile "x"`, `the ambient credentials (environment)` (plural: set `plural`). */
  who: string;
  plural?: boolean;
  credentials: SigningCredentials;
  /** The source's proof of their account, if it has one. */
  account?: AccountEvidence | undefined;
  /** The region for GetCallerIdentity (a function: worked out only if it comes to that). */
  region: string | (() => string);
}

export interface PinContext {
  env: NodeJS.ProcessEnv;
  now: Date;
  trace: Trace;
}

export function checkAccountId(account: string): void {
  if (!/^\d{12}$/.test(account)) {
    throw new UserError(`--account ${JSON.stringify(account.slice(0, 40))} is not an AWS account id (12 digits, like 123456789012): fix the helper line (cc-helper setup --account ID)`);
  }
}

/**
 * Resolves when the credentials belong to `expected`; throws a UserError (one line, what to do)
 * otherwise. `fix` ends the refusal: what the person should change.
 */
export async function checkAccountPin(party: SigningParty, expected: string, context: PinContext, fix = 'fix the profile, or the helper line if the pin is wrong'): Promise<void> {
  checkAccountId(expected);
  const { id, from } = (await accountOf(party, context, { network: true, expected }))!;
  context.trace(`${party.who}: account ${id} (from ${from}); pinned to ${expected}`);
  if (id !== expected) {
    throw new UserError(`refusing to sign: ${party.who} ${party.plural ? 'belong' : 'belongs'} to account ${id}, but this helper line is pinned to account ${expected} (--account); ${fix}`);
  }
}

/**
 * The account of the credentials by the rule above. Without `network`, undefined when only STS
 * could say (doctor, offline).
 */
export async function accountOf(
  party: SigningParty,
  context: PinContext,
  { network, expected }: { network: boolean; expected?: string },
): Promise<AccountEvidence | undefined> {
  if (party.account && /^\d{12}$/.test(party.account.id)) return party.account; // step 1 (get.ts takes it without loading this module when it names the pin: provesAccount)
  const { credentials } = party;
  const cached = cachedAccount(credentials.accessKeyId, context.env);
  if (cached) return { id: cached, from: `the account cache (key ${mask(credentials.accessKeyId)})` };
  if (!network) return undefined;
  const { createStsClient } = await import('../aws-clients/sts-client.js');
  let identity;
  try {
    const region = typeof party.region === 'function' ? party.region() : party.region;
    identity = await createStsClient({ region, credentials, env: context.env, now: () => context.now, trace: context.trace, maxAttempts: 2 }).getCallerIdentity();
  } catch (error) {
    if (!(error instanceof UserError)) throw error;
    throw new UserError(`cannot confirm the account of ${party.who}${expected ? ` (pinned to ${expected} by --account)` : ''}, so not signing: ${error.message}`);
  }
  remember(credentials.accessKeyId, identity.account, context);
  return { id: identity.account, from: `STS GetCallerIdentity (${identity.arn})` };
}

/**
 * Records what an STS answer proved about a key, so a later get with the same key (a session
 * written into the credentials file) needs no STS call. Failing to write costs a call later.
 */
export function remember(accessKeyId: string, account: string, context: Pick<PinContext, 'env' | 'trace'>): void {
  try {
    rememberAccount(accessKeyId, account, context.env);
  } catch (error) {
    context.trace(`could not remember the account: ${(error as Error).message}`);
  }
}
