// A loopback stand-in for AWS STS: plain HTTP on 127.0.0.1, the query protocol (form-encoded
// POST or GET query, `Action`, `Version=2011-06-15`), XML answers with the real element names and
// namespace, and real STS error shapes (<ErrorResponse><Error><Type/><Code/><Message/></Error>).
// Every request's SigV4 signature is checked independently of the product (node:crypto only,
// the canonical request rebuilt from the raw HTTP request), so the product's signer is tested,
// not trusted. It issues temporary credentials (ASIA… ids, secrets and tokens holding `/+=`) and
// remembers them: AssumeRole from a session works, and a CodeCommit stand-in can accept them.
// Not shipped; does not import src/.
//
// API reference for the shapes: https://docs.aws.amazon.com/STS/latest/APIReference/
import { createHash, createHmac, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { listenOnLoopback, readBody, sendRaw, type RawAnswer } from './loopback-http.js';

export type { RawAnswer } from './loopback-http.js';

export const STS_NAMESPACE = 'https://sts.amazonaws.com/doc/2011-06-15/';
export type StsStandInAction = 'GetSessionToken' | 'AssumeRole' | 'AssumeRoleWithWebIdentity' | 'GetCallerIdentity';

export interface LongTermKey {
  secretAccessKey: string;
  account: string;
  userName: string;
  /** ARN of the user's MFA device, e.g. `arn:aws:iam::111111111111:mfa/alice`. */
  mfaSerial?: string;
  /** Codes the device "shows"; each is accepted once (STS refuses a reused code). */
  validCodes?: string[];
}

export interface CallerInfo {
  accessKeyId: string;
  kind: 'user' | 'session' | 'assumed-role';
  account: string;
  arn: string;
  userId: string;
  /** Whether MFA was shown when these credentials were made (or in this request). */
  mfaAuthenticated: boolean;
  /** The long-term key of the IAM user behind the caller, when there is one. */
  userKeyId?: string;
}

export interface RoleDefinition {
  account: string;
  /** Account ids (any principal there) or principal ARNs (users, assumed-role sessions' roles). */
  trustedPrincipals?: string[];
  /** Custom trust check; when neither this nor trustedPrincipals is given, everyone is trusted. */
  trust?: (caller: CallerInfo) => boolean;
  requiresMfa?: boolean;
  externalId?: string;
  /** Seconds; AWS's default is 3600. */
  maxSessionDuration?: number;
  /** Subjects (`sub` of a web identity token) this role trusts for AssumeRoleWithWebIdentity; none: no web identity. */
  webIdentitySubjects?: string[];
}

/** A web identity token the stand-in's "OIDC provider" issued: opaque text standing for a JWT. */
export interface WebIdentityToken {
  subject: string;
  audience: string;
  provider: string;
}

export interface IssuedCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string;
  expiration: Date;
  action: 'GetSessionToken' | 'AssumeRole' | 'AssumeRoleWithWebIdentity';
  kind: 'session' | 'assumed-role';
  account: string;
  /** For a session: the user's ARN; for a role: `arn:aws:sts::<acct>:assumed-role/<role>/<name>`. */
  arn: string;
  userId: string;
  mfaAuthenticated: boolean;
  /** The key that asked for them. */
  issuedTo: string;
  userKeyId?: string;
  roleArn?: string;
}

export interface InjectedFailure {
  code: string;
  message: string;
  status: number;
  type?: 'Sender' | 'Receiver';
}

export interface StsLogEntry {
  action: string;
  /** The signing key id (never a secret or token). */
  accessKeyId?: string;
  status: number;
  code?: string;
}

export interface StsStandInOptions {
  keys?: Record<string, LongTermKey>;
  roles?: Record<string, RoleDefinition>;
  /** The region signatures must be scoped to; `*` accepts any. Default `us-east-1`. */
  region?: string;
  now?: () => Date;
  /** Signed time may differ from `now()` by this much. Default 900 s, as AWS. */
  maxSkewSeconds?: number;
  onIssue?: (credentials: IssuedCredentials) => void;
  /** Tokens AssumeRoleWithWebIdentity accepts (the token text -> what it says). */
  webIdentityTokens?: Record<string, WebIdentityToken>;
}

