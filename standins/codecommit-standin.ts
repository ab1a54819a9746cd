// A loopback stand-in for AWS CodeCommit's git endpoint: real HTTPS, real signature checks
// (independent of the product's signer) and real `git http-backend` behind them, so real git
// can clone and push through the product's credential helper in tests and in `npm run demo`.
//
// It behaves like CodeCommit where git can tell: no Authorization → 401 + Basic challenge;
// any bad credential (unknown key, bad signature, stale timestamp) → 403, which makes git give
// up without `erase`; unknown repository → 404, but only after authentication.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { createServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stripPort, verifyCodeCommitPassword, type AcceptedKey, type VerifyFailure } from './codecommit-signature.js';
import { runGit, type Env } from './git-env.js';
import { makeThrowawayCa } from './throwaway-ca.js';

export type { AcceptedKey } from './codecommit-signature.js';

export interface StandInLogEntry {
  method: string;
  /** The Host header as sent (may carry a port). */
  host: string;
  /** URL path without the query string, e.g. `/v1/repos/demo/info/refs`. */
  path: string;
  /** `git-upload-pack` (fetch/clone) or `git-receive-pack` (push), when the request names one. */
  service?: string;
  repo?: string;
  /** Never the secret, the signature or the session token. */
  accessKeyId?: string;
  outcome: 'challenge' | 'accepted' | 'rejected';
  reason?: VerifyFailure | 'unknown-host' | 'not-a-repository-path' | 'malformed-authorization' | 'repository-not-found' | 'backend-failed';
  /** The request's Content-Encoding (git gzips larger fetch negotiations). */
  contentEncoding?: string;
  /** True when the body came with Transfer-Encoding: chunked (git's pushes above http.postBuffer). */
  chunked?: true;
  /** HTTP status sent (for accepted requests: the backend's). */
  status: number;
}

export interface StandInOptions {
  /** Where repositories and TLS files live; a temp dir (removed on close) when omitted. */
  dataDir?: string;
  /** Hostnames served (and named in the certificate). Default: `git-codecommit.us-east-1.amazonaws.com`. */
  hostnames?: string[];
  /** Accepted credentials. The array is kept (not copied): push/splice it to add or rotate keys. */
  keys?: AcceptedKey[];
  /** The server's clock, for timestamp checks. Default: real time. */
  now?: () => Date;
  maxAgeSeconds?: number;
  maxFutureSeconds?: number;
  /** Empty repositories to create before the server starts. */
  repos?: string[];
}

export interface AddRepoOptions {
  /** Create `main` with one commit holding these files (flat names only). */
  initialCommit?: { files: Record<string, string>; message?: string };
}

export interface CodeCommitStandIn {
  port: number;
  hostnames: string[];
  /** PEM file of the throwaway CA: put it in GIT_SSL_CAINFO. */
  caCertPath: string;
  caPem: string;
  dataDir: string;
  reposDir: string;
  /** Mutable: tests may push, splice or replace it. */
  keys: AcceptedKey[];
  /** Mutable: replace to move the server's clock. */
  now: () => Date;
  /** Every request, in arrival order. */
  log: StandInLogEntry[];
  /**
   * Mutable: awaited after a request is authenticated and before it is served, so a test can
   * look at the client's processes while they hold a password (the transport waits meanwhile).
   */
  beforeServe?: (entry: StandInLogEntry) => Promise<void>;
  /** `https://<host>/v1/repos/<name>`, the real, portless CodeCommit URL (use it via the CONNECT proxy). */
  repoUrl(name: string, hostname?: string): string;
  /** Path of a repository's bare git dir. */
  gitDir(name: string): string;
  addRepo(name: string, options?: AddRepoOptions): Promise<{ gitDir: string; head?: string }>;
  /** Key ids of accepted requests, in order (with repeats). */
  acceptedKeyIds(): string[];
  close(): Promise<void>;
}

