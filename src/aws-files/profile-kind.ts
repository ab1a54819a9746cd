// Which step of botocore's credential chain answers for a profile (botocore/credentials.py,
// create_credential_resolver and the providers' order; the steps are listed in
// credentials/profile-credentials.ts). Settings only, no credentials read: the SDK hand-over
// classifies each source_profile hop with it too, so it sits below the credential sources.
import { UserError } from '../support/errors.js';
import type { ProfileData } from './profile.js';

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

/** A role profile cc-helper resolves itself (`role_arn` + `source_profile`); with credential_source the SDK does. */
export function isSourceProfileRole(values: Record<string, string>): boolean {
  return !!values.role_arn && !!values.source_profile;
}
