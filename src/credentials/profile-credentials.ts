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
import { isSourceProfileRole, profileKind } from '../aws-files/profile-kind.js';
import { readProfile } from '../aws-files/profile.js';
import { DEFAULT_PROFILE } from '../aws-files/profile-choice.js';
import type { SectionValues } from '../aws-files/shared-file-parser.js';
import type { ProfileCredentials } from '../credential-sources/resolved.js';
import type { ResolveSource } from '../credential-sources/role-settings.js';
import { staticCredentials } from '../credential-sources/static-keys.js';
import { UserError } from '../support/errors.js';
import { profileOption } from '../support/shell-word.js';
import { silentTrace, type Trace } from '../support/trace.js';

export interface LoadOptions {
  env?: NodeJS.ProcessEnv;
  now?: Date;
  trace?: Trace;
  allowDefault?: boolean;
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
    return { ...(await loadRoleCredentials(name, v, { env, now, trace, resolveSource: sourceResolver(env, trace) })), source: 'role' };
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
 * How a role's source profile is resolved, handed to the role source (ResolveSource) so that it
 * never imports this module: a `source_profile` role in turn by the role source, with the chain
 * (to stop a loop); any other profile by this resolver, from botocore's first step (the chain was
 * already checked for [default]).
 */
function sourceResolver(env: NodeJS.ProcessEnv, trace: Trace): ResolveSource {
  const resolve: ResolveSource = async (name, values, chain) => {
    if (isSourceProfileRole(values)) {
      const { loadRoleCredentials } = await import('../credential-sources/role-profile.js');
      return (await loadRoleCredentials(name, values, { env, now: new Date(), trace, chain, resolveSource: resolve })).credentials;
    }
    return (await loadProfileCredentials(name, { env, now: new Date(), trace, allowDefault: true })).credentials;
  };
  return resolve;
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