// CodeCommit repository names: letters, digits, `.`, `_`, `-`, up to 100 characters.
const REPO_NAME = /^[A-Za-z0-9._-]{1,100}$/;
const REPO_PATH = /^\/v1\/repos\/([^/]+)(\/.*)?$/;

function checkRepoName(name: string): void {
  if (!REPO_NAME.test(name) || name === '.' || name === '..' || name.endsWith('.git')) {
    throw new Error(`invalid repository name ${JSON.stringify(name)}`);
  }
}

/** A minimal, hermetic environment for git run by the stand-in itself (not the client). */
function serverGitEnv(home: string): Env {
  return {
    PATH: process.env.PATH,
    HOME: home,
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_CONFIG_GLOBAL: '/dev/null',
    LC_ALL: 'C',
  };
}

function serviceOf(path: string, query: URLSearchParams): string | undefined {
  const fromQuery = query.get('service');
  if (fromQuery) return fromQuery;
  const last = path.split('/').pop();
  return last === 'git-upload-pack' || last === 'git-receive-pack' ? last : undefined;
}

export async function startCodeCommitStandIn(options: StandInOptions = {}): Promise<CodeCommitStandIn> {
  const ownsDataDir = options.dataDir === undefined;
  const dataDir = options.dataDir ?? (await mkdtemp(join(tmpdir(), 'cc-standin-')));
  const hostnames = (options.hostnames ?? ['git-codecommit.us-east-1.amazonaws.com']).map((h) => h.toLowerCase());
  const reposDir = join(dataDir, 'repos');
  const gitEnv = serverGitEnv(dataDir);
  const tls = await makeThrowawayCa(join(dataDir, 'tls'), hostnames);
  const children = new Set<ChildProcess>();

  const gitDir = (name: string): string => join(reposDir, `${name}.git`);

  async function addRepo(name: string, opts: AddRepoOptions = {}): Promise<{ gitDir: string; head?: string }> {
    checkRepoName(name);
    const dir = gitDir(name);
    const must = async (args: string[], input?: string, extraEnv: Env = {}): Promise<string> => {
      const r = await runGit(args, { cwd: dir, env: { ...gitEnv, ...extraEnv }, input });
      if (r.code !== 0) throw new Error(`git ${args.join(' ')} failed: ${r.stderr}`);
      return r.stdout.trim();
    };
    const init = await runGit(['init', '--bare', '--quiet', '--initial-branch=main', dir], { env: gitEnv });
    if (init.code !== 0) throw new Error(`git init failed: ${init.stderr}`);
    // Lets http-backend serve pushes whatever REMOTE_USER is.
    await must(['config', 'http.receivepack', 'true']);
    if (!opts.initialCommit) return { gitDir: dir };

    // Plumbing only: a bare repo has no work tree to commit from.
    const entries: string[] = [];
    for (const [file, content] of Object.entries(opts.initialCommit.files)) {
      if (!/^[^/\0\n\t]+$/.test(file)) throw new Error(`initialCommit: flat file names only, got ${JSON.stringify(file)}`);
      const blob = await must(['hash-object', '-w', '--stdin'], content);
      entries.push(`100644 blob ${blob}\t${file}\n`);
    }
    const tree = await must(['mktree'], entries.join(''));
    const who = { GIT_AUTHOR_NAME: 'Stand-in', GIT_AUTHOR_EMAIL: 'standin@example.com', GIT_COMMITTER_NAME: 'Stand-in', GIT_COMMITTER_EMAIL: 'standin@example.com' };
    const commit = await must(['commit-tree', tree, '-m', opts.initialCommit.message ?? 'Initial commit'], undefined, who);
    await must(['update-ref', 'refs/heads/main', commit]);
    return { gitDir: dir, head: commit };
  }

  for (const name of options.repos ?? []) await addRepo(name);

  const log: StandInLogEntry[] = [];

  function runBackend(req: IncomingMessage, res: ServerResponse, entry: StandInLogEntry, name: string, rest: string, query: string, remoteUser: string): void {
    const env: Env = {
      ...gitEnv,
      GIT_PROJECT_ROOT: reposDir,
      GIT_HTTP_EXPORT_ALL: '1',
      GATEWAY_INTERFACE: 'CGI/1.1',
      REQUEST_METHOD: req.method ?? 'GET',
      PATH_INFO: `/${name}.git${rest}`,
      QUERY_STRING: query,
      REMOTE_USER: remoteUser,
      REMOTE_ADDR: req.socket.remoteAddress ?? '127.0.0.1',
    };
    // Only pass CONTENT_LENGTH when the client sent one: git sends large pushes chunked, and
    // http-backend then reads the body to EOF.
    if (req.headers['content-length'] !== undefined) env.CONTENT_LENGTH = req.headers['content-length'];
    if (req.headers['content-type'] !== undefined) env.CONTENT_TYPE = req.headers['content-type'];
    // git gzips larger fetch negotiations; http-backend inflates when told so via this variable.
    if (req.headers['content-encoding'] !== undefined) env.HTTP_CONTENT_ENCODING = req.headers['content-encoding'];
    // Protocol v2 is negotiated with the Git-Protocol header, which CGI passes as HTTP_GIT_PROTOCOL.
    const gitProtocol = req.headers['git-protocol'];
    if (typeof gitProtocol === 'string') env.HTTP_GIT_PROTOCOL = gitProtocol;

    const child = spawn('git', ['http-backend'], { env: env as NodeJS.ProcessEnv, stdio: ['pipe', 'pipe', 'pipe'] });
    children.add(child);
    const stderr: Buffer[] = [];
    child.stderr.on('data', (c: Buffer) => stderr.push(c));
    child.stdin.on('error', () => {}); // EPIPE when the backend answers without reading the body
    req.pipe(child.stdin);

    // CGI output: headers (Status: is special), a blank line, then the body.
    let head = Buffer.alloc(0);
    let headersSent = false;
    const fail = (why: string): void => {
      entry.outcome = 'rejected';
      entry.reason = 'backend-failed';
      entry.status = 500;
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
      res.end(`git http-backend failed: ${why}\n`);
    };
    child.stdout.on('data', (chunk: Buffer) => {
      if (headersSent) {
        if (!res.write(chunk)) {
          child.stdout.pause();
          res.once('drain', () => child.stdout.resume());
        }
        return;
      }
      head = Buffer.concat([head, chunk]);
      const text = head.toString('latin1');
      const crlf = text.indexOf('\r\n\r\n');
      const lf = text.indexOf('\n\n');
      const end = crlf !== -1 && (lf === -1 || crlf < lf) ? crlf + 4 : lf !== -1 ? lf + 2 : -1;
      if (end === -1) return;
      let status = 200;
      const headers: Record<string, string> = {};
      for (const line of text.slice(0, end).split(/\r?\n/)) {
        const colon = line.indexOf(':');
        if (colon <= 0) continue;
        const key = line.slice(0, colon).trim();
        const value = line.slice(colon + 1).trim();
        if (key.toLowerCase() === 'status') status = Number.parseInt(value, 10) || 500;
        else headers[key] = value;
      }
      entry.status = status;
      res.writeHead(status, headers);
      headersSent = true;
      const body = head.subarray(end);
      if (body.length > 0) res.write(body);
    });
    child.once('error', (error) => {
      children.delete(child);
      fail(error.message);
    });
    child.once('close', (code) => {
      children.delete(child);
      if (!headersSent) fail(`exit ${code}: ${Buffer.concat(stderr).toString('utf8').trim()}`);
      else res.end();
    });
    res.once('close', () => {
      if (child.exitCode === null) child.kill();
    });
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const hostHeader = req.headers.host ?? '';
    const url = new URL(req.url ?? '/', 'https://stand-in.invalid');
    const entry: StandInLogEntry = { method: req.method ?? 'GET', host: hostHeader, path: url.pathname, outcome: 'rejected', status: 0 };
    const service = serviceOf(url.pathname, url.searchParams);
    if (service) entry.service = service;
    const encoding = req.headers['content-encoding'];
    if (encoding !== undefined) entry.contentEncoding = encoding;
    if (/\bchunked\b/i.test(req.headers['transfer-encoding'] ?? '')) entry.chunked = true;
    log.push(entry);
    const answer = (status: number, body: string, headers: Record<string, string> = {}): void => {
      entry.status = status;
      req.resume(); // drain any body so keep-alive connections stay usable
      res.writeHead(status, { 'content-type': 'text/plain', ...headers });
      res.end(body);
    };

    if (!hostnames.includes(stripPort(hostHeader))) {
      entry.reason = 'unknown-host';
      return answer(421, 'Misdirected request\n');
    }
    const match = REPO_PATH.exec(url.pathname);
    let name: string | undefined;
    try {
      name = match ? decodeURIComponent(match[1]!) : undefined;
    } catch {
      name = undefined;
    }
    if (!match || name === undefined || !REPO_NAME.test(name) || name === '.' || name === '..') {
      entry.reason = 'not-a-repository-path';
      return answer(404, 'Not found\n');
    }
    entry.repo = name;

    const auth = req.headers.authorization;
    if (auth === undefined || !/^basic\s/i.test(auth)) {
      entry.outcome = 'challenge';
      return answer(401, 'Unauthorized\n', { 'www-authenticate': 'Basic realm="AWS CodeCommit"' });
    }
    const decoded = Buffer.from(auth.replace(/^basic\s+/i, ''), 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon === -1) {
      entry.reason = 'malformed-authorization';
      return answer(403, 'Forbidden\n');
    }
    const result = verifyCodeCommitPassword({
      username: decoded.slice(0, colon),
      password: decoded.slice(colon + 1),
      host: hostHeader,
      repoPath: `/v1/repos/${name}`,
      now: standIn.now(),
      keys: standIn.keys,
      maxAgeSeconds: options.maxAgeSeconds,
      maxFutureSeconds: options.maxFutureSeconds,
    });
    if (result.accessKeyId !== undefined) entry.accessKeyId = result.accessKeyId;
    if (!result.ok) {
      entry.reason = result.reason;
      return answer(403, 'Forbidden\n');
    }

    const exists = await stat(gitDir(name)).then((s) => s.isDirectory(), () => false);
    if (!exists) {
      entry.reason = 'repository-not-found';
      return answer(404, `repository '${name}' does not exist\n`);
    }
    entry.outcome = 'accepted';
    if (standIn.beforeServe) await standIn.beforeServe(entry);
    runBackend(req, res, entry, name, match[2] ?? '', url.search.replace(/^\?/, ''), result.accessKeyId);
  }

  const server: Server = createServer({ key: tls.keyPem, cert: tls.certPem }, (req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
      res.end(`stand-in error: ${String(error)}\n`);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;

  const standIn: CodeCommitStandIn = {
    port,
    hostnames,
    caCertPath: tls.caCertPath,
    caPem: tls.caPem,
    dataDir,
    reposDir,
    keys: options.keys ?? [],
    now: options.now ?? (() => new Date()),
    log,
    repoUrl: (name, hostname = hostnames[0]!) => `https://${hostname}/v1/repos/${name}`,
    gitDir,
    addRepo,
    acceptedKeyIds: () => log.filter((e) => e.outcome === 'accepted').map((e) => e.accessKeyId!),
    async close() {
      for (const child of children) child.kill();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections(); // keep-alive sockets would otherwise hold close() open
      });
      if (ownsDataDir) await rm(dataDir, { recursive: true, force: true });
    },
  };
  return standIn;
}
