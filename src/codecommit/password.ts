// CodeCommit's git password: a SigV4 signature over a pseudo-request with method `GIT`.
// Pure: credentials, host, path and time in; username, password and expiry out. The clock is a
// parameter so golden vectors made by the AWS CLI under a frozen clock reproduce exactly.
import { createScope, getSigningKey } from '@smithy/signature-v4';
import { Sha256, sha256 } from '../crypto/sha256.js';
import { basicTimestamp } from '../support/utc-time.js';

export interface SigningCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
  /** When the credentials themselves stop working, if known. */
  expiration?: Date;
}

export interface CodeCommitPasswordInput {
  credentials: SigningCredentials;
  /** Host without port, exactly as git named it. */
  hostname: string;
  region: string;
  /** git's `path` attribute, e.g. `v1/repos/myrepo` (no leading slash). */
  path: string;
  signingDate: Date;
}

export interface CodeCommitPassword {
  username: string;
  password: string;
  /** Unix seconds after which CodeCommit refuses the password. */
  expiresAt: number;
  /** The intermediate texts, for `--debug`: they hold no secret. */
  canonicalRequest: string;
  stringToSign: string;
}

/** CodeCommit accepts a password for about 15 minutes after its timestamp. */
export const PASSWORD_LIFETIME_SECONDS = 15 * 60;
const SERVICE = 'codecommit';

export async function computeCodeCommitPassword(input: CodeCommitPasswordInput): Promise<CodeCommitPassword> {
  // One frozen snapshot: the same key, secret and token are used for every part of the answer.
  const credentials = { ...input.credentials };
  const timestamp = basicTimestamp(input.signingDate); // YYYYMMDDTHHMMSS, no Z
  const date = timestamp.slice(0, 8);
  const scope = createScope(date, input.region, SERVICE);
  const canonicalRequest = `GIT\n/${input.path}\n\nhost:${input.hostname}\n\nhost\n`;
  const stringToSign = `AWS4-HMAC-SHA256\n${timestamp}\n${scope}\n${sha256Hex(canonicalRequest)}`;

  // @smithy/signature-v4 derives the AWS4 signing key (secret -> date -> region -> service ->
  // aws4_request); the last HMAC, over our string to sign, is what its signString does. Its
  // SignatureV4 class signs HTTP requests, which CodeCommit's pseudo-request is not, and would
  // add a third of the get path's code for nothing.
  const signingKey = new Sha256(await getSigningKey(Sha256, credentials, date, input.region, SERVICE));
  signingKey.update(stringToSign);
  const signature = Buffer.from(signingKey.digestSync()).toString('hex');

  const signedAt = Math.floor(input.signingDate.getTime() / 1000);
  let expiresAt = signedAt + PASSWORD_LIFETIME_SECONDS;
  if (credentials.expiration) {
    expiresAt = Math.min(expiresAt, Math.floor(credentials.expiration.getTime() / 1000));
  }
  return {
    username: credentials.sessionToken ? `${credentials.accessKeyId}%${credentials.sessionToken}` : credentials.accessKeyId,
    password: `${timestamp}Z${signature}`,
    expiresAt,
    canonicalRequest,
    stringToSign,
  };
}

function sha256Hex(text: string): string {
  return Buffer.from(sha256(text)).toString('hex');
}