export interface StsStandIn {
  /** `http://127.0.0.1:<port>/`: put it in AWS_ENDPOINT_URL_STS. */
  url: string;
  port: number;
  /** Mutable tables. */
  keys: Record<string, LongTermKey>;
  roles: Record<string, RoleDefinition>;
  webIdentityTokens: Record<string, WebIdentityToken>;
  /** Mutable clock: replace to move time (expiry of issued credentials, skew checks). */
  now: () => Date;
  onIssue: ((credentials: IssuedCredentials) => void) | undefined;
  /** Requests per action (every request naming the action, whatever its outcome). */
  calls: Record<string, number>;
  callCount(action?: StsStandInAction): number;
  log: StsLogEntry[];
  issuedCredentials(): IssuedCredentials[];
  /**
   * Makes temporary credentials handed out elsewhere (a container or instance metadata stand-in)
   * known, as the role session `arn:aws:sts::<account>:assumed-role/<role>/<session>` they are in AWS.
   */
  addSession(credentials: { accessKeyId: string; secretAccessKey: string; sessionToken: string; expiration: Date }, roleArn: string): void;
  /** The next request(s) for `action` (or any, `*`) fail with this error before any check. */
  failNext(action: StsStandInAction | '*', failure: InjectedFailure, times?: number): void;
  /** The next `times` requests get STS's throttling answer (400 Throttling "Rate exceeded"). */
  throttle(times: number, action?: StsStandInAction | '*'): void;
  /** The next request(s) are read and never answered (a hung endpoint: the client's timeout). */
  stall(action?: StsStandInAction | '*', times?: number): void;
  /** The next request(s) get their connection destroyed without an answer (a network reset). */
  resetConnection(action?: StsStandInAction | '*', times?: number): void;
  /** The next request(s) for `action` get exactly this answer, before any check. */
  answerNext(action: StsStandInAction | '*', answer: RawAnswer, times?: number): void;
  /** Stops listening and drops every connection: the URL is then unreachable. */
  close(): Promise<void>;
}

type Plan = { action: StsStandInAction | '*'; what: { fail: InjectedFailure } | { stall: true } | { reset: true } | { raw: RawAnswer } };

class StsFault extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly type: 'Sender' | 'Receiver' = 'Sender',
  ) {
    super(message);
  }
}

const ACTIONS = new Set<string>(['GetSessionToken', 'AssumeRole', 'AssumeRoleWithWebIdentity', 'GetCallerIdentity']);
const INVALID_MFA = 'MultiFactorAuthentication failed with invalid MFA one time pass code. ';
const UNKNOWN_MFA_DEVICE = 'MultiFactorAuthentication failed, unable to validate MFA code. Please verify your MFA serial number is valid and associated with this user.';

