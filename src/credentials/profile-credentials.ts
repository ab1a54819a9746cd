// Credentials of one named profile, chosen the way the AWS CLI (botocore) chooses them. Static
// keys (the common case) are read straight from the shared files; profiles that need STS, SSO or
// a process go through the AWS SDK, which is imported only then, so the common path never pays
// for loading it.
//
// botocore's chain for an explicitly named profile, first match wins (credentials.py):
//   1. assume role: `role_arn` (and no `web_identity_token_file`) — with exactly one of
//      `source_profile` / `credential_source`, else the CLI refuses the profile;
//   2. web identity: a non-empty `web_identity_token_file` (and `role_arn`);
//   3. SSO: `sso_role_name` or `sso_account_id`;
//   4. the credentials file's `[NAME]` section, if it has `aws_access_key_id`: key, secret and
//      token all from that one section (a key without a secret is an error, not a merge);
//   5. `aws login`: `login_session` (botocore 1.43's LoginProvider, after the shared credentials
//      file and before the process: a profile with login_session is never signed with the
//      config file's keys or a credential_process beside it);
//   6. `credential_process`;
//   7. the config file's profile, if it has `aws_access_key_id`: key, secret and token from it.
// Steps 1, 2, 3, 5 and 6 read botocore's merged view: the config profile updated key by key with
// the credentials file's section (session.full_config).
import type { AccountEvidence } from '../account/account-evidence.js';
import type { SigningCredentials } from '../codecommit/password.js';
import { UserError } from '../support/errors.js';
import { profileArgument, profileOption } from '../support/shell-word.js';
import { silentTrace, type Trace } from '../support/trace.js';
import { DEFAULT_PROFILE } from '../aws-files/profile-choice.js';
import { configSectionProfile, configSectionSsoSession, emptyValues, mayNameProfile, type SectionValues } from '../aws-files/shared-file-parser.js';
import { readSharedFile } from '../aws-files/shared-file-reader.js';
import { sharedFilePaths } from '../aws-files/shared-files.js';

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

export interface LoadOptions {
  env?: NodeJS.ProcessEnv;
  now?: Date;
  trace?: Trace;
  allowDefault?: boolean;
}

/** A profile as botocore sees it. */
export interface ProfileData {
  /** botocore's merged view: the config profile overlaid key by key by the credentials file's section. */
  values: SectionValues;
  /** The credentials file's `[NAME]` section (with that file's [DEFAULT] keys), if any. */
  credentialsSection: SectionValues | undefined;
  /** The config file's profile (`[profile NAME]`, or `[default]`), if any; the last one wins. */
  configSection: SectionValues | undefined;
  inCredentialsFile: boolean;
  inConfigFile: boolean;
  /** Whether the static keys come from the credentials file (its section has aws_access_key_id). */
  keysFromCredentialsFile: boolean;
  credentialsFile: string;
  configFile: string;
}

export function readProfile(name: string, env: NodeJS.ProcessEnv = process.env): ProfileData {
  const { credentialsFile, configFile } = sharedFilePaths(env);
  // Both files are checked whole (or known clean, see shared-file-reader.ts): the CLI refuses a
  // file with a bad line anywhere.
  const configSection = readConfigProfile(configFile, name, env);
  const credentialsSection = readSharedFile(credentialsFile, (section) => section === name, name, env)?.sections.get(name);
  const values = emptyValues();
  if (configSection) Object.assign(values, configSection);
  if (credentialsSection) Object.assign(values, credentialsSection);
  return {
    values,
    credentialsSection,
    configSection,
    inCredentialsFile: credentialsSection !== undefined,
    inConfigFile: configSection !== undefined,
    keysFromCredentialsFile: credentialsSection !== undefined && 'aws_access_key_id' in credentialsSection,
    credentialsFile,
    configFile,
  };
}

export type SdkKind = 'role' | 'sso' | 'process' | 'web identity';
/** Kinds whose credentials come from somewhere other than the profile's own keys. */
export type SessionKind = SdkKind | 'login';
export type ProfileKind = SessionKind | 'credentials file' | 'config file';

/**
 * Which step of botocore's chain answers for this profile (undefined: none, the CLI finds no
 * credentials). Throws a UserError where the CLI refuses the profile.
 */
