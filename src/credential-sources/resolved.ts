// What every credential source hands back, and what it is handed. A source returns the
// credentials that will sign and, only when it holds proof for exactly these keys, the account they
// belong to (account/account-evidence.ts); the resolver (credentials/profile-credentials.ts) adds
// which source answered.
import type { AccountEvidence } from '../account/account-evidence.js';
import type { SigningCredentials } from '../codecommit/password.js';
import type { Trace } from '../support/trace.js';

export type CredentialSource = 'credentials file' | 'config file' | 'role' | 'sso' | 'login' | 'process' | 'web identity' | 'vault session';

export interface ProfileCredentials {
  credentials: SigningCredentials;
  source: CredentialSource;
  /**
   * Proof of the account these very credentials belong to, set only by a source that has it (an
   * STS or SSO portal answer for them, a cache file that holds what it claims); the account pin
   * (account/account-pin.ts) asks the key cache or STS when it is absent. Never taken from a
   * setting written beside the keys (a role_arn, an aws_account_id).
   */
  account?: AccountEvidence;
}

/** Credentials a cache (or a fetch) serves, with the proof of their account when there is one. */
export interface Served {
  credentials: SigningCredentials;
  account?: AccountEvidence;
}

/** What a source is handed: the environment, the clock and the trace. */
export interface SourceContext {
  env: NodeJS.ProcessEnv;
  now: Date;
  trace: Trace;
}