export async function startStsStandIn(options: StsStandInOptions = {}): Promise<StsStandIn> {
  const keys = options.keys ?? {};
  const roles = options.roles ?? {};
  const webIdentityTokens = options.webIdentityTokens ?? {};
  const region = options.region ?? 'us-east-1';
  const maxSkewSeconds = options.maxSkewSeconds ?? 900;
  const issued = new Map<string, IssuedCredentials>();
  const plans: Plan[] = [];
  const calls: Record<string, number> = {};
  const log: StsLogEntry[] = [];

  const standIn = {
    url: '',
    port: 0,
    keys,
    roles,
    webIdentityTokens,
    now: options.now ?? (() => new Date()),
    onIssue: options.onIssue,
    calls,
    log,
    callCount: (action?: StsStandInAction) => (action ? calls[action] ?? 0 : Object.values(calls).reduce((a, b) => a + b, 0)),
    issuedCredentials: () => [...issued.values()],
    addSession(credentials: { accessKeyId: string; secretAccessKey: string; sessionToken: string; expiration: Date }, roleArn: string) {
      const account = /^arn:aws:iam::(\d{12}):role\/(.+)$/.exec(roleArn);
      if (!account) throw new Error(`addSession: not a role ARN: ${roleArn}`);
      const roleName = account[2]!.slice(account[2]!.lastIndexOf('/') + 1);
      issued.set(credentials.accessKeyId, {
        ...credentials,
        action: 'AssumeRole',
        kind: 'assumed-role',
        account: account[1]!,
        arn: `arn:aws:sts::${account[1]}:assumed-role/${roleName}/platform-session`,
        userId: `${uniqueId('AROA', roleArn)}:platform-session`,
        mfaAuthenticated: false,
        issuedTo: 'the platform',
        roleArn,
      });
    },
    failNext(action: StsStandInAction | '*', failure: InjectedFailure, times = 1) {
      for (let i = 0; i < times; i++) plans.push({ action, what: { fail: failure } });
    },
    throttle(times: number, action: StsStandInAction | '*' = '*') {
      standIn.failNext(action, { code: 'Throttling', message: 'Rate exceeded', status: 400 }, times);
    },
    stall(action: StsStandInAction | '*' = '*', times = 1) {
      for (let i = 0; i < times; i++) plans.push({ action, what: { stall: true } });
    },
    resetConnection(action: StsStandInAction | '*' = '*', times = 1) {
      for (let i = 0; i < times; i++) plans.push({ action, what: { reset: true } });
    },
    answerNext(action: StsStandInAction | '*', answer: RawAnswer, times = 1) {
      for (let i = 0; i < times; i++) plans.push({ action, what: { raw: answer } });
    },
    close: async () => {},
  } satisfies StsStandIn;

  const takePlan = (action: string): Plan['what'] | undefined => {
    const index = plans.findIndex((p) => p.action === '*' || p.action === action);
    return index < 0 ? undefined : plans.splice(index, 1)[0]!.what;
  };

  const server = createServer((req, res) => {
    readBody(req, 1 << 16, (body) => {
      const requestId = randomUUID();
      const params = requestParams(req, body);
      const action = params.get('Action') ?? '';
      if (ACTIONS.has(action)) calls[action] = (calls[action] ?? 0) + 1;
      const plan = takePlan(action);
      if (plan && 'stall' in plan) return; // never answered
      if (plan && 'reset' in plan) {
        req.socket.destroy();
        return;
      }
      if (plan && 'raw' in plan) {
        log.push({ action, status: plan.raw.status });
        sendRaw(res, plan.raw, 'text/xml');
        return;
      }
      let accessKeyId: string | undefined;
      try {
        if (plan && 'fail' in plan) throw new StsFault(plan.fail.status, plan.fail.code, plan.fail.message, plan.fail.type);
        if (!ACTIONS.has(action)) {
          throw new StsFault(400, 'InvalidAction', action ? `Could not find operation ${action} for version ${params.get('Version') ?? 'NO_VERSION_SPECIFIED'}` : 'Missing Action');
        }
        if (params.get('Version') !== '2011-06-15') throw new StsFault(400, 'InvalidAction', `Could not find operation ${action} for version ${params.get('Version') ?? 'NO_VERSION_SPECIFIED'}`);
        if (action === 'AssumeRoleWithWebIdentity') {
          // Unsigned, as in AWS: the token is the proof. A signature, if one came, is logged (not checked).
          const xml = assumeRoleWithWebIdentity(params, requestId);
          const signedBy = /Credential=([^/,\s]+)\//.exec(headerValue(req, 'authorization') ?? '')?.[1];
          log.push({ action, status: 200, ...(signedBy ? { accessKeyId: signedBy } : {}) });
          send(res, 200, xml, requestId, standIn.now());
          return;
        }
        const caller = authenticate(req, body);
        accessKeyId = caller.accessKeyId;
        const xml = handle(action as StsStandInAction, params, caller, requestId);
        log.push({ action, accessKeyId, status: 200 });
        send(res, 200, xml, requestId, standIn.now());
      } catch (error) {
        if (!(error instanceof StsFault)) {
          // A bug in the stand-in: answer like an AWS internal failure, and say it loudly.
          console.error('sts stand-in:', error);
          error = new StsFault(500, 'InternalFailure', 'The request processing has failed because of an unknown error, exception or failure.', 'Receiver');
        }
        if (!(error instanceof StsFault)) return;
        log.push({ action, ...(accessKeyId ? { accessKeyId } : {}), status: error.status, code: error.code });
        send(res, error.status, errorXml(error, requestId), requestId, standIn.now());
      }
    });
  });

  /** Checks the SigV4 signature and finds who is calling; throws STS's errors. */
  function authenticate(req: IncomingMessage, body: Buffer): CallerInfo {
    const authorization = headerValue(req, 'authorization');
    if (!authorization) throw new StsFault(403, 'MissingAuthenticationToken', 'Request is missing Authentication Token');
    const auth = /^AWS4-HMAC-SHA256 Credential=([^/,\s]+)\/(\d{8})\/([^/,\s]+)\/([^/,\s]+)\/aws4_request,\s*SignedHeaders=([a-z0-9;-]+),\s*Signature=([0-9a-f]{64})$/.exec(
      authorization,
    );
    if (!auth) throw new StsFault(400, 'IncompleteSignature', 'Authorization header requires Credential, SignedHeaders and Signature parameters.');
    const [, keyId, scopeDate, scopeRegion, scopeService, signedHeaderList, signature] = auth as unknown as [string, string, string, string, string, string, string];
    const amzDate = headerValue(req, 'x-amz-date');
    if (!amzDate || !/^\d{8}T\d{6}Z$/.test(amzDate)) throw new StsFault(400, 'IncompleteSignature', 'Authorization header requires existence of either a \'X-Amz-Date\' or a \'Date\' header.');
    if (scopeService !== 'sts') throw new StsFault(403, 'SignatureDoesNotMatch', "Credential should be scoped to correct service: 'sts'. ");
    if (region !== '*' && scopeRegion !== region) throw new StsFault(403, 'SignatureDoesNotMatch', 'Credential should be scoped to a valid region. ');
    if (scopeDate !== amzDate.slice(0, 8)) throw new StsFault(403, 'SignatureDoesNotMatch', 'Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP.');
    const signedHeaders = signedHeaderList.split(';');
    if (!signedHeaders.includes('host')) throw new StsFault(403, 'SignatureDoesNotMatch', "'Host' must be a 'SignedHeader' in the AWS Authorization.");

    const now = standIn.now();
    const signedAt = parseAmzDate(amzDate);
    const skew = (signedAt.getTime() - now.getTime()) / 1000;
    if (skew < -maxSkewSeconds) {
      throw new StsFault(403, 'SignatureDoesNotMatch', `Signature expired: ${amzDate} is now earlier than ${amzStamp(new Date(now.getTime() - maxSkewSeconds * 1000))} (${amzStamp(now)} - 15 min.)`);
    }
    if (skew > maxSkewSeconds) {
      throw new StsFault(403, 'SignatureDoesNotMatch', `Signature not yet current: ${amzDate} is still later than ${amzStamp(new Date(now.getTime() + maxSkewSeconds * 1000))} (${amzStamp(now)} + 15 min.)`);
    }

    const token = headerValue(req, 'x-amz-security-token');
    const longTerm = keys[keyId];
    const session = issued.get(keyId);
    let secret: string;
    let caller: CallerInfo;
    if (longTerm) {
      if (token !== undefined) throw new StsFault(403, 'InvalidClientTokenId', 'The security token included in the request is invalid.');
      secret = longTerm.secretAccessKey;
      caller = {
        accessKeyId: keyId,
        kind: 'user',
        account: longTerm.account,
        arn: `arn:aws:iam::${longTerm.account}:user/${longTerm.userName}`,
        userId: uniqueId('AIDA', longTerm.account + longTerm.userName),
        mfaAuthenticated: false,
        userKeyId: keyId,
      };
    } else if (session) {
      if (token !== session.sessionToken) throw new StsFault(403, 'InvalidClientTokenId', 'The security token included in the request is invalid.');
      secret = session.secretAccessKey;
      caller = {
        accessKeyId: keyId,
        kind: session.kind,
        account: session.account,
        arn: session.arn,
        userId: session.userId,
        mfaAuthenticated: session.mfaAuthenticated,
        ...(session.userKeyId ? { userKeyId: session.userKeyId } : {}),
      };
    } else {
      throw new StsFault(403, 'InvalidClientTokenId', 'The security token included in the request is invalid.');
    }
    if (token !== undefined && !signedHeaders.includes('x-amz-security-token')) {
      throw new StsFault(403, 'SignatureDoesNotMatch', 'The request signature we calculated does not match the signature you provided.');
    }

    // A declared payload hash (some SDKs send one) must be the body's.
    const declaredHash = headerValue(req, 'x-amz-content-sha256');
    if (declaredHash !== undefined && declaredHash !== sha256Hex(body)) {
      throw new StsFault(400, 'XAmzContentSHA256Mismatch', 'The provided x-amz-content-sha256 header does not match what was computed.');
    }
    const canonical = canonicalRequest(req, body, signedHeaders);
    const scope = `${scopeDate}/${scopeRegion}/${scopeService}/aws4_request`;
    const stringToSign = `AWS4-HMAC-SHA256\n${amzDate}\n${scope}\n${sha256Hex(canonical)}`;
    const key = hmac(hmac(hmac(hmac(`AWS4${secret}`, scopeDate), scopeRegion), scopeService), 'aws4_request');
    const expected = createHmac('sha256', key).update(stringToSign, 'utf8').digest();
    if (!timingSafeEqual(expected, Buffer.from(signature, 'hex'))) {
      throw new StsFault(
        403,
        'SignatureDoesNotMatch',
        'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.',
      );
    }
    // Checked after the signature, as AWS does: an expired session is reported only to its owner.
    if (session && session.expiration.getTime() <= now.getTime()) throw new StsFault(400, 'ExpiredToken', 'The security token included in the request is expired');
    return caller;
  }

  function handle(action: StsStandInAction, params: Map<string, string>, caller: CallerInfo, requestId: string): string {
    if (action === 'GetCallerIdentity') {
      return response(
        action,
        `<Arn>${esc(caller.arn)}</Arn>\n    <UserId>${esc(caller.userId)}</UserId>\n    <Account>${esc(caller.account)}</Account>`,
        requestId,
      );
    }
    if (action === 'GetSessionToken') {
      if (caller.kind !== 'user') throw new StsFault(403, 'AccessDenied', 'Cannot call GetSessionToken with session credentials');
      const duration = durationParam(params, 900, 129600, 43200);
      const mfa = checkMfa(params, caller);
      const credentials = issue({
        action,
        kind: 'session',
        account: caller.account,
        arn: caller.arn,
        userId: caller.userId,
        mfaAuthenticated: mfa,
        issuedTo: caller.accessKeyId,
        ...(caller.userKeyId ? { userKeyId: caller.userKeyId } : {}),
        duration,
      });
      return response(action, credentialsXml(credentials), requestId);
    }
    // AssumeRole
    const roleArn = params.get('RoleArn');
    const sessionName = params.get('RoleSessionName');
    if (!roleArn || roleArn.length < 20) throw validation('roleArn', roleArn ?? 'null', 'Member must have length greater than or equal to 20');
    if (!sessionName || !/^[\w+=,.@-]{2,64}$/.test(sessionName)) {
      throw validation('roleSessionName', sessionName ?? 'null', 'Member must satisfy regular expression pattern: [\\w+=,.@-]*');
    }
    const mfa = checkMfa(params, caller) || caller.mfaAuthenticated;
    const role = roles[roleArn];
    const denied = () => new StsFault(403, 'AccessDenied', `User: ${caller.arn} is not authorized to perform: sts:AssumeRole on resource: ${roleArn}`);
    if (!role) throw denied();
    const trusted = role.trust
      ? role.trust(caller)
      : !role.trustedPrincipals || role.trustedPrincipals.some((p) => p === caller.account || p === caller.arn || p === assumedRoleBase(caller.arn));
    if (!trusted) throw denied();
    if (role.externalId !== undefined && params.get('ExternalId') !== role.externalId) throw denied();
    if (role.requiresMfa && !mfa) throw denied();
    const chained = caller.kind === 'assumed-role';
    const max = chained ? Math.min(3600, role.maxSessionDuration ?? 3600) : role.maxSessionDuration ?? 3600;
    const requested = durationParam(params, 900, 43200, 3600);
    if (requested > max) {
      throw new StsFault(
        400,
        'ValidationError',
        chained
          ? 'The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.'
          : 'The requested DurationSeconds exceeds the MaxSessionDuration set for this role.',
      );
    }
    const roleName = roleArn.slice(roleArn.lastIndexOf('/') + 1);
    const roleId = uniqueId('AROA', roleArn);
    const credentials = issue({
      action,
      kind: 'assumed-role',
      account: role.account,
      arn: `arn:aws:sts::${role.account}:assumed-role/${roleName}/${sessionName}`,
      userId: `${roleId}:${sessionName}`,
      mfaAuthenticated: mfa,
      issuedTo: caller.accessKeyId,
      ...(caller.userKeyId ? { userKeyId: caller.userKeyId } : {}),
      roleArn,
      duration: requested,
    });
    return response(
      action,
      `<AssumedRoleUser>\n      <AssumedRoleId>${esc(credentials.userId)}</AssumedRoleId>\n      <Arn>${esc(credentials.arn)}</Arn>\n    </AssumedRoleUser>\n    ` +
        `${credentialsXml(credentials)}\n    <PackedPolicySize>0</PackedPolicySize>`,
      requestId,
    );
  }

  function assumeRoleWithWebIdentity(params: Map<string, string>, requestId: string): string {
    const roleArn = params.get('RoleArn');
    const sessionName = params.get('RoleSessionName');
    const tokenText = params.get('WebIdentityToken');
    if (!roleArn || roleArn.length < 20) throw validation('roleArn', roleArn ?? 'null', 'Member must have length greater than or equal to 20');
    if (!sessionName || !/^[\w+=,.@-]{2,64}$/.test(sessionName)) {
      throw validation('roleSessionName', sessionName ?? 'null', 'Member must satisfy regular expression pattern: [\\w+=,.@-]*');
    }
    if (!tokenText || tokenText.length < 4) throw validation('webIdentityToken', 'null', 'Member must have length greater than or equal to 4');
    const token = webIdentityTokens[tokenText.trim()];
    if (!token) throw new StsFault(400, 'InvalidIdentityToken', 'Couldn\'t retrieve verification key from your identity provider,  please reference AssumeRoleWithWebIdentity documentation for requirements');
    const role = roles[roleArn];
    if (!role || !(role.webIdentitySubjects ?? []).includes(token.subject)) {
      throw new StsFault(403, 'AccessDenied', 'Not authorized to perform sts:AssumeRoleWithWebIdentity');
    }
    const duration = durationParam(params, 900, 43200, 3600);
    if (duration > (role.maxSessionDuration ?? 3600)) throw new StsFault(400, 'ValidationError', 'The requested DurationSeconds exceeds the MaxSessionDuration set for this role.');
    const roleName = roleArn.slice(roleArn.lastIndexOf('/') + 1);
    const credentials = issue({
      action: 'AssumeRoleWithWebIdentity',
      kind: 'assumed-role',
      account: role.account,
      arn: `arn:aws:sts::${role.account}:assumed-role/${roleName}/${sessionName}`,
      userId: `${uniqueId('AROA', roleArn)}:${sessionName}`,
      mfaAuthenticated: false,
      issuedTo: `web identity ${token.subject}`,
      roleArn,
      duration,
    });
    return response(
      'AssumeRoleWithWebIdentity',
      `<SubjectFromWebIdentityToken>${esc(token.subject)}</SubjectFromWebIdentityToken>\n    <Audience>${esc(token.audience)}</Audience>\n    ` +
        `<AssumedRoleUser>\n      <Arn>${esc(credentials.arn)}</Arn>\n      <AssumedRoleId>${esc(credentials.userId)}</AssumedRoleId>\n    </AssumedRoleUser>\n    ` +
        `${credentialsXml(credentials)}\n    <Provider>${esc(token.provider)}</Provider>`,
      requestId,
    );
  }

  /** Validates SerialNumber/TokenCode when present; true when MFA was shown in this request. */
  function checkMfa(params: Map<string, string>, caller: CallerInfo): boolean {
    const serial = params.get('SerialNumber');
    const code = params.get('TokenCode');
    if (serial === undefined && code === undefined) return false;
    if (code !== undefined && !/^\d{6}$/.test(code)) {
      throw validation('tokenCode', code, 'Member must satisfy regular expression pattern: [\\d]*');
    }
    const user = caller.userKeyId ? keys[caller.userKeyId] : undefined;
    if (serial === undefined || !user || user.mfaSerial !== serial) throw new StsFault(403, 'AccessDenied', UNKNOWN_MFA_DEVICE);
    const index = code === undefined ? -1 : (user.validCodes ?? []).indexOf(code);
    if (index < 0) throw new StsFault(403, 'AccessDenied', INVALID_MFA);
    user.validCodes!.splice(index, 1); // one use only
    return true;
  }

  function issue(fields: Omit<IssuedCredentials, 'accessKeyId' | 'secretAccessKey' | 'sessionToken' | 'expiration'> & { duration: number }): IssuedCredentials {
    const { duration, ...rest } = fields;
    const now = standIn.now();
    const credentials: IssuedCredentials = {
      accessKeyId: 'ASIA' + base32(16),
      secretAccessKey: secretKey(),
      sessionToken: sessionToken(),
      expiration: new Date(Math.floor(now.getTime() / 1000) * 1000 + duration * 1000),
      ...rest,
    };
    issued.set(credentials.accessKeyId, credentials);
    standIn.onIssue?.(credentials);
    return credentials;
  }

  const listening = await listenOnLoopback(server);
  standIn.port = listening.port;
  standIn.url = listening.url;
  standIn.close = listening.close;
  return standIn;
}

