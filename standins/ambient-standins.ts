// Loopback stand-ins for the credential endpoints a CI job or cloud workload gets from its
// platform, for `--credentials ambient`:
// - the container credentials endpoint (ECS, CodeBuild, EKS Pod Identity): GET on a URL, the
//   Authorization header must carry the platform's token, JSON answer with the keys;
//   https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task-iam-roles.html
// - the EC2 instance metadata service, IMDSv2: PUT /latest/api/token (TTL header) for a session
//   token, then GETs carrying X-aws-ec2-metadata-token; a GET without a token is refused (401),
//   as on an instance that requires IMDSv2, so an IMDSv1 fallback would fail.
//   https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/configuring-instance-metadata-service.html
// Each hands out credentials (ASIA… ids, secrets and tokens holding `/+=`) that a test adds to
// the CodeCommit stand-in's keys. Not shipped; does not import src/.
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { listenOnLoopback } from './loopback-http.js';

export interface EndpointCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string;
  expiration: Date;
}

export interface EndpointLogEntry {
  method: string;
  path: string;
  status: number;
  /** Whether the request carried the header the endpoint asks for (never its value). */
  authorized: boolean;
}

export interface CredentialEndpoint {
  /** `http://127.0.0.1:<port>` (no trailing slash). */
  url: string;
  credentials: EndpointCredentials;
  log: EndpointLogEntry[];
  close(): Promise<void>;
}

/** Fresh temporary credentials valid for an hour. */
export function temporaryCredentials(now = new Date()): EndpointCredentials {
  return {
    accessKeyId: 'ASIA' + randomBytes(8).toString('hex').toUpperCase(),
    secretAccessKey: `am/${randomBytes(18).toString('base64')}+b`,
    sessionToken: `IQoJb3JpZ2luX2Vj/${randomBytes(48).toString('base64')}+tok=`,
    expiration: new Date(Math.floor(now.getTime() / 1000) * 1000 + 3600_000),
  };
}

/** The container endpoint: `path` answers when `Authorization` is exactly `token`. */
export async function startContainerCredentialsStandIn(options: {
  token: string;
  path?: string;
  accountId?: string;
  /** Accept every request and never answer (a wedged agent). */
  stall?: boolean;
  /** Answer with a credentials document this many bytes long, without a length (a hostile endpoint). */
  hugeAnswerBytes?: number;
}): Promise<CredentialEndpoint & { path: string }> {
  const path = options.path ?? '/v1/credentials';
  const credentials = temporaryCredentials();
  const log: EndpointLogEntry[] = [];
  const server = createServer((req, res) => {
    const authorized = req.headers.authorization === options.token;
    if (options.stall) {
      log.push({ method: req.method ?? '', path: req.url ?? '', status: 0, authorized });
      return;
    }
    const status = req.method !== 'GET' || req.url !== path ? 404 : authorized ? 200 : 401;
    log.push({ method: req.method ?? '', path: req.url ?? '', status, authorized });
    if (status === 404) return json(res, 404, { code: 'NotFound', message: 'no such path' });
    if (status === 401) return json(res, 401, { code: 'AccessDeniedException', message: 'missing or wrong authorization token' });
    if (options.hugeAnswerBytes) return streamHuge(res, options.hugeAnswerBytes);
    json(res, 200, {
      AccessKeyId: credentials.accessKeyId,
      SecretAccessKey: credentials.secretAccessKey,
      Token: credentials.sessionToken,
      Expiration: credentials.expiration.toISOString(),
      ...(options.accountId ? { AccountId: options.accountId } : {}),
    });
  });
  return { ...(await listen(server, credentials, log)), path };
}