export function profileKind(name: string, profile: ProfileData): ProfileKind | undefined {
  const v = profile.values;
  if ('role_arn' in v && !('web_identity_token_file' in v)) {
    const hasSource = 'source_profile' in v;
    const hasCredentialSource = 'credential_source' in v;
    if (hasSource && hasCredentialSource) {
      throw new UserError(`profile "${name}" has both source_profile and credential_source: keep one (the AWS CLI refuses the profile too)`);
    }
    if (!hasSource && !hasCredentialSource) {
      throw new UserError(
        `profile "${name}" has role_arn but neither source_profile nor credential_source, so it is not a usable role profile ` +
          '(the AWS CLI refuses it too): add source_profile = <profile with the source keys>, or remove role_arn',
      );
    }
    return 'role';
  }
  if (v.web_identity_token_file) return 'web identity';
  if ('sso_role_name' in v || 'sso_account_id' in v) return 'sso';
  if (profile.keysFromCredentialsFile) return 'credentials file';
  if ('login_session' in v) return 'login';
  if ('credential_process' in v) return 'process';
  if (profile.configSection && 'aws_access_key_id' in profile.configSection) return 'config file';
  return undefined;
}

/** The kind of a profile whose credentials are not its own keys, if any; never throws (for reports like `doctor`). */
export function sessionKind(profile: ProfileData): SessionKind | undefined {
  let kind: ProfileKind | undefined;
  try {
    kind = profileKind('', profile);
  } catch {
    return 'role'; // a role profile the CLI refuses: still a role profile to describe
  }
  return kind === 'credentials file' || kind === 'config file' ? undefined : kind;
}

export async function loadProfileCredentials(name: string, options: LoadOptions = {}): Promise<ProfileCredentials> {
  const env = options.env ?? process.env;
  const now = options.now ?? new Date();
  const trace = options.trace ?? silentTrace;
  const profile = readProfile(name, env);
  trace(
    `profile "${name}": credentials file ${profile.credentialsFile} (${profile.inCredentialsFile ? 'has it' : 'absent'}), ` +
      `config file ${profile.configFile} (${profile.inConfigFile ? 'has it' : 'absent'})`,
  );
  if (!profile.inCredentialsFile && !profile.inConfigFile) {
    throw new UserError(
      `profile "${name}" is not in ${profile.credentialsFile} or ${profile.configFile}: ` +
        `create it (e.g. \`aws configure ${profileOption(name)}\`) or fix the name in the helper line`,
    );
  }
  const kind = profileKind(name, profile);
  if (kind === undefined) {
    throw new UserError(
      `profile "${name}" has no aws_access_key_id and no role, SSO, login_session or credential_process settings: complete it in ${profile.credentialsFile}`,
    );
  }
  if (kind === 'credentials file' || kind === 'config file') {
    const section = kind === 'credentials file' ? profile.credentialsSection! : profile.configSection!;
    const file = kind === 'credentials file' ? profile.credentialsFile : profile.configFile;
    return { credentials: staticCredentials(name, section, file, now), source: kind };
  }
  const v = profile.values;
  if (!options.allowDefault) refuseDefaultInChain(name, v, env);
  // Role (with source_profile) and SSO profiles: cc-helper's own client and the AWS CLI's cache
  // (kept in the hot bundle, but loaded only for such profiles: they need node:crypto).
  if (kind === 'role' && 'source_profile' in v) {
    const { loadRoleCredentials } = await import('../credential-sources/role-profile.js');
    return { ...(await loadRoleCredentials(name, v, { env, now, trace })), source: 'role' };
  }
  if (kind === 'sso') {
    const { loadSsoCredentials } = await import('../credential-sources/sso-profile.js');
    return { ...(await loadSsoCredentials(name, v, { env, now, trace })), source: 'sso' };
  }
  // `aws login`: the CLI's cache, in the hot bundle (refreshing it loads the rest).
  if (kind === 'login') {
    const { loadLoginCredentials } = await import('../credential-sources/login-profile.js');
    return { ...(await loadLoginCredentials(name, v, { env, now, trace })), source: 'login' };
  }
  trace(`profile "${name}" needs the AWS SDK (${kind})`);
  const { loadWithSdk } = await import('../credential-sources/sdk-credentials.js');
  return loadWithSdk(name, kind, profile, { env, now, trace });
}