// ---------------------------------------------------------------------------------------------
// SigV4, independently (https://docs.aws.amazon.com/IAM/latest/UserGuide/create-signed-request.html)

const hmac = (key: Buffer | string, data: string): Buffer => createHmac('sha256', key).update(data, 'utf8').digest();
const sha256Hex = (data: string | Buffer): string => createHash('sha256').update(data).digest('hex');

/** The canonical request, from the request as it arrived: raw path, raw query, raw headers. */
export function canonicalRequest(req: IncomingMessage, body: Buffer, signedHeaders: string[]): string {
  const target = req.url ?? '/';
  const q = target.indexOf('?');
  const path = q < 0 ? target : target.slice(0, q);
  const query = q < 0 ? '' : target.slice(q + 1);
  // Non-S3 services: each (already encoded) path segment is encoded again.
  const canonicalUri = path.split('/').map((segment) => rfc3986(segment)).join('/') || '/';
  const canonicalQuery = query
    .split('&')
    .filter((pair) => pair !== '')
    .map((pair) => {
      const eq = pair.indexOf('=');
      const key = eq < 0 ? pair : pair.slice(0, eq);
      const value = eq < 0 ? '' : pair.slice(eq + 1);
      return [rfc3986(formDecode(key)), rfc3986(formDecode(value))] as const;
    })
    .sort(([a, av], [b, bv]) => (a < b ? -1 : a > b ? 1 : av < bv ? -1 : av > bv ? 1 : 0))
    .map(([k, v]) => `${k}=${v}`)
    .join('&');
  const values = new Map<string, string[]>();
  for (let i = 0; i < req.rawHeaders.length; i += 2) {
    const name = req.rawHeaders[i]!.toLowerCase();
    const value = req.rawHeaders[i + 1]!.trim().replace(/ +/g, ' ');
    values.set(name, [...(values.get(name) ?? []), value]);
  }
  const canonicalHeaders = signedHeaders.map((name) => `${name}:${(values.get(name) ?? []).join(',')}\n`).join('');
  return `${req.method}\n${canonicalUri}\n${canonicalQuery}\n${canonicalHeaders}\n${signedHeaders.join(';')}\n${sha256Hex(body)}`;
}

