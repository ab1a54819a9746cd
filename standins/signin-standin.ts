// A loopback stand-in for the AWS sign-in service behind `aws login` (AWS CLI 2.32+): its token
// endpoint, CreateOAuth2Token (`POST /v1/token`, REST-JSON, unsigned), with
// grantType=refresh_token. Plain HTTP on 127.0.0.1 with the service's shapes as the AWS SDK's
// nested `signin` client reads them: the request body is the token input
// `{clientId, grantType, refreshToken}`, the answer the token output
// `{accessToken: {accessKeyId, secretAccessKey, sessionToken}, tokenType, expiresIn, refreshToken, idToken}`,
// errors `x-amzn-errortype: AccessDeniedException` with `{"error": "TOKEN_EXPIRED" | ..., "message"}`.
//
// Every refresh must carry a DPoP proof (RFC 9449) made with the key `aws login` bound the session
// to, and the stand-in checks it with real cryptography, as the service would:
//   header: `typ` = dpop+jwt, `alg` = ES256, `jwk` = a P-256 public key (no private part) whose
//   RFC 7638 thumbprint is the session's; the ES256 signature (raw r||s) verifies under it;
//   claims: `htm` = the request's method, `htu` = the request's URL without query, `iat` within
//   `maxProofAgeSeconds` of the stand-in's clock, `jti` never seen before.
// Refresh tokens rotate: each answer carries a new one; a spent one is refused and ends the
// session (TOKEN_EXPIRED), so two racing refreshes log the user out. Credentials last 15 minutes;
// the session 12 hours (the documented defaults). Times come from a mutable clock.
// Not shipped; does not import src/.
//
// References: https://docs.aws.amazon.com/sdkref/latest/guide/feature-login-credentials.html,
// https://www.rfc-editor.org/rfc/rfc9449 (DPoP), https://www.rfc-editor.org/rfc/rfc7638 (thumbprint).
import { createHash, createPublicKey, generateKeyPairSync, randomBytes, verify, type JsonWebKey, type KeyObject } from 'node:crypto';
import { createServer, type IncomingMessage } from 'node:http';
import { listenOnLoopback, readBody, sendJson, sendRaw, type RawAnswer } from './loopback-http.js';

export type { RawAnswer } from './loopback-http.js';

/** What `aws login` writes to ~/.aws/login/cache/<sha256 hex of login_session>.json (awscli/customizations/login/utils.py). */
export interface LoginTokenFile {
  accessToken: {
    accessKeyId: string;
    secretAccessKey: string;
    sessionToken: string;
    accountId: string;
    /** `%Y-%m-%dT%H:%M:%SZ` */
    expiresAt: string;
  };
  tokenType: string;
  clientId: string;
  refreshToken: string;
  idToken: string;
  /** The DPoP key, SEC1 PEM (`-----BEGIN EC PRIVATE KEY-----`, 64-character lines). */
  dpopKey: string;
}

export interface LoginSignIn {
  /** The profile's `login_session`: the ARN that signed in (the id token's `sub`). */
  loginSession: string;
  /** The cache file's name: sha256 hex of loginSession + `.json`. */
  cacheFileName: string;
  token: LoginTokenFile;
}

export interface IssuedLoginCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string;
  expiration: Date;
  accountId: string;
  loginSession: string;
}

export type SigninRefusal = 'TOKEN_EXPIRED' | 'USER_CREDENTIALS_CHANGED' | 'INSUFFICIENT_PERMISSIONS';

export interface SigninLogEntry {
  status: number;
  /** `AccessDeniedException/TOKEN_EXPIRED`, `ValidationException/...`; absent on success. */
  error?: string;
  /** Why a DPoP proof was refused (for test diagnostics; never a secret). */
  dpopProblem?: string;
  at: Date;
}

export interface SigninStandInOptions {
  now?: () => Date;
  /** Default 900 s: what the service issues. */
  credentialSeconds?: number;
  /** Default 12 h: how long `aws login` credentials refresh. */
  sessionSeconds?: number;
  /** How far a proof's `iat` may be from the stand-in's clock. Default 60 s. */
  maxProofAgeSeconds?: number;
  /**
   * The URLs a proof's `htu` may name (the client's view of the endpoint). Default: this stand-in's
   * own `<url>v1/token`; a test that fronts it with TLS adds the public name.
   */
  acceptedHtu?: string[];
  onIssue?: (credentials: IssuedLoginCredentials) => void;
}