/**
 * Key, secret and token from ONE section, as botocore takes them. Where the CLI would print an
 * answer git cannot use (an empty key, `key%` with an empty token, a line break inside a value
 * that would split git's answer), cc-helper refuses instead.
 */
export function staticCredentials(name: string, section: SectionValues, file: string, now: Date): SigningCredentials {
  const accessKeyId = section.aws_access_key_id!;
  if (!('aws_secret_access_key' in section)) {
    throw new UserError(`profile "${name}" has no aws_secret_access_key beside its aws_access_key_id in ${file}: add it (the AWS CLI refuses partial credentials too)`);
  }
  const secretAccessKey = section.aws_secret_access_key!;
  // botocore reads the legacy aws_security_token first, even when it is empty.
  const tokenKey = 'aws_security_token' in section ? 'aws_security_token' : 'aws_session_token' in section ? 'aws_session_token' : undefined;
  const credentials: SigningCredentials = { accessKeyId, secretAccessKey };
  for (const [key, value] of [['aws_access_key_id', accessKeyId], ['aws_secret_access_key', secretAccessKey], ...(tokenKey ? [[tokenKey, section[tokenKey]!]] : [])] as Array<[string, string]>) {
    if (value === '') throw new UserError(`profile "${name}" has an empty ${key} in ${file}: fill it in or remove the line`);
    // The value is never shown: it may be a secret.
    if (/[\r\n\0]/.test(value)) {
      throw new UserError(`profile "${name}" has a line break or NUL inside ${key} in ${file} (an indented line continues the value above it): fix the file`);
    }
  }
  if (tokenKey) credentials.sessionToken = section[tokenKey]!;
  const expires = section.x_security_token_expires;
  if (expires) {
    const expiration = new Date(expires);
    if (Number.isNaN(expiration.getTime())) {
      throw new UserError(`profile "${name}" has an unreadable x_security_token_expires (${JSON.stringify(expires.slice(0, 40))}): expected RFC 3339`);
    }
    if (expiration.getTime() <= now.getTime()) {
      throw new UserError(
        `the credentials of profile "${name}" expired at ${expiration.toISOString()}: ` +
          `refresh them with the tool that wrote them (or \`cc-helper session start ${profileArgument(name)}\`) and try again`,
      );
    }
    credentials.expiration = expiration;
  }
  return credentials;
}

/** A role chain that ends in `[default]` would touch the canary: only with the explicit opt-in. */
function refuseDefaultInChain(name: string, values: SectionValues, env: NodeJS.ProcessEnv): void {
  const seen = new Set<string>([name]);
  let current = values; // the profile itself is already read: only the chain's next hops are
  while (current.source_profile !== undefined) {
    const next = current.source_profile;
    if (next === DEFAULT_PROFILE) {
      throw new UserError(
        `profile "${name}" takes its source credentials from [default] (source_profile = default): ` +
          'point source_profile at a dedicated profile, or add --allow-default to the helper line',
      );
    }
    if (seen.has(next)) return; // the SDK reports loops itself
    seen.add(next);
    current = readProfile(next, env).values;
  }
}

/** The config file's profile `name`: the last section that botocore maps to it. */
function readConfigProfile(file: string, name: string, env: NodeJS.ProcessEnv): SectionValues | undefined {
  const parsed = readSharedFile(file, (section) => mayNameProfile(section, name) && configSectionProfile(section) === name, name, env);
  if (!parsed || parsed.order.length === 0) return undefined;
  return parsed.sections.get(parsed.order[parsed.order.length - 1]!);
}

/**
 * The config file's `[sso-session NAME]` (header read as botocore reads it; the last one wins), or
 * undefined when the file has none. Shared by the own SSO path and the SDK hand-over.
 */
export function readSsoSession(name: string, configFile: string, env: NodeJS.ProcessEnv = process.env): SectionValues | undefined {
  const parsed = readSharedFile(configFile, (section) => configSectionSsoSession(section) === name, name, env);
  const header = parsed?.order[parsed.order.length - 1];
  return header === undefined ? undefined : parsed!.sections.get(header);
}