function rfc3986(text: string): string {
  return encodeURIComponent(text).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

function formDecode(text: string): string {
  try {
    return decodeURIComponent(text.replace(/\+/g, ' '));
  } catch {
    return text;
  }
}

function headerValue(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value.join(',') : value;
}

/** Query-string and form-body parameters together (STS takes either). */
function requestParams(req: IncomingMessage, body: Buffer): Map<string, string> {
  const params = new Map<string, string>();
  const add = (text: string) => {
    for (const pair of text.split('&')) {
      if (pair === '') continue;
      const eq = pair.indexOf('=');
      params.set(formDecode(eq < 0 ? pair : pair.slice(0, eq)), formDecode(eq < 0 ? '' : pair.slice(eq + 1)));
    }
  };
  const target = req.url ?? '/';
  const q = target.indexOf('?');
  if (q >= 0) add(target.slice(q + 1));
  if ((headerValue(req, 'content-type') ?? '').startsWith('application/x-www-form-urlencoded')) add(body.toString('utf8'));
  return params;
}

function parseAmzDate(stamp: string): Date {
  return new Date(`${stamp.slice(0, 4)}-${stamp.slice(4, 6)}-${stamp.slice(6, 8)}T${stamp.slice(9, 11)}:${stamp.slice(11, 13)}:${stamp.slice(13, 15)}Z`);
}

function amzStamp(date: Date): string {
  return date.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
}

// ---------------------------------------------------------------------------------------------
// Answers

function durationParam(params: Map<string, string>, min: number, max: number, fallback: number): number {
  const text = params.get('DurationSeconds');
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!Number.isInteger(value)) throw validation('durationSeconds', text, 'Member must be an integer');
  if (value < min) throw validation('durationSeconds', text, `Member must have value greater than or equal to ${min}`);
  if (value > max) throw validation('durationSeconds', text, `Member must have value less than or equal to ${max}`);
  return value;
}

