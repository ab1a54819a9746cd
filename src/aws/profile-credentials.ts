// Credentials of one named profile. Static keys (the common case) are read straight from the
// shared files; profiles that need STS, SSO or a process go through the AWS SDK, which is
// imported only then, so the common path never pays for loading it.
import { readFileSync } from 'node:fs';
import type { SigningCredentials } from '../codecommit/password.js';
import { UserError } from '../support/errors.js';
import { silentTrace, type Trace } from '../support/trace.js';
import { IniSyntaxError, readIniSection } from './ini-sections.js';
import { DEFAULT_PROFILE } from './profile-choice.js';
import { sharedFilePaths } from './shared-files.js';

export type CredentialSource = 'credentials file' | 'config file' | 'role' | 'sso' | 'process' | 'web identity' | 'vault session';

export interface ProfileCredentials {
  credentials: SigningCredentials;
  source: CredentialSource;
}

export interface LoadOptions {
  env?: NodeJS.ProcessEnv;
  now?: Date;
  trace?: Trace;
  allowDefault?: boolean;
}

/** Keys that mean "ask the SDK": the same tests, in the same order, as the SDK's fromIni. */
const ROLE_KEYS = ['role_arn'];
const SSO_KEYS = ['sso_session', 'sso_start_url'];
const PROCESS_KEYS = ['credential_process'];
const WEB_IDENTITY_KEYS = ['web_identity_token_file'];

/** The merged view of a profile: config `[profile NAME]` overlaid by credentials `[NAME]`. */
export interface ProfileData {
  values: Record<string, string>;
  inCredentialsFile: boolean;
  inConfigFile: boolean;
  /** Whether the access key id comes from the credentials file (it overrides the config file). */
  keysFromCredentialsFile: boolean;
  credentialsFile: string;
  configFile: string;
}

export function readProfile(name: string, env: NodeJS.ProcessEnv = process.env): ProfileData {
  const { credentialsFile, configFile } = sharedFilePaths(env);
  const fromConfig = readSection(configFile, name === DEFAULT_PROFILE ? name : `profile ${name}`);
  const fromCredentials = readSection(credentialsFile, name);
  return {
    values: { ...fromConfig, ...fromCredentials },
    inCredentialsFile: fromCredentials !== undefined,
    inConfigFile: fromConfig !== undefined,
    keysFromCredentialsFile: fromCredentials?.aws_access_key_id !== undefined,
    credentialsFile,
    configFile,
  };
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
        `create it (e.g. \`aws configure --profile ${name}\`) or fix the name in the helper line`,
    );
  }
  const v = profile.values;
  const kind = sdkKind(v);
  if (kind) {
    if (!options.allowDefault) refuseDefaultInChain(name, v, env);
    // Role (with source_profile) and SSO profiles: cc-helper's own client and the AWS CLI's cache
    // (kept in the hot bundle, but loaded only for such profiles: they need node:crypto).
    if (kind === 'role' && v.source_profile) {
      const { loadRoleCredentials } = await import('../role/role-profile.js');
      return { credentials: await loadRoleCredentials(name, v, { env, now, trace }), source: 'role' };
    }
    if (kind === 'sso') {
      const { loadSsoCredentials } = await import('../role/sso-profile.js');
      return { credentials: await loadSsoCredentials(name, v, { env, now, trace }), source: 'sso' };
    }
    trace(`profile "${name}" needs the AWS SDK (${kind})`);
    const { loadWithSdk } = await import('./sdk-credentials.js');
    return loadWithSdk(name, kind, { env, now, trace, values: v });
  }
  const accessKeyId = v.aws_access_key_id;
  const secretAccessKey = v.aws_secret_access_key;
  if (!accessKeyId || !secretAccessKey) {
    throw new UserError(
      `profile "${name}" has no ${accessKeyId ? 'aws_secret_access_key' : 'aws_access_key_id'} ` +
        `and no role, SSO or credential_process settings: complete it in ${profile.credentialsFile}`,
    );
  }
  const credentials: SigningCredentials = { accessKeyId, secretAccessKey };
  // botocore reads the legacy aws_security_token first; the signature must match the CLI's.
  const sessionToken = v.aws_security_token || v.aws_session_token;
  if (sessionToken) credentials.sessionToken = sessionToken;
  const expires = v.x_security_token_expires;
  if (expires) {
    const expiration = new Date(expires);
    if (Number.isNaN(expiration.getTime())) {
      throw new UserError(`profile "${name}" has an unreadable x_security_token_expires (${JSON.stringify(expires.slice(0, 40))}): expected RFC 3339`);
    }
    if (expiration.getTime() <= now.getTime()) {
      throw new UserError(
        `the credentials of profile "${name}" expired at ${expiration.toISOString()}: ` +
          'refresh them with the tool that wrote them (or `cc-helper session start ' + name + '`) and try again',
      );
    }
    credentials.expiration = expiration;
  }
  return { credentials, source: profile.keysFromCredentialsFile ? 'credentials file' : 'config file' };
}

export type SdkKind = 'role' | 'sso' | 'process' | 'web identity';

export function sdkKind(values: Record<string, string>): SdkKind | undefined {
  const has = (keys: string[]) => keys.some((k) => values[k] !== undefined && values[k] !== '');
  if (has(ROLE_KEYS)) return 'role';
  if (values.aws_access_key_id && values.aws_secret_access_key) return undefined;
  if (has(WEB_IDENTITY_KEYS)) return 'web identity';
  if (has(PROCESS_KEYS)) return 'process';
  if (has(SSO_KEYS)) return 'sso';
  return undefined;
}

/** A role chain that ends in `[default]` would touch the canary: only with the explicit opt-in. */
function refuseDefaultInChain(name: string, values: Record<string, string>, env: NodeJS.ProcessEnv): void {
  const seen = new Set<string>([name]);
  let current = values; // the profile itself is already read: only the chain's next hops are
  while (current.source_profile) {
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

function readSection(file: string, section: string): Record<string, string> | undefined {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new UserError(`cannot read ${file}: ${(error as Error).message}`);
  }
  try {
    return readIniSection(text, section);
  } catch (error) {
    if (error instanceof IniSyntaxError) {
      throw new UserError(`cannot parse ${file} (${error.message}): fix that line; the AWS CLI would refuse it too`);
    }
    throw error;
  }
}
