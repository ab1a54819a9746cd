// Proves the CodeCommit stand-in itself: its independent verifier agrees with the AWS CLI's
// golden vectors, it answers like CodeCommit over real HTTPS, and real git can clone and push
// through the CONNECT proxy using the real, portless CodeCommit URL.
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { request } from 'node:https';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import {
  regionFromHost,
  signCodeCommitPassword,
  verifyCodeCommitPassword,
  type AcceptedKey,
} from '../standins/codecommit-signature.js';
import { startCodeCommitStandIn, type CodeCommitStandIn } from '../standins/codecommit-standin.js';
import { routeHostsTo, startConnectProxy, type ConnectProxy } from '../standins/connect-proxy.js';
import { makeHermeticGitEnv, runGit, scrubbedEnv, type Env } from '../standins/git-env.js';
import { readGoldenVectors } from './support/golden-vectors.js';
import { needs, POSIX } from './support/prerequisites.js';

// Not yet ported to Windows (sh, file modes, signals): skipped there, with the reason.
const test = needs(POSIX);

const HOST = 'git-codecommit.us-east-1.amazonaws.com';
const STATIC_KEY: AcceptedKey = { accessKeyId: 'AKIASTANDINTEST00001', secretAccessKey: 'standin/secret+KEY0000000000000000000001' };
const SESSION_KEY: AcceptedKey = {
  accessKeyId: 'ASIASTANDINTEST00002',
  secretAccessKey: 'standin/secret+KEY0000000000000000000002',
  sessionToken: 'IQoJb3JpZ2luX2VjStandInToken/with+slash=',
};

const signerModuleUrl = new URL('../standins/codecommit-signature.js', import.meta.url).href;

/** Same string with the character at `i` replaced by a different one of the same kind. */
function changeOne(s: string, i: number): string {
  const c = s[i]!;
  const swap = /[0-9]/.test(c) ? (c === '1' ? '2' : '1') : /[a-f]/.test(c) ? (c === 'a' ? 'b' : 'a') : c === 'X' ? 'Y' : 'X';
  return s.slice(0, i) + swap + s.slice(i + 1);
}

test('verifier accepts every AWS CLI golden vector and rejects one-character changes', async (t) => {
  const vectors = readGoldenVectors();
  const signed = vectors.filter((v) => v.expected !== null);
  t.true(signed.length >= 5);
  for (const v of vectors) {
    const now = new Date(v.time);
    const repoPath = `/${v.input.path}`;
    if (v.expected === null) {
      t.is(regionFromHost(v.input.host), undefined, `${v.name}: the CLI signs nothing, and this is not a CodeCommit host`);
      continue;
    }
    const base = { host: v.input.host, repoPath, now, keys: [v.credentials] };
    // Our test-only signer reproduces the CLI byte for byte.
    t.deepEqual(signCodeCommitPassword({ ...v.credentials, host: v.input.host, repoPath, now }), v.expected, v.name);
    t.deepEqual(verifyCodeCommitPassword({ ...base, ...v.expected }), { ok: true, accessKeyId: v.credentials.accessKeyId }, v.name);

    // Every position of the password: timestamp digits, the `Z`, and the signature.
    const { password, username } = v.expected;
    for (let i = 0; i < password.length; i++) {
      const r = verifyCodeCommitPassword({ ...base, username, password: changeOne(password, i) });
      t.false(r.ok, `${v.name}: password changed at ${i} must be rejected`);
    }
    // The username (key id, or the session token after `%`).
    const tampered = verifyCodeCommitPassword({ ...base, username: changeOne(username, username.length - 2), password });
    t.false(tampered.ok, `${v.name}: tampered username`);
    // Anything signed for another repository or host does not verify.
    t.like(verifyCodeCommitPassword({ ...base, ...v.expected, repoPath: `${repoPath}x` }), { ok: false, reason: 'bad-signature' });
    t.like(verifyCodeCommitPassword({ ...base, ...v.expected, host: 'git-codecommit.us-west-2.amazonaws.com' }), { ok: false });
  }
});

