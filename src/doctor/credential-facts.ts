// Where a profile's credentials come from and when they expire, read from the shared files and
// cc-helper's session definitions without loading them (no SDK, no STS, no prompt).
import { EXPIRY_KEY, SESSION_MARKER_KEY } from '../aws-files/credentials-file-editor.js';
import { DEFAULT_PROFILE } from '../aws-files/profile-choice.js';
import { findSessionDefinition, type SessionDefinition } from '../sessions/session-definitions.js';
import { UserError } from '../support/errors.js';
import { profileArgument, profileOption } from '../support/shell-word.js';
import { mask } from '../support/trace.js';
import { finding, type CredentialsFact, type DefaultProfileFact, type Finding, type SignInFact } from './report.js';
import { signInFacts } from './sign-in-facts.js';
import { readProfile, type ProfileData } from '../aws-files/profile.js';
import { sessionKind } from '../aws-files/profile-kind.js';

/** Sessions closer than this to their end are mentioned (the helper renews vault ones then). */
const EXPIRY_SOON_MS = 5 * 60_000;

export function credentialFacts(
  name: string,
  env: NodeJS.ProcessEnv,
  now: Date,
  allowDefault: boolean,
): { credentials: CredentialsFact; findings: Finding[] } {
  const findings: Finding[] = [];
  let profile: ProfileData;
  let definition: SessionDefinition | undefined;
  try {
    profile = readProfile(name, env);
    definition = findSessionDefinition(name, env);
  } catch (error) {
    if (!(error instanceof UserError)) throw error;
    return { credentials: missing(null, error.message), findings: [finding('error', 'aws-files-unreadable', error.message)] };
  }
  const renewal: CredentialsFact['renewal'] = definition
    ? 'leapp' in definition.source ? 'leapp' : 'vault' in definition.source ? 'vault' : 'profile'
    : null;
  const v = profile.values;
  const file = profile.keysFromCredentialsFile || profile.inCredentialsFile ? profile.credentialsFile : profile.inConfigFile ? profile.configFile : null;

  if (!profile.inCredentialsFile && !profile.inConfigFile) {
    if (definition) {
      findings.push(finding('info', 'no-session-yet', `profile "${name}" has no session now: cc-helper starts one on the next push (${describeDefinition(definition)})`, `cc-helper session start ${profileArgument(name)}`));
      return { credentials: { ...missing(null, describeDefinition(definition)), kind: renewal === 'leapp' ? 'leapp' : 'vault session', renewal }, findings };
    }
    findings.push(
      finding('error', 'profile-missing', `profile "${name}" is not in ${profile.credentialsFile} or ${profile.configFile}`, `aws configure ${profileOption(name)} (or cc-helper vault add ${profileArgument(name)})`),
    );
    return { credentials: missing(null, 'no such profile'), findings };
  }

  const kind = sessionKind(profile);
  const accessKeyId = v.aws_access_key_id ? mask(v.aws_access_key_id) : null;
  let credentialKind: CredentialsFact['kind'];
  let detail: string;
  if (kind === 'role') {
    credentialKind = 'role';
    detail = `assumes ${v.role_arn} with ${v.source_profile ? `profile "${v.source_profile}"` : v.credential_source ? `credential_source ${v.credential_source}` : 'no source'}${v.mfa_serial ? ' (MFA)' : ''}`;
    if (v.source_profile === DEFAULT_PROFILE && !allowDefault) {
      findings.push(finding('error', 'role-from-default', `profile "${name}" takes its source credentials from [default], which cc-helper refuses`, 'point source_profile at a dedicated profile'));
    }
  } else if (kind === 'sso') {
    credentialKind = 'sso';
    detail = `SSO ${v.sso_session ? `sso-session "${v.sso_session}"` : `${v.sso_start_url} (legacy: no sso_session)`}, account ${v.sso_account_id ?? '?'}, role ${v.sso_role_name ?? '?'}`;
  } else if (kind === 'login') {
    credentialKind = 'login';
    detail = `aws login session ${v.login_session}`;
  } else if (kind === 'process') {
    credentialKind = 'process';
    detail = 'credential_process (run on every push that needs new credentials)';
  } else if (kind === 'web identity') {
    credentialKind = 'web identity';
    detail = 'web_identity_token_file';
  } else if (v[SESSION_MARKER_KEY] !== undefined || definition) {
    credentialKind = renewal === 'leapp' ? 'leapp' : 'vault session';
    detail = definition ? describeDefinition(definition) : `a session cc-helper wrote (vault item "${v[SESSION_MARKER_KEY]}") but no longer has a definition for`;
  } else {
    credentialKind = 'static';
    detail = v.aws_session_token || v.aws_security_token ? 'keys with a session token' : 'long-term keys';
  }
  if (!kind && (!v.aws_access_key_id || !v.aws_secret_access_key) && !definition) {
    findings.push(
      finding('error', 'credentials-incomplete', `profile "${name}" has no ${v.aws_access_key_id ? 'aws_secret_access_key' : 'aws_access_key_id'} and no role, SSO or credential_process settings`, `complete it in ${profile.credentialsFile}`),
    );
  }

  let expiresAt: string | null = null;
  let expired = false;
  let minutesLeft: number | null = null;
  const expiresText = v[EXPIRY_KEY];
  if (!kind && expiresText) {
    const expiry = new Date(expiresText);
    if (Number.isNaN(expiry.getTime())) {
      findings.push(finding('error', 'expiry-unreadable', `profile "${name}" has an unreadable ${EXPIRY_KEY}: expected RFC 3339`, `fix ${EXPIRY_KEY} in ${profile.credentialsFile}`));
    } else {
      expiresAt = expiry.toISOString();
      const left = expiry.getTime() - now.getTime();
      expired = left <= 0;
      minutesLeft = Math.floor(left / 60_000);
      if (expired && renewal) {
        findings.push(finding('info', 'session-expired-renewable', `the session of profile "${name}" expired at ${expiresAt}; cc-helper starts a new one on the next push (${describeDefinition(definition!)})`, `cc-helper session start ${profileArgument(name)}`));
      } else if (expired) {
        findings.push(
          finding('error', 'credentials-expired', `the credentials of profile "${name}" expired at ${expiresAt}, and no cc-helper vault renews them`, `refresh them with the tool that wrote them, or keep the key in a vault: cc-helper vault add ${profileArgument(name)}`),
        );
      } else if (left < EXPIRY_SOON_MS) {
        findings.push(finding('info', 'credentials-expire-soon', `the credentials of profile "${name}" expire in under 5 minutes (${expiresAt})`, renewal ? null : 'refresh them with the tool that wrote them'));
      }
    }
  }
  let signIn: SignInFact | null = null;
  if (kind === 'sso' || kind === 'login' || kind === 'role') {
    const facts = signInFacts(name, env, now);
    if (facts) {
      signIn = facts.signIn;
      findings.push(...facts.findings);
    }
  }
  return { credentials: { kind: credentialKind, accessKeyId, file, expiresAt, expired, minutesLeft, renewal, detail, signIn }, findings };
}

