// What a credential or token may hold when cc-helper reads it from an AWS answer or an AWS tool's
// cache file: printable ASCII without spaces (a line break would end git's `password=` line or
// an HTTP header), at most 16 KiB (STS session tokens and SSO tokens are a few KB). One rule for
// every reader, so a value one path refuses no other path signs with.

const CREDENTIAL_TEXT = /^[\x21-\x7e]{1,16384}$/;
/** IAM's unique-id form: upper-case letters and digits (AKIA…, ASIA…). */
const ACCESS_KEY_ID = /^[A-Z0-9]{16,128}$/;

/** A secret, session token, refresh token or client registration value in the form AWS gives them. */
export function isCredentialText(value: unknown): value is string {
  return typeof value === 'string' && CREDENTIAL_TEXT.test(value);
}

export function isAccessKeyId(value: unknown): value is string {
  return typeof value === 'string' && ACCESS_KEY_ID.test(value);
}

/** Whether issued values can be AWS credentials: a line break in one would reach git's answer. */
export function looksLikeCredentials(accessKeyId: unknown, secretAccessKey: unknown, sessionToken: unknown): boolean {
  return isAccessKeyId(accessKeyId) && isCredentialText(secretAccessKey) && isCredentialText(sessionToken);
}
