// CodeCommit's git password: a SigV4 signature over a pseudo-request with method `GIT`.
// Pure: credentials, host, path and time in; username, password and expiry out. The clock is a
// parameter so golden vectors made by the AWS CLI under a frozen clock reproduce exactly.
//
// Only SigV4's key chain and final HMAC apply to a pseudo-request (no headers to canonicalise, no
// payload), so they are written here, in the AWS documentation's five lines, rather than taken
// from @smithy/signature-v4 (which signs cc-helper's STS and IAM requests): its module set-up
// alone cost 1.5 ms of every get. test/golden-vectors.test.ts holds this to the AWS CLI's
// passwords and test/signing-key.test.ts to @smithy's getSigningKey.
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
  const scope = `${date}/${input.region}/${SERVICE}/aws4_request`;
  const canonicalRequest = `GIT\n/${input.path}\n\nhost:${input.hostname}\n\nhost\n`;
  const stringToSign = `AWS4-HMAC-SHA256\n${timestamp}\n${scope}\n${sha256Hex(canonicalRequest)}`;
  const signature = Buffer.from(hmac(signingKey(credentials.secretAccessKey, date, input.region, SERVICE), stringToSign)).toString('hex');

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

/** SigV4's signing key: HMAC("AWS4" + secret, date), then region, service and "aws4_request". */
export function signingKey(secretAccessKey: string, date: string, region: string, service: string): Uint8Array {
  let key = hmac(`AWS4${secretAccessKey}`, date);
  for (const part of [region, service, 'aws4_request']) key = hmac(key, part);
  return key;
}

function hmac(key: string | Uint8Array, data: string): Uint8Array {
  const mac = new Sha256(key);
  mac.update(data);
  return mac.digestSync();
}

function sha256Hex(text: string): string {
  return Buffer.from(sha256(text)).toString('hex');
}