function validation(field: string, value: string, constraint: string): StsFault {
  return new StsFault(400, 'ValidationError', `1 validation error detected: Value '${value}' at '${field}' failed to satisfy constraint: ${constraint}`);
}

function credentialsXml(c: IssuedCredentials): string {
  return (
    `<Credentials>\n      <AccessKeyId>${esc(c.accessKeyId)}</AccessKeyId>\n      <SecretAccessKey>${esc(c.secretAccessKey)}</SecretAccessKey>\n` +
    `      <SessionToken>${esc(c.sessionToken)}</SessionToken>\n      <Expiration>${c.expiration.toISOString().replace('.000Z', 'Z')}</Expiration>\n    </Credentials>`
  );
}

function response(action: StsStandInAction, result: string, requestId: string): string {
  return (
    `<${action}Response xmlns="${STS_NAMESPACE}">\n  <${action}Result>\n    ${result}\n  </${action}Result>\n` +
    `  <ResponseMetadata>\n    <RequestId>${requestId}</RequestId>\n  </ResponseMetadata>\n</${action}Response>\n`
  );
}

function errorXml(error: StsFault, requestId: string): string {
  return (
    `<ErrorResponse xmlns="${STS_NAMESPACE}">\n  <Error>\n    <Type>${error.type}</Type>\n    <Code>${esc(error.code)}</Code>\n` +
    `    <Message>${esc(error.message)}</Message>\n  </Error>\n  <RequestId>${requestId}</RequestId>\n</ErrorResponse>\n`
  );
}

