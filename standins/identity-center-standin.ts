// A loopback stand-in for IAM Identity Center, the two services an SSO profile meets after
// `aws sso login`: SSO OIDC (`POST /token`, CreateToken with grantType=refresh_token) and the SSO
// portal (`GET /federation/credentials`, GetRoleCredentials). Plain HTTP on 127.0.0.1, the
// services' REST-JSON shapes and error shapes (`x-amzn-errortype` + `{"error", "error_description"}`
// for OIDC, `{"message"}` for the portal), as the AWS SDK's nested clients read them.
//
// It keeps state the way the service does, so a client that gets it wrong fails as it would at AWS:
// - `signIn()` is `aws sso login`: a client registration (90 days), a sign-in session (8 hours by
//   default, the Identity Center default), a one-hour access token and a refresh token; it returns
//   the token file `aws sso login` writes to ~/.aws/sso/cache/<sha1 of the sso-session name>.json.
// - A refresh token is good for one refresh: each CreateToken answer carries a new one. Presenting
//   a used one is refused (invalid_grant) and, as OAuth 2.0 Security BCP 4.14.2 recommends for
//   rotated refresh tokens, ends the whole sign-in session: two racing refreshes log the user out.
// - Access tokens never outlive the sign-in session; once it ends, refreshes are refused.
// - GetRoleCredentials needs a live access token and an assignment of that role in that account.
// Times come from a mutable clock, so a test can walk through a working day.
// Not shipped; does not import src/.
//
// API references: https://docs.aws.amazon.com/singlesignon/latest/OIDCAPIReference/API_CreateToken.html
// and https://docs.aws.amazon.com/singlesignon/latest/PortalAPIReference/API_GetRoleCredentials.html
import { createHash, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage } from 'node:http';
import { listenOnLoopback, readBody, sendJson, sendRaw, type RawAnswer } from './loopback-http.js';

export type { RawAnswer } from './loopback-http.js';

export type IdentityCenterOperation = 'CreateToken' | 'GetRoleCredentials';

/** What `aws sso login` leaves in ~/.aws/sso/cache (botocore's SSOTokenFetcher, times as `%Y-%m-%dT%H:%M:%SZ`). */
export interface SsoTokenFile {
  startUrl: string;
  region: string;
  accessToken: string;
  expiresAt: string;
  clientId: string;
  clientSecret: string;
  registrationExpiresAt: string;
  refreshToken: string;
}

export interface IssuedRoleCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string;
  expiration: Date;
  accountId: string;
  roleName: string;
}

export interface IdentityCenterLogEntry {
  operation: IdentityCenterOperation | 'unknown';
  status: number;
  /** The error code answered (InvalidGrantException, UnauthorizedException, ...). */
  error?: string;
  at: Date;
}

export interface IdentityCenterOptions {
  /** The clock every expiry is measured by; replace `standIn.now` to move time. */
  now?: () => Date;
  /** The region the client registration and tokens are for (the token file's `region`). Default us-east-1. */
  region?: string;
  startUrl?: string;
  /** Lifetime of an access token. Default 3600 s (what Identity Center issues). */
  accessTokenSeconds?: number;
  /** Lifetime of a sign-in session, after which no refresh works. Default 8 h (Identity Center's default). */
  sessionSeconds?: number;
  /** Lifetime of the client registration. Default 90 days (what RegisterClient gives the CLI). */
  registrationSeconds?: number;
  /** Lifetime of role credentials. Default 3600 s (a permission set's default session). */
  roleCredentialSeconds?: number;
  /** Roles the user is assigned: account id -> role names. Default: every role in every account. */
  assignments?: Record<string, string[]>;
  /** Reusing a spent refresh token ends the sign-in session. Default true. */
  revokeOnReuse?: boolean;
  onIssue?: (credentials: IssuedRoleCredentials) => void;
}

export interface IdentityCenterStandIn {
  /** `http://127.0.0.1:<port>/`: both AWS_ENDPOINT_URL_SSO_OIDC and AWS_ENDPOINT_URL_SSO. */
  url: string;
  port: number;
  now: () => Date;
  onIssue: ((credentials: IssuedRoleCredentials) => void) | undefined;
  /** `aws sso login`: a new sign-in session; returns the token file the CLI writes. */
  signIn(options?: { sessionSeconds?: number; registrationSeconds?: number }): SsoTokenFile;
  /** Ends every sign-in session now (an administrator revoking them, or the user signing out). */
  endSessions(): void;
  /** Successful refreshes (CreateToken answers with a new token). */
  refreshes: number;
  /** Requests per operation, whatever their outcome. */
  calls: Record<IdentityCenterOperation, number>;
  log: IdentityCenterLogEntry[];
  issuedRoleCredentials(): IssuedRoleCredentials[];
  /** The next request(s) for `operation` (or any, `*`) get exactly this answer, before any check. */
  answerNext(operation: IdentityCenterOperation | '*', answer: RawAnswer, times?: number): void;
  /** The next request(s) are read and never answered (a hung endpoint). */
  stall(operation?: IdentityCenterOperation | '*', times?: number): void;
  close(): Promise<void>;
}