test('verifier reasons: stale, future, unknown key, token mismatch, lookalike host', (t) => {
  const at = new Date('2026-05-01T10:00:00Z');
  const repoPath = '/v1/repos/demo';
  const keys = [STATIC_KEY, SESSION_KEY];
  const good = signCodeCommitPassword({ ...STATIC_KEY, host: HOST, repoPath, now: at });
  const verify = (over: Partial<Parameters<typeof verifyCodeCommitPassword>[0]>) =>
    verifyCodeCommitPassword({ ...good, host: HOST, repoPath, now: at, keys, ...over });

  t.deepEqual(verify({}), { ok: true, accessKeyId: STATIC_KEY.accessKeyId });
  t.true(verify({ now: new Date(at.getTime() + 899_000) }).ok);
  t.like(verify({ now: new Date(at.getTime() + 901_000) }), { ok: false, reason: 'stale-timestamp' });
  t.like(verify({ now: new Date(at.getTime() - 301_000) }), { ok: false, reason: 'future-timestamp' });
  t.like(verify({ now: new Date(at.getTime() + 61_000), maxAgeSeconds: 60 }), { ok: false, reason: 'stale-timestamp' });
  t.like(verify({ keys: [SESSION_KEY] }), { ok: false, reason: 'unknown-key', accessKeyId: STATIC_KEY.accessKeyId });
  t.like(verify({ host: `${HOST}.evil.example` }), { ok: false, reason: 'unknown-host' });
  t.true(verify({ host: `${HOST}:443` }).ok, 'the port is not signed');

  const session = signCodeCommitPassword({ ...SESSION_KEY, host: HOST, repoPath, now: at });
  t.is(session.username, `${SESSION_KEY.accessKeyId}%${SESSION_KEY.sessionToken}`);
  t.true(verify(session).ok);
  t.like(verify({ ...session, username: SESSION_KEY.accessKeyId }), { ok: false, reason: 'token-mismatch' });
  t.like(verify({ ...session, username: `${SESSION_KEY.accessKeyId}%other` }), { ok: false, reason: 'token-mismatch' });
  t.like(verify({ password: good.password.replace('Z', 'z') }), { ok: false, reason: 'malformed-password' });

  t.is(regionFromHost('git-codecommit-fips.us-gov-west-1.amazonaws.com'), 'us-gov-west-1');
  t.is(regionFromHost('git-codecommit.cn-northwest-1.amazonaws.com.cn'), 'cn-northwest-1');
  t.is(regionFromHost('vpce-0abc-xyz.git-codecommit-fips.ca-central-1.vpce.amazonaws.com'), 'ca-central-1');
  t.is(regionFromHost('codecommit.us-east-1.amazonaws.com'), undefined);
});

// ---- over HTTPS -------------------------------------------------------------------------

async function standIn(t: { teardown(fn: () => Promise<void>): void }, keys: AcceptedKey[] = [STATIC_KEY]): Promise<CodeCommitStandIn> {
  const s = await startCodeCommitStandIn({ keys });
  t.teardown(() => s.close());
  return s;
}

/** One HTTPS request straight to the stand-in, as if DNS had sent `hostname` to 127.0.0.1. */
function hit(
  s: CodeCommitStandIn,
  opts: { path: string; method?: string; hostname?: string; auth?: { username: string; password: string }; headers?: Record<string, string>; body?: Buffer },
): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: Buffer }> {
  const hostname = opts.hostname ?? HOST;
  const headers: Record<string, string> = { host: hostname, ...opts.headers };
  if (opts.auth) headers.authorization = `Basic ${Buffer.from(`${opts.auth.username}:${opts.auth.password}`).toString('base64')}`;
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port: s.port, servername: HOST, ca: s.caPem, method: opts.method ?? 'GET', path: opts.path, headers, agent: false },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      },
    );
    req.on('error', reject);
    req.end(opts.body);
  });
}