function send(res: ServerResponse, status: number, xml: string, requestId: string, now: Date): void {
  // `Date` from the stand-in's clock (node would send its own real-time one): a test that moves
  // `now` sees the skew there, as a client of the real STS would.
  res.writeHead(status, { 'content-type': 'text/xml', 'x-amzn-requestid': requestId, 'content-length': Buffer.byteLength(xml), date: now.toUTCString() });
  res.end(xml);
}

function esc(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');
}

/** `arn:aws:sts::1:assumed-role/R/s` → `arn:aws:iam::1:role/R`, the principal a trust policy names. */
function assumedRoleBase(arn: string): string | undefined {
  const m = /^arn:aws:sts::(\d+):assumed-role\/([^/]+)\//.exec(arn);
  return m ? `arn:aws:iam::${m[1]}:role/${m[2]}` : undefined;
}

function uniqueId(prefix: string, seed: string): string {
  const digest = createHash('sha256').update(seed).digest();
  return prefix + [...digest.subarray(0, 17)].map((b) => 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567'[b % 32]).join('');
}

function base32(length: number): string {
  return [...randomBytes(length)].map((b) => 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567'[b % 32]).join('');
}

/** 40 characters like an AWS secret, always holding `/` and `+`. */
function secretKey(): string {
  const s = randomBytes(30).toString('base64').split('');
  s[5] = '/';
  s[17] = '+';
  return s.join('');
}

/** Shaped like an STS session token: long base64 with `/`, `+` and `=` padding. */
function sessionToken(): string {
  return `IQoJb3JpZ2luX2Vj/${randomBytes(96).toString('base64')}+${randomBytes(97).toString('base64')}`;
}