interface Registration {
  clientId: string;
  clientSecret: string;
  expiresAt: Date;
}

interface SignInSession {
  id: number;
  endsAt: Date;
  revoked: boolean;
  registration: Registration;
  /** Refresh tokens of this session: only the newest is unspent. */
  refreshTokens: Map<string, { spent: boolean }>;
}

type Plan = { operation: IdentityCenterOperation | '*'; what: { raw: RawAnswer } | { stall: true } };

const MAX_BODY = 1 << 16;

export async function startIdentityCenterStandIn(options: IdentityCenterOptions = {}): Promise<IdentityCenterStandIn> {
  const region = options.region ?? 'us-east-1';
  const startUrl = options.startUrl ?? 'https://d-1234567890.awsapps.com/start';
  const accessTokenSeconds = options.accessTokenSeconds ?? 3600;
  const defaultSessionSeconds = options.sessionSeconds ?? 8 * 3600;
  const defaultRegistrationSeconds = options.registrationSeconds ?? 90 * 86400;
  const roleCredentialSeconds = options.roleCredentialSeconds ?? 3600;
  const revokeOnReuse = options.revokeOnReuse ?? true;
  const sessions: SignInSession[] = [];
  const accessTokens = new Map<string, { session: SignInSession; expiresAt: Date }>();
  const issued: IssuedRoleCredentials[] = [];
  const plans: Plan[] = [];

  const standIn: IdentityCenterStandIn = {
    url: '',
    port: 0,
    now: options.now ?? (() => new Date()),
    onIssue: options.onIssue,
    refreshes: 0,
    calls: { CreateToken: 0, GetRoleCredentials: 0 },
    log: [],
    issuedRoleCredentials: () => [...issued],
    signIn(signIn = {}) {
      const now = standIn.now();
      const registration: Registration = {
        clientId: `client-${token(12)}`,
        clientSecret: `secret.${token(48)}`,
        expiresAt: new Date(now.getTime() + (signIn.registrationSeconds ?? defaultRegistrationSeconds) * 1000),
      };
      const session: SignInSession = {
        id: sessions.length + 1,
        endsAt: new Date(now.getTime() + (signIn.sessionSeconds ?? defaultSessionSeconds) * 1000),
        revoked: false,
        registration,
        refreshTokens: new Map(),
      };
      sessions.push(session);
      const { accessToken, expiresAt, refreshToken } = issueToken(session, now);
      return {
        startUrl,
        region,
        accessToken,
        expiresAt: cliTime(expiresAt),
        clientId: registration.clientId,
        clientSecret: registration.clientSecret,
        registrationExpiresAt: cliTime(registration.expiresAt),
        refreshToken,
      };
    },
    endSessions() {
      for (const session of sessions) session.revoked = true;
    },
    answerNext(operation, answer, times = 1) {
      for (let i = 0; i < times; i++) plans.push({ operation, what: { raw: answer } });
    },
    stall(operation = '*', times = 1) {
      for (let i = 0; i < times; i++) plans.push({ operation, what: { stall: true } });
    },
    close: async () => {},
  };

  function issueToken(session: SignInSession, now: Date): { accessToken: string; expiresAt: Date; expiresIn: number; refreshToken: string } {
    for (const entry of session.refreshTokens.values()) entry.spent = true;
    const refreshToken = `Atzr|${token(64)}`;
    session.refreshTokens.set(refreshToken, { spent: false });
    const accessToken = `aoa${token(80)}`;
    // Never past the sign-in session: the service stops the token there.
    const expiresIn = Math.max(1, Math.min(accessTokenSeconds, Math.floor((session.endsAt.getTime() - now.getTime()) / 1000)));
    const expiresAt = new Date(now.getTime() + expiresIn * 1000);
    accessTokens.set(accessToken, { session, expiresAt });
    return { accessToken, expiresAt, expiresIn, refreshToken };
  }

  const takePlan = (operation: IdentityCenterOperation | 'unknown'): Plan['what'] | undefined => {
    const index = plans.findIndex((p) => p.operation === '*' || p.operation === operation);
    return index < 0 ? undefined : plans.splice(index, 1)[0]!.what;
  };

  function createToken(body: Buffer): { status: number; json: unknown; error?: string } {
    const oidcError = (status: number, error: string, code: string, description: string) => ({ status, error: code, json: { error, error_description: description } });
    let input: Record<string, unknown>;
    try {
      input = JSON.parse(body.toString('utf8')) as Record<string, unknown>;
    } catch {
      return oidcError(400, 'invalid_request', 'InvalidRequestException', 'The request body is not JSON');
    }
    if (input.grantType !== 'refresh_token') return oidcError(400, 'unsupported_grant_type', 'UnsupportedGrantTypeException', 'Only refresh_token is served by this stand-in');
    const now = standIn.now();
    const session = sessions.find((s) => s.registration.clientId === input.clientId);
    if (!session || session.registration.clientSecret !== input.clientSecret) return oidcError(401, 'invalid_client', 'InvalidClientException', 'Invalid client provided');
    if (session.registration.expiresAt <= now) return oidcError(401, 'invalid_client', 'InvalidClientException', 'Client registration has expired');
    const owner = sessions.find((s) => typeof input.refreshToken === 'string' && s.refreshTokens.has(input.refreshToken));
    if (!owner || owner !== session) return oidcError(400, 'invalid_grant', 'InvalidGrantException', 'Invalid refresh token provided');
    if (owner.refreshTokens.get(input.refreshToken as string)!.spent) {
      if (revokeOnReuse) owner.revoked = true;
      return oidcError(400, 'invalid_grant', 'InvalidGrantException', 'Invalid refresh token provided');
    }
    if (owner.revoked || owner.endsAt <= now) return oidcError(400, 'invalid_grant', 'InvalidGrantException', 'Session has expired');
    const { accessToken, expiresIn, refreshToken } = issueToken(owner, now);
    standIn.refreshes++;
    return { status: 200, json: { accessToken, tokenType: 'Bearer', expiresIn, refreshToken } };
  }

  function getRoleCredentials(req: IncomingMessage, url: URL): { status: number; json: unknown; error?: string } {
    const portalError = (status: number, code: string, message: string) => ({ status, error: code, json: { message } });
    const bearer = req.headers['x-amz-sso_bearer_token'];
    const known = typeof bearer === 'string' ? accessTokens.get(bearer) : undefined;
    const now = standIn.now();
    if (!known || known.expiresAt <= now || known.session.revoked || known.session.endsAt <= now) {
      return portalError(401, 'UnauthorizedException', 'Session token not found or invalid');
    }
    const accountId = url.searchParams.get('account_id') ?? '';
    const roleName = url.searchParams.get('role_name') ?? '';
    if (!/^\d{12}$/.test(accountId) || !roleName) return portalError(400, 'InvalidRequestException', 'account_id and role_name are required');
    const assigned = options.assignments === undefined || (options.assignments[accountId] ?? []).includes(roleName);
    if (!assigned) return portalError(403, 'ForbiddenException', 'No access');
    const credentials: IssuedRoleCredentials = {
      accessKeyId: `ASIA${token(16).toUpperCase().replace(/[^A-Z0-9]/g, 'Q').slice(0, 16)}`,
      secretAccessKey: randomBytes(30).toString('base64'),
      sessionToken: randomBytes(96).toString('base64'),
      expiration: new Date(now.getTime() + roleCredentialSeconds * 1000),
      accountId,
      roleName,
    };
    issued.push(credentials);
    standIn.onIssue?.(credentials);
    return {
      status: 200,
      json: {
        roleCredentials: {
          accessKeyId: credentials.accessKeyId,
          secretAccessKey: credentials.secretAccessKey,
          sessionToken: credentials.sessionToken,
          expiration: credentials.expiration.getTime(),
        },
      },
    };
  }

  const server = createServer((req, res) => {
    readBody(req, MAX_BODY, (body) => {
      const url = new URL(req.url ?? '/', 'http://identity-center');
      const operation: IdentityCenterOperation | 'unknown' =
        req.method === 'POST' && url.pathname === '/token' ? 'CreateToken' : req.method === 'GET' && url.pathname === '/federation/credentials' ? 'GetRoleCredentials' : 'unknown';
      if (operation !== 'unknown') standIn.calls[operation]++;
      const plan = takePlan(operation);
      if (plan && 'stall' in plan) return;
      if (plan) return sendRaw(res, plan.raw);
      const answer =
        operation === 'CreateToken'
          ? createToken(body)
          : operation === 'GetRoleCredentials'
            ? getRoleCredentials(req, url)
            : { status: 404, error: 'UnknownOperationException', json: { message: `no such operation: ${req.method} ${url.pathname}` } };
      standIn.log.push({ operation, status: answer.status, ...(answer.error ? { error: answer.error } : {}), at: standIn.now() });
      sendJson(res, answer.status, answer.json, answer.error);
    });
  });
  const listening = await listenOnLoopback(server);
  standIn.port = listening.port;
  standIn.url = listening.url;
  standIn.close = listening.close;
  return standIn;
}

/** The cache file of an sso-session: ~/.aws/sso/cache/<sha1 hex of the session name>.json (botocore's SSOTokenLoader). */
export function ssoTokenCacheName(sessionName: string): string {
  return `${createHash('sha1').update(sessionName, 'utf8').digest('hex')}.json`;
}

/** botocore's `_serialize_utc_timestamp`: `%Y-%m-%dT%H:%M:%SZ`. */
export function cliTime(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function token(length: number): string {
  return randomBytes(length).toString('base64url').slice(0, length);
}
