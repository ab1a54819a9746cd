// `doctor` for a `--credentials ambient` helper line: which ambient source answers (it asks it,
// as the helper would: the local endpoints, or STS for web identity), and which account the
// credentials belong to against the pin (STS only with --online, unless the role ARN or the
// account cache already says).
import { accountOf } from '../account/account-pin.js';
import { ambientSourceOf, loadAmbientCredentials } from '../credential-sources/ambient-credentials.js';
import { UserError } from '../support/errors.js';
import { mask, type Trace } from '../support/trace.js';
import { finding, type CredentialsFact, type Finding } from './report.js';

export async function ambientFacts(options: {
  account: string | null;
  region: string;
  env: NodeJS.ProcessEnv;
  now: Date;
  online: boolean;
  trace: Trace;
}): Promise<{ credentials: CredentialsFact | null; findings: Finding[] }> {
  const { account: pin, env, now, trace } = options;
  const setupFix = 'cc-helper setup --ambient --account ID';
  if (pin === null) {
    return {
      credentials: null,
      findings: [finding('error', 'ambient-without-account', 'the helper line has --credentials ambient without --account: the helper refuses to sign, since ambient credentials could belong to any account', setupFix)],
    };
  }
  const source = ambientSourceOf(env);
  const fact: CredentialsFact = { kind: 'ambient', accessKeyId: null, file: null, expiresAt: null, expired: false, minutesLeft: null, renewal: null, detail: '', signIn: null };
  if (!source) {
    fact.detail = 'no ambient source is configured here (the shared files are never used in this mode)';
    return {
      credentials: fact,
      findings: [finding('error', 'no-ambient-credentials', 'no ambient credentials: none of AWS_ACCESS_KEY_ID, AWS_WEB_IDENTITY_TOKEN_FILE, AWS_CONTAINER_CREDENTIALS_RELATIVE_URI/_FULL_URI is set, and instance metadata is disabled', 'give the job credentials (see the recipes in docs/ci-and-cloud.md)')],
    };
  }
  let loaded;
  try {
    loaded = await loadAmbientCredentials({ env, now, region: options.region, trace });
  } catch (error) {
    if (!(error instanceof UserError)) throw error;
    fact.detail = `${source.kind} did not answer: ${source.detail}`;
    return { credentials: fact, findings: [finding('error', 'ambient-failed', error.message, null)] };
  }
  const { credentials, account } = loaded;
  fact.accessKeyId = mask(credentials.accessKeyId);
  fact.detail = `${source.kind} answered: ${source.detail}`;
  if (credentials.expiration) {
    fact.expiresAt = credentials.expiration.toISOString();
    fact.minutesLeft = Math.floor((credentials.expiration.getTime() - now.getTime()) / 60_000);
  }
  let found;
  try {
    // The helper's own rule (account-pin.ts); STS only with --online.
    const party = { who: `the ambient credentials (${source.kind})`, plural: true, credentials, account, region: env.AWS_REGION || env.AWS_DEFAULT_REGION || options.region };
    found = await accountOf(party, { env, now, trace }, { network: options.online, expected: pin });
  } catch (error) {
    if (!(error instanceof UserError)) throw error;
    return { credentials: fact, findings: [finding('error', 'sts-failed', error.message, null)] };
  }
  if (!found) {
    return { credentials: fact, findings: [finding('info', 'ambient-account-unconfirmed', `which account the ${source.kind} credentials belong to is not known yet (the helper asks STS on the first push, pinned to account ${pin})`, 'cc-helper doctor --online')] };
  }
  if (found.id !== pin) {
    return {
      credentials: fact,
      findings: [finding('error', 'account-mismatch', `the ${source.kind} credentials belong to account ${found.id} (from ${found.from}), but the helper line is pinned to account ${pin}: the helper refuses to sign`, 'give the job credentials for the pinned account, or fix --account')],
    };
  }
  return { credentials: fact, findings: [finding('info', 'ambient-account', `the ${source.kind} credentials belong to account ${found.id} (from ${found.from}), as pinned to account ${pin}`)] };
}
