// DPoP proofs (RFC 9449) for the sign-in service's token endpoint, made as botocore's
// _build_dpop_header and the JS SDK's login provider make them: a compact JWS whose header is
// `typ: dpop+jwt`, `alg: ES256` and `jwk` (the public half of the key `aws login` bound the
// session to), whose claims are `htm`, `htu` (the URL actually requested), `iat` and a fresh
// `jti`, signed with ES256 as raw r||s (not DER). The private key never leaves this module's
// caller and no message here quotes it.
import { createPrivateKey, randomUUID, sign, type KeyObject } from 'node:crypto';

/** The cache's `dpopKey` (SEC1 PEM) as a P-256 private key; throws an Error without key material. */
export function dpopKey(pem: string): KeyObject {
  let key: KeyObject;
  try {
    key = createPrivateKey({ key: pem, format: 'pem', type: 'sec1' });
  } catch {
    throw new Error('its DPoP key (dpopKey) is not an EC private key in PEM');
  }
  if (key.asymmetricKeyType !== 'ec' || key.asymmetricKeyDetails?.namedCurve !== 'prime256v1') throw new Error('its DPoP key (dpopKey) is not a P-256 key');
  return key;
}

const base64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

export function dpopProof(key: KeyObject, method: string, url: string, now: Date): string {
  const { kty, crv, x, y } = key.export({ format: 'jwk' });
  const header = { typ: 'dpop+jwt', alg: 'ES256', jwk: { kty, x, y, crv } };
  const claims = { htm: method, htu: url, iat: Math.floor(now.getTime() / 1000), jti: randomUUID() };
  const signingInput = `${base64url(header)}.${base64url(claims)}`;
  const signature = sign('sha256', Buffer.from(signingInput), { key, dsaEncoding: 'ieee-p1363' });
  return `${signingInput}.${signature.toString('base64url')}`;
}