/** Whether [default] holds keys; `pushProfiles` are the profiles the checked URLs sign with. */
export function defaultProfileFacts(env: NodeJS.ProcessEnv, pushProfiles: readonly string[]): { fact: DefaultProfileFact; findings: Finding[] } {
  let profile: ProfileData;
  try {
    profile = readProfile(DEFAULT_PROFILE, env);
  } catch (error) {
    if (!(error instanceof UserError)) throw error;
    return { fact: { hasKeys: false, accessKeyId: null, file: null, looksLikeCanary: false }, findings: [] };
  }
  const key = profile.values.aws_access_key_id;
  if (!key) return { fact: { hasKeys: false, accessKeyId: null, file: null, looksLikeCanary: false }, findings: [] };
  const file = profile.keysFromCredentialsFile ? profile.credentialsFile : profile.configFile;
  const dedicated = pushProfiles.filter((p) => p !== DEFAULT_PROFILE);
  const looksLikeCanary = dedicated.length > 0 && !pushProfiles.includes(DEFAULT_PROFILE);
  const message =
    `[default] in ${file} holds keys (${mask(key)}): cc-helper never uses them unless a helper line names ` +
    `--profile default --allow-default` +
    (looksLikeCanary
      ? `; your pushes use ${dedicated.map((p) => `"${p}"`).join(', ')}, so these look like a canary (or a leftover): anything falling back to [default], such as the AWS CLI helper without --profile, would touch them`
      : '');
  return { fact: { hasKeys: true, accessKeyId: mask(key), file, looksLikeCanary }, findings: [finding('info', 'default-has-keys', message, null)] };
}

function describeDefinition(d: SessionDefinition): string {
  const from = 'vault' in d.source ? `${d.source.vault} vault` : 'leapp' in d.source ? 'Leapp' : `profile "${d.source.profile}"`;
  return `${d.roleArn ? `AssumeRole ${d.roleArn}` : 'GetSessionToken'} from the ${from}${d.mfaSerial ? ', asks for an MFA code' : ''}`;
}

function missing(file: string | null, detail: string): CredentialsFact {
  return { kind: 'missing', accessKeyId: null, file, expiresAt: null, expired: false, minutesLeft: null, renewal: null, detail, signIn: null };
}