/** IMDSv2 only: one instance role, `roleName`. */
export async function startImdsStandIn(
  options: {
    roleName?: string;
    /** Answer every token PUT with 403, as when a proxy blocks PUT. */
    refuseTokens?: boolean;
    /** The credentials document is this many bytes long, without a length (a hostile endpoint). */
    hugeAnswerBytes?: number;
    /** The credentials handed out expired this long ago (an IMDS that cannot refresh them). */
    expiredMsAgo?: number;
  } = {},
): Promise<CredentialEndpoint & { tokensIssued: () => number }> {
  const roleName = options.roleName ?? 'ci-runner-role';
  const credentials = temporaryCredentials();
  if (options.expiredMsAgo !== undefined) credentials.expiration = new Date(Math.floor((Date.now() - options.expiredMsAgo) / 1000) * 1000);
  const log: EndpointLogEntry[] = [];
  const tokens = new Set<string>();
  const base = '/latest/meta-data/iam/security-credentials/';
  const server = createServer((req, res) => {
    const url = req.url ?? '';
    if (req.method === 'PUT' && url === '/latest/api/token') {
      const ttl = Number(req.headers['x-aws-ec2-metadata-token-ttl-seconds']);
      const ok = Number.isInteger(ttl) && ttl >= 1 && ttl <= 21600;
      const status = !ok ? 400 : options.refuseTokens ? 403 : 200;
      log.push({ method: 'PUT', path: url, status, authorized: ok });
      if (status === 400) return text(res, 400, 'Bad Request');
      if (status === 403) return text(res, 403, 'Forbidden');
      const token = randomBytes(30).toString('base64');
      tokens.add(token);
      return text(res, 200, token, { 'x-aws-ec2-metadata-token-ttl-seconds': String(ttl) });
    }
    const token = req.headers['x-aws-ec2-metadata-token'];
    const authorized = typeof token === 'string' && tokens.has(token);
    const known = req.method === 'GET' && (url === base || url === base + roleName);
    const status = !authorized ? 401 : known ? 200 : 404;
    log.push({ method: req.method ?? '', path: url, status, authorized });
    if (status === 401) return text(res, 401, 'Unauthorized'); // IMDSv2 required: no token, no answer
    if (status === 404) return text(res, 404, 'Not Found');
    if (url === base) return text(res, 200, roleName);
    if (options.hugeAnswerBytes) return streamHuge(res, options.hugeAnswerBytes);
    json(res, 200, {
      Code: 'Success',
      LastUpdated: new Date().toISOString(),
      Type: 'AWS-HMAC',
      AccessKeyId: credentials.accessKeyId,
      SecretAccessKey: credentials.secretAccessKey,
      Token: credentials.sessionToken,
      Expiration: credentials.expiration.toISOString(),
    });
  });
  return { ...(await listen(server, credentials, log)), tokensIssued: () => tokens.size };
}

/** `{"AccessKeyId":"AAAA…` for `bytes` bytes, chunked, written as fast as the reader takes it. */
function streamHuge(res: ServerResponse, bytes: number): void {
  res.writeHead(200, { 'content-type': 'application/json' });
  const chunk = Buffer.alloc(64 * 1024, 'A');
  let left = bytes;
  res.write('{"AccessKeyId":"');
  const pump = () => {
    while (left > 0) {
      const n = Math.min(left, chunk.length);
      left -= n;
      if (!res.write(n === chunk.length ? chunk : chunk.subarray(0, n))) return void res.once('drain', pump);
    }
    res.end('"}');
  };
  res.on('error', () => {});
  pump();
}

function json(res: ServerResponse, status: number, body: unknown): void {
  text(res, status, JSON.stringify(body), { 'content-type': 'application/json' });
}

function text(res: ServerResponse, status: number, body: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'text/plain', 'content-length': Buffer.byteLength(body), ...headers });
  res.end(body);
}

async function listen(server: Server, credentials: EndpointCredentials, log: EndpointLogEntry[]): Promise<CredentialEndpoint> {
  server.on('request', (req: IncomingMessage) => req.resume());
  const listening = await listenOnLoopback(server);
  return { url: listening.url.slice(0, -1), credentials, log, close: listening.close };
}
