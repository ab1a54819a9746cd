// Static keys: a profile's aws_access_key_id, aws_secret_access_key and session token, taken from
// ONE section as botocore's SharedCredentialProvider and ConfigProvider take them
// (botocore/credentials.py): the credentials file's `[NAME]`, else the config file's profile.
import type { SectionValues } from '../aws-files/shared-file-parser.js';
import type { SigningCredentials } from '../codecommit/password.js';
import { UserError } from '../support/errors.js';
import { profileArgument } from '../support/shell-word.js';

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