test('stand-in answers like CodeCommit: 401 challenge, 403 bad credentials, 404 after auth', async (t) => {
  const s = await standIn(t);
  await s.addRepo('demo');
  const refs = '/v1/repos/demo/info/refs?service=git-upload-pack';
  const sign = (key: AcceptedKey, repo = 'demo', now = new Date()) =>
    signCodeCommitPassword({ ...key, host: HOST, repoPath: `/v1/repos/${repo}`, now });

  const challenge = await hit(s, { path: refs });
  t.is(challenge.status, 401);
  t.regex(String(challenge.headers['www-authenticate']), /^Basic realm="/);

  const ok = await hit(s, { path: refs, auth: sign(STATIC_KEY) });
  t.is(ok.status, 200);
  t.is(ok.headers['content-type'], 'application/x-git-upload-pack-advertisement');
  t.true(ok.body.toString('latin1').startsWith('001e# service=git-upload-pack\n'));

  t.is((await hit(s, { path: refs, auth: sign({ ...STATIC_KEY, secretAccessKey: 'wrong' }) })).status, 403);
  t.is((await hit(s, { path: refs, auth: sign(SESSION_KEY) })).status, 403, 'unknown key');
  t.is((await hit(s, { path: refs, auth: sign(STATIC_KEY, 'other') })).status, 403, 'signed for another repository');
  t.is((await hit(s, { path: '/v1/repos/nope/info/refs?service=git-upload-pack' })).status, 401, 'no 404 before auth');
  t.is((await hit(s, { path: '/v1/repos/nope/info/refs?service=git-upload-pack', auth: sign(STATIC_KEY, 'nope') })).status, 404);
  t.is((await hit(s, { path: refs, hostname: 'example.com' })).status, 421);

  // The server clock decides staleness; rotating keys takes effect at once.
  s.now = () => new Date(Date.now() + 20 * 60_000);
  t.is((await hit(s, { path: refs, auth: sign(STATIC_KEY) })).status, 403);
  s.now = () => new Date();
  s.keys.splice(0, s.keys.length, SESSION_KEY);
  t.is((await hit(s, { path: refs, auth: sign(SESSION_KEY) })).status, 200);
  t.is((await hit(s, { path: refs, auth: sign(STATIC_KEY) })).status, 403);

  t.deepEqual(
    s.log.map((e) => [e.outcome, e.reason, e.status]),
    [
      ['challenge', undefined, 401],
      ['accepted', undefined, 200],
      ['rejected', 'bad-signature', 403],
      ['rejected', 'unknown-key', 403],
      ['rejected', 'bad-signature', 403],
      ['challenge', undefined, 401],
      ['rejected', 'repository-not-found', 404],
      ['rejected', 'unknown-host', 421],
      ['rejected', 'stale-timestamp', 403],
      ['accepted', undefined, 200],
      ['rejected', 'unknown-key', 403],
    ],
  );
  t.deepEqual(s.acceptedKeyIds(), [STATIC_KEY.accessKeyId, SESSION_KEY.accessKeyId]);
  t.like(s.log[1], { method: 'GET', host: HOST, path: '/v1/repos/demo/info/refs', repo: 'demo', service: 'git-upload-pack' });
  // The log never holds a secret, a token or a signature.
  const logged = JSON.stringify(s.log);
  for (const secret of [STATIC_KEY.secretAccessKey, SESSION_KEY.secretAccessKey, SESSION_KEY.sessionToken!, sign(STATIC_KEY).password.slice(16)]) {
    t.false(logged.includes(secret));
  }
});

test('stand-in passes gzip request bodies to http-backend (fetch negotiation)', async (t) => {
  const s = await standIn(t);
  const { head } = await s.addRepo('seeded', { initialCommit: { files: { 'README.md': '# seeded\n' } } });
  const pkt = (line: string) => `${(line.length + 4).toString(16).padStart(4, '0')}${line}`;
  // Protocol v0 upload-pack request: want the tip, no haves, done. Big enough bodies are gzipped by git.
  const body = gzipSync(Buffer.from(`${pkt(`want ${head!}\n`)}0000${pkt('done\n')}`));
  const res = await hit(s, {
    path: '/v1/repos/seeded/git-upload-pack',
    method: 'POST',
    auth: signCodeCommitPassword({ ...STATIC_KEY, host: HOST, repoPath: '/v1/repos/seeded' }),
    headers: { 'content-type': 'application/x-git-upload-pack-request', 'content-encoding': 'gzip', 'content-length': String(body.length) },
    body,
  });
  t.is(res.status, 200);
  t.is(res.headers['content-type'], 'application/x-git-upload-pack-result');
  t.true(res.body.toString('latin1').startsWith('0008NAK\nPACK'));
  t.like(s.log.at(-1), { outcome: 'accepted', service: 'git-upload-pack' });
});

test('proxy tunnels only routed hosts and refuses the rest with 403', async (t) => {
  const proxy = await startConnectProxy({ routes: routeHostsTo(1, [HOST]) });
  t.teardown(() => proxy.close());
  const ask = (target: string) =>
    new Promise<string>((resolve, reject) => {
      const sock = connect(proxy.port, '127.0.0.1', () => sock.write(`CONNECT ${target} HTTP/1.1\r\nHost: ${target}\r\n\r\n`));
      let got = '';
      sock.on('data', (c: Buffer) => (got += c.toString('latin1')));
      sock.on('end', () => resolve(got));
      sock.on('error', reject);
    });
  t.regex(await ask('example.com:443'), /^HTTP\/1\.1 403 /);
  t.regex(await ask(`${HOST}:22`), /^HTTP\/1\.1 403 /);
  t.deepEqual(proxy.refused, ['example.com:443', `${HOST}:22`]);
  t.deepEqual(proxy.connects, ['example.com:443', `${HOST}:22`]);
});

test('hermetic git env drops inherited GIT_*, AWS_* and proxy variables', async (t) => {
  const base = { PATH: '/usr/bin', GIT_DIR: '/x', GIT_SSL_NO_VERIFY: '1', AWS_PROFILE: 'prod', https_proxy: 'http://p', NO_PROXY: '*', LANG: 'C.UTF-8' };
  t.deepEqual(scrubbedEnv(base), { PATH: '/usr/bin', LANG: 'C.UTF-8' });
  const home = await makeHermeticGitEnv({ caCertPath: '/ca.pem', extra: { LANG: undefined } });
  t.teardown(() => home.cleanup());
  t.like(home.env, { HOME: home.home, GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: join(home.home, '.gitconfig'), GIT_TERMINAL_PROMPT: '0', GIT_SSL_CAINFO: '/ca.pem' });
  t.false('LANG' in home.env);
  t.true(Object.keys(home.env).every((k) => !/^(GIT_ASKPASS|AWS_PROFILE|AWS_ACCESS_KEY_ID|https?_proxy|HTTPS?_PROXY)$/.test(k)));
  const list = await runGit(['config', '--list', '--show-origin'], { cwd: home.home, env: home.env });
  t.is(list.code, 0);
  t.is(list.stdout, '', 'no config from the machine leaks in');
});

// ---- real git, real URL -------------------------------------------------------------------

interface GitRig {
  s: CodeCommitStandIn;
  proxy: ConnectProxy;
  env: Env;
  dir: string;
  /** `git -c http.proxy=… [-c credential.helper=…] <args>` in `cwd`. */
  git(args: string[], opts?: { cwd?: string; helperKey?: AcceptedKey }): ReturnType<typeof runGit>;
}

async function gitRig(t: { teardown(fn: () => Promise<void>): void }): Promise<GitRig> {
  const s = await standIn(t, [STATIC_KEY, SESSION_KEY]);
  const proxy = await startConnectProxy({ routes: routeHostsTo(s.port, s.hostnames) });
  t.teardown(() => proxy.close());
  const home = await makeHermeticGitEnv({ caCertPath: s.caCertPath });
  t.teardown(() => home.cleanup());
  const dir = await mkdtemp(join(tmpdir(), 'cc-standin-work-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));

  // A throwaway credential helper: the test signer, with one key baked in.
  const helperFor = async (key: AcceptedKey): Promise<string> => {
    const path = join(dir, `helper-${key.accessKeyId}-${key.secretAccessKey.length}.mjs`);
    await writeFile(
      path,
      [
        '#!/usr/bin/env node',
        `import { signCodeCommitPassword } from ${JSON.stringify(signerModuleUrl)};`,
        "if (process.argv[2] !== 'get') process.exit(0);",
        "let input = ''; for await (const c of process.stdin) input += c;",
        'const a = {};',
        "for (const line of input.split('\\n')) { const i = line.indexOf('='); if (i > 0) a[line.slice(0, i)] = line.slice(i + 1); }",
        "if (a.protocol !== 'https' || !a.host || a.path === undefined) process.exit(0);",
        `const { username, password } = signCodeCommitPassword({ ...${JSON.stringify(key)}, host: a.host, repoPath: '/' + a.path });`,
        "process.stdout.write(`username=${username}\\npassword=${password}\\n`);",
        '',
      ].join('\n'),
    );
    return path;
  };

  return {
    s,
    proxy,
    env: home.env,
    dir,
    async git(args, opts = {}) {
      const config = ['-c', `http.proxy=${proxy.url}`];
      if (opts.helperKey) {
        config.push('-c', `credential.helper=!node '${await helperFor(opts.helperKey)}'`, '-c', 'credential.useHttpPath=true');
      }
      return runGit([...config, ...args], { cwd: opts.cwd ?? dir, env: home.env });
    },
  };
}

test('real git clones and pushes through the proxy with the real CodeCommit URL', async (t) => {
  const rig = await gitRig(t);
  const { head } = await rig.s.addRepo('demo', { initialCommit: { files: { 'README.md': '# demo\n' } } });
  const url = rig.s.repoUrl('demo');
  t.is(url, 'https://git-codecommit.us-east-1.amazonaws.com/v1/repos/demo');

  const clone = await rig.git(['clone', url, 'demo'], { helperKey: STATIC_KEY });
  t.is(clone.code, 0, clone.stderr);
  const work = join(rig.dir, 'demo');
  t.is(await readFile(join(work, 'README.md'), 'utf8'), '# demo\n');
  t.is((await runGit(['rev-parse', 'HEAD'], { cwd: work, env: rig.env })).stdout.trim(), head!);

  // A second clone that grows many local commits; it fetches the push below.
  const other = join(rig.dir, 'other');
  t.is((await rig.git(['clone', '-q', url, 'other'], { helperKey: STATIC_KEY })).code, 0);
  // Dated after everything else, so negotiation walks them before finding the common commit.
  for (let i = 0; i < 40; i++) {
    const date = `@${2_000_000_000 + i} +0000`;
    const env = { ...rig.env, GIT_AUTHOR_DATE: date, GIT_COMMITTER_DATE: date };
    await runGit(['commit', '-q', '--allow-empty', '-m', `local ${i}`], { cwd: other, env });
  }

  // A push bigger than http.postBuffer (1 MiB): git probes first, then sends it chunked.
  await writeFile(join(work, 'blob.bin'), randomBytes(1_500_000));
  t.is((await runGit(['add', 'blob.bin'], { cwd: work, env: rig.env })).code, 0);
  const commit = await runGit(['commit', '-q', '-m', 'add blob'], { cwd: work, env: rig.env });
  t.is(commit.code, 0, commit.stderr);
  const push = await rig.git(['push', 'origin', 'HEAD:main'], { cwd: work, helperKey: SESSION_KEY });
  t.is(push.code, 0, push.stderr);

  const local = (await runGit(['rev-parse', 'HEAD'], { cwd: work, env: rig.env })).stdout.trim();
  const remote = await runGit(['--git-dir', rig.s.gitDir('demo'), 'rev-parse', 'main'], { env: rig.env });
  t.is(remote.stdout.trim(), local);

  t.deepEqual(rig.proxy.refused, []);
  t.true(rig.proxy.connects.every((c) => c === `${HOST}:443`));
  const accepted = rig.s.log.filter((e) => e.outcome === 'accepted');
  t.true(accepted.some((e) => e.service === 'git-upload-pack' && e.accessKeyId === STATIC_KEY.accessKeyId));
  t.true(accepted.some((e) => e.service === 'git-receive-pack' && e.method === 'POST' && e.accessKeyId === SESSION_KEY.accessKeyId));
  t.true(accepted.some((e) => e.service === 'git-receive-pack' && e.chunked === true && e.status === 200), 'chunked push');
  t.true(rig.s.log.every((e) => e.outcome !== 'rejected'));

  // Its negotiation (many `have` lines) is big enough that git gzips the request body.
  const before = rig.s.log.length;
  const fetch = await rig.git(['fetch', '-q', 'origin'], { cwd: other, helperKey: STATIC_KEY });
  t.is(fetch.code, 0, fetch.stderr);
  const fetched = await runGit(['rev-parse', 'origin/main'], { cwd: other, env: rig.env });
  t.is(fetched.stdout.trim(), local);
  t.true(rig.s.log.slice(before).some((e) => e.contentEncoding === 'gzip' && e.outcome === 'accepted' && e.status === 200));
});

test('real git without a credential helper fails on the challenge', async (t) => {
  const rig = await gitRig(t);
  await rig.s.addRepo('demo');
  const clone = await rig.git(['clone', rig.s.repoUrl('demo'), 'demo']);
  t.not(clone.code, 0);
  t.regex(clone.stderr, /terminal prompts disabled|could not read Username/);
  t.true(rig.s.log.length > 0);
  t.true(rig.s.log.every((e) => e.outcome === 'challenge'));
});

test('real git with a wrong secret is rejected with 403', async (t) => {
  const rig = await gitRig(t);
  await rig.s.addRepo('demo');
  const clone = await rig.git(['clone', rig.s.repoUrl('demo'), 'demo'], { helperKey: { ...STATIC_KEY, secretAccessKey: 'not-the-secret' } });
  t.not(clone.code, 0);
  t.regex(clone.stderr, /403/);
  t.like(rig.s.log.at(-1), { outcome: 'rejected', reason: 'bad-signature', accessKeyId: STATIC_KEY.accessKeyId, status: 403 });
  t.deepEqual(rig.s.acceptedKeyIds(), []);
});