export interface SigninStandIn {
  /** `http://127.0.0.1:<port>/`: put it in AWS_ENDPOINT_URL_SIGNIN. */
  url: string;
  port: number;
  now: () => Date;
  acceptedHtu: string[];
  onIssue: ((credentials: IssuedLoginCredentials) => void) | undefined;
  /** `aws login`: a new session with a fresh DPoP key; returns what the CLI caches. */
  signIn(options?: { account?: string; user?: string; sessionSeconds?: number }): LoginSignIn;
  /** Refuse every further refresh of every session with this error (a password change, say). */
  refuseAll(error: SigninRefusal): void;
  refreshes: number;
  calls: number;
  log: SigninLogEntry[];
  issuedCredentials(): IssuedLoginCredentials[];
  answerNext(answer: RawAnswer, times?: number): void;
  stall(times?: number): void;
  close(): Promise<void>;
}

interface LoginSession {
  loginSession: string;
  accountId: string;
  thumbprint: string;
  endsAt: Date;
  ended: boolean;
  refreshTokens: Map<string, { spent: boolean }>;
}

type Plan = { raw: RawAnswer } | { stall: true };

const CLIENT_ID = 'arn:aws:signin:::devtools/same-device';
const MAX_BODY = 1 << 16;

export async function startSigninStandIn(options: SigninStandInOptions = {}): Promise<SigninStandIn> {
  const credentialSeconds = options.credentialSeconds ?? 900;
  const defaultSessionSeconds = options.sessionSeconds ?? 12 * 3600;
  const maxProofAgeSeconds = options.maxProofAgeSeconds ?? 60;
  const sessions: LoginSession[] = [];
  const seenJti = new Set<string>();
  const issued: IssuedLoginCredentials[] = [];
  const plans: Plan[] = [];
  let refuseAll: SigninRefusal | undefined;

  const standIn: SigninStandIn = {
    url: '',
    port: 0,
    now: options.now ?? (() => new Date()),
    acceptedHtu: [],
    onIssue: options.onIssue,
    refreshes: 0,
    calls: 0,
    log: [],
    issuedCredentials: () => [...issued],
    signIn(signIn = {}) {
      const accountId = signIn.account ?? '123456789012';
      const loginSession = `arn:aws:iam::${accountId}:user/${signIn.user ?? 'alice'}`;
      const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
      const session: LoginSession = {
        loginSession,
        accountId,
        thumbprint: jwkThumbprint(publicKey.export({ format: 'jwk' })),
        endsAt: new Date(standIn.now().getTime() + (signIn.sessionSeconds ?? defaultSessionSeconds) * 1000),
        ended: false,
        refreshTokens: new Map(),
      };
      sessions.push(session);
      const output = issue(session);
      // The CLI's _serialize_to_pem: base64 of the SEC1 DER, wrapped at 64 characters.
      const der = privateKey.export({ format: 'der', type: 'sec1' }).toString('base64');
      const dpopKey = `-----BEGIN EC PRIVATE KEY-----\n${der.match(/.{1,64}/g)!.join('\n')}\n-----END EC PRIVATE KEY-----\n`;
      return {
        loginSession,
        cacheFileName: loginCacheName(loginSession),
        token: {
          accessToken: { ...output.accessToken, accountId, expiresAt: cliTime(output.expiration) },
          tokenType: output.tokenType,
          clientId: CLIENT_ID,
          refreshToken: output.refreshToken,
          idToken: output.idToken,
          dpopKey,
        },
      };
    },
    refuseAll(error) {
      refuseAll = error;
    },
    answerNext(answer, times = 1) {
      for (let i = 0; i < times; i++) plans.push({ raw: answer });
    },
    stall(times = 1) {
      for (let i = 0; i < times; i++) plans.push({ stall: true });
    },
    close: async () => {},
  };

  function issue(session: LoginSession) {
    for (const entry of session.refreshTokens.values()) entry.spent = true;
    const refreshToken = `signin.rt.${randomBytes(48).toString('base64url')}`;
    session.refreshTokens.set(refreshToken, { spent: false });
    const now = standIn.now();
    const expiresIn = Math.max(1, Math.min(credentialSeconds, Math.floor((session.endsAt.getTime() - now.getTime()) / 1000)));
    const credentials: IssuedLoginCredentials = {
      accessKeyId: `ASIA${randomBytes(12).toString('hex').toUpperCase().slice(0, 16)}`,
      secretAccessKey: randomBytes(30).toString('base64'),
      sessionToken: randomBytes(120).toString('base64'),
      expiration: new Date(now.getTime() + expiresIn * 1000),
      accountId: session.accountId,
      loginSession: session.loginSession,
    };
    issued.push(credentials);
    standIn.onIssue?.(credentials);
    return {
      accessToken: { accessKeyId: credentials.accessKeyId, secretAccessKey: credentials.secretAccessKey, sessionToken: credentials.sessionToken },
      tokenType: 'aws_sigv4',
      expiresIn,
      refreshToken,
      idToken: unsignedJwt({ sub: session.loginSession, iat: Math.floor(now.getTime() / 1000) }),
      expiration: credentials.expiration,
    };
  }

  function refresh(req: IncomingMessage, body: Buffer): { status: number; json: unknown; error?: string; dpopProblem?: string } {
    const denied = (error: string, message: string, dpopProblem?: string) => ({
      status: 400,
      error: `AccessDeniedException/${error}`,
      json: { error, message },
      ...(dpopProblem ? { dpopProblem } : {}),
    });
    const invalid = (message: string) => ({ status: 400, error: 'ValidationException', json: { error: 'INVALID_REQUEST', message } });
    let input: Record<string, unknown>;
    try {
      input = JSON.parse(body.toString('utf8')) as Record<string, unknown>;
    } catch {
      return invalid('The request body is not JSON');
    }
    if (input.grantType !== 'refresh_token') return invalid('grantType must be refresh_token');
    if (input.clientId !== CLIENT_ID) return invalid('Unknown clientId');
    const session = sessions.find((s) => typeof input.refreshToken === 'string' && s.refreshTokens.has(input.refreshToken));
    if (!session) return denied('TOKEN_EXPIRED', 'Invalid refresh token');
    const proof = checkDpop(req, session);
    if (proof) return denied('INVALID_DPOP_PROOF', 'The DPoP proof is not valid', proof);
    if (session.refreshTokens.get(input.refreshToken as string)!.spent) {
      session.ended = true;
      return denied('TOKEN_EXPIRED', 'Refresh token already used');
    }
    if (refuseAll) return denied(refuseAll, 'Refused');
    if (session.ended || session.endsAt <= standIn.now()) return denied('TOKEN_EXPIRED', 'Your session has expired');
    const output = issue(session);
    standIn.refreshes++;
    const { expiration: _, ...wire } = output;
    return { status: 200, json: wire };
  }

  /** RFC 9449 section 4.3: what a server checks; returns why the proof fails, or undefined. */
  function checkDpop(req: IncomingMessage, session: LoginSession): string | undefined {
    const headers = req.headersDistinct['dpop'];
    if (!headers || headers.length !== 1) return `expected one DPoP header, got ${headers?.length ?? 0}`;
    const parts = headers[0]!.split('.');
    if (parts.length !== 3) return 'not a compact JWS';
    let header: { typ?: unknown; alg?: unknown; jwk?: JsonWebKey & { d?: unknown } };
    let claims: { htm?: unknown; htu?: unknown; iat?: unknown; jti?: unknown };
    try {
      header = JSON.parse(Buffer.from(parts[0]!, 'base64url').toString('utf8'));
      claims = JSON.parse(Buffer.from(parts[1]!, 'base64url').toString('utf8'));
    } catch {
      return 'header or claims are not JSON';
    }
    if (header.typ !== 'dpop+jwt') return `typ is ${JSON.stringify(header.typ)}`;
    if (header.alg !== 'ES256') return `alg is ${JSON.stringify(header.alg)}`;
    const jwk = header.jwk;
    if (!jwk || jwk.kty !== 'EC' || jwk.crv !== 'P-256' || typeof jwk.x !== 'string' || typeof jwk.y !== 'string') return 'jwk is not a P-256 public key';
    if ('d' in jwk) return 'jwk carries a private key';
    let key: KeyObject;
    try {
      key = createPublicKey({ key: { kty: 'EC', crv: 'P-256', x: jwk.x, y: jwk.y }, format: 'jwk' });
    } catch {
      return 'jwk is not a point on P-256';
    }
    const signature = Buffer.from(parts[2]!, 'base64url');
    if (signature.length !== 64) return 'the signature is not 64 bytes of r||s';
    if (!verify('sha256', Buffer.from(`${parts[0]}.${parts[1]}`), { key, dsaEncoding: 'ieee-p1363' }, signature)) return 'the signature does not verify';
    if (jwkThumbprint({ kty: 'EC', crv: 'P-256', x: jwk.x, y: jwk.y }) !== session.thumbprint) return 'the proof is not made with the key this session is bound to';
    if (claims.htm !== req.method) return `htm is ${JSON.stringify(claims.htm)}, the request is ${req.method}`;
    const path = (req.url ?? '/').split('?')[0];
    const htuAccepted = [...standIn.acceptedHtu, `${standIn.url}${path!.replace(/^\//, '')}`];
    if (typeof claims.htu !== 'string' || !htuAccepted.includes(claims.htu)) return `htu is ${JSON.stringify(claims.htu)}, expected one of ${JSON.stringify(htuAccepted)}`;
    if (typeof claims.iat !== 'number' || !Number.isInteger(claims.iat)) return 'iat is not a whole number of seconds';
    const age = standIn.now().getTime() / 1000 - claims.iat;
    if (Math.abs(age) > maxProofAgeSeconds) return `iat is ${Math.round(age)} s away from now`;
    if (typeof claims.jti !== 'string' || claims.jti.length < 8) return 'jti is missing or short';
    if (seenJti.has(claims.jti)) return 'jti was used before (a replayed proof)';
    seenJti.add(claims.jti);
    return undefined;
  }

  const server = createServer((req, res) => {
    readBody(req, MAX_BODY, (body) => {
      standIn.calls++;
      const plan = plans.shift();
      if (plan && 'stall' in plan) return;
      if (plan) return sendRaw(res, plan.raw);
      const path = (req.url ?? '/').split('?')[0];
      const answer =
        req.method === 'POST' && path === '/v1/token'
          ? refresh(req, body)
          : { status: 404, error: 'UnknownOperationException', json: { message: `no such operation: ${req.method} ${path}` } };
      standIn.log.push({
        status: answer.status,
        ...(answer.error ? { error: answer.error } : {}),
        ...('dpopProblem' in answer && answer.dpopProblem ? { dpopProblem: answer.dpopProblem } : {}),
        at: standIn.now(),
      });
      sendJson(res, answer.status, answer.json, answer.error?.split('/')[0]);
    });
  });
  const listening = await listenOnLoopback(server);
  standIn.port = listening.port;
  standIn.url = listening.url;
  standIn.acceptedHtu = options.acceptedHtu ?? [];
  standIn.close = listening.close;
  return standIn;
}

/** The cache file of a login session: sha256 hex of the login_session value + `.json` (botocore's generate_login_cache_key). */
export function loginCacheName(loginSession: string): string {
  return `${createHash('sha256').update(loginSession, 'utf8').digest('hex')}.json`;
}

/** RFC 7638: SHA-256 of the JWK's required members in lexicographic order, base64url. */
export function jwkThumbprint(jwk: JsonWebKey): string {
  const canonical = JSON.stringify({ crv: jwk.crv, kty: jwk.kty, x: jwk.x, y: jwk.y });
  return createHash('sha256').update(canonical).digest('base64url');
}

function unsignedJwt(claims: Record<string, unknown>): string {
  const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  return `${b64({ alg: 'RS256', typ: 'JWT' })}.${b64(claims)}.${randomBytes(32).toString('base64url')}`;
}

function cliTime(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}
