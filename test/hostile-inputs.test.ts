// Adversarial tables (issue 11): hostile requests from "git" and hostile credentials files, each
// run through the built helper as git runs it. Every case asserts the same four things a user
// relies on: at most one clear line on stderr, `quit=1` where git asked for a CodeCommit host
// and cc-helper cannot answer safely, nothing changed on disk, and no secret in any output.
import type { ExecutionContext } from 'ava';
import { chmodSync, existsSync, lstatSync, mkdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { replaceProfileSection } from '../src/aws-files/credentials-file-editor.js';
import { UserError } from '../src/support/errors.js';
import { run } from '../standins/git-env.js';
import { makeAwsHome, request, runHelper, type AwsHome } from '../standins/helper-process.js';
import { AWS_CLI_V2, FAKETIME, needs, POSIX } from './support/prerequisites.js';

// Not yet ported to Windows (sh, file modes, signals): skipped there, with the reason.
const test = needs(POSIX);

const HOST = 'git-codecommit.us-east-1.amazonaws.com';
const PROFILE = 'CodeCommitProfile';
const SECRET = 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY';
const TOKEN = 'IQoJb3JpZ2luX2VjEXAMPLETOKEN/+=';
const CREDENTIALS = `# mine: every byte stays\n[${PROFILE}]\naws_access_key_id = AKIDEXAMPLE\naws_secret_access_key = ${SECRET}\n`;

interface Outcome {
  stdout: string;
  stderr: string;
}

function home(t: ExecutionContext, credentials: string | Buffer | null = CREDENTIALS): AwsHome {
  const h = makeAwsHome();
  if (credentials !== null) writeFileSync(h.credentialsFile, credentials, { mode: 0o600 });
  t.teardown(h.cleanup);
  return h;
}

/** The four properties every hostile case must keep. */
function assertContained(t: ExecutionContext, what: string, r: Outcome, expectedStdout: '' | 'quit=1\n', secrets: string[]) {
  t.is(r.stdout, expectedStdout, `${what}: stdout`);
  t.true(r.stderr.trimEnd().split('\n').length <= 1, `${what}: at most one line on stderr, got ${JSON.stringify(r.stderr)}`);
  if (expectedStdout === 'quit=1\n') t.regex(r.stderr, /^cc-helper: \S/, `${what}: says why`);
  for (const secret of secrets) t.false(r.stdout.includes(secret) || r.stderr.includes(secret), `${what}: leaked ${secret.slice(0, 6)}…`);
}

// ---------------------------------------------------------------------------------------------
// Hostile requests: the credentials file is fine; what git (or something posing as it) sends is not.

const hostileRequests: Array<{ what: string; input: string | Buffer; stdout: '' | 'quit=1\n'; says?: RegExp }> = [
  // The AWS CLI signs only the part before `?` or `#` (urlsplit), so `demo?x` and `demo` would
  // share a password; no CodeCommit repository name holds either character.
  { what: 'a path with ?', input: request({ protocol: 'https', host: HOST, path: 'v1/repos/demo?x=1' }), stdout: 'quit=1\n', says: /\?.*#|#.*\?/ },
  { what: 'a path with #', input: request({ protocol: 'https', host: HOST, path: 'v1/repos/demo#frag' }), stdout: 'quit=1\n', says: /\?.*#|#.*\?/ },
  {
    what: 'a path with bytes that are not UTF-8',
    input: Buffer.concat([Buffer.from(`protocol=https\nhost=${HOST}\npath=v1/repos/d`), Buffer.from([0xff, 0xfe]), Buffer.from('mo\n\n')]),
    stdout: 'quit=1\n',
    says: /UTF-8/,
  },
  {
    what: 'a path with a lone UTF-8 continuation byte (would decode to the same U+FFFD as 0xff)',
    input: Buffer.concat([Buffer.from(`protocol=https\nhost=${HOST}\npath=v1/repos/d`), Buffer.from([0x80]), Buffer.from('mo\n\n')]),
    stdout: 'quit=1\n',
    says: /UTF-8/,
  },
  // git's credential_from_url() clears every attribute first: a path= before url= is stale.
  { what: 'url= after path= (a stale path)', input: `protocol=https\nhost=${HOST}\npath=v1/repos/evil\nurl=https://${HOST}\n\n`, stdout: 'quit=1\n', says: /useHttpPath/ },
  { what: 'url= with a malformed %-escape', input: `url=https://${HOST}/v1/repos/%E0%A4%A\n\n`, stdout: '' },
  { what: 'url= with a query', input: `url=https://${HOST}/v1/repos/demo?x=1\n\n`, stdout: 'quit=1\n', says: /\?.*#|#.*\?/ },
  { what: 'a look-alike host', input: request({ protocol: 'https', host: `${HOST}.evil.example`, path: 'v1/repos/demo' }), stdout: '' },
  { what: 'a look-alike host with a port', input: request({ protocol: 'https', host: `${HOST}:443@evil.example`, path: 'v1/repos/demo' }), stdout: '' },
  { what: 'http://', input: request({ protocol: 'http', host: HOST, path: 'v1/repos/demo' }), stdout: '' },
  { what: 'a CR inside a value', input: `protocol=https\nhost=${HOST}\rpath=v1/repos/x\n\n`, stdout: '' },
  { what: 'a NUL inside a value', input: `protocol=https\nhost=${HOST}\npath=v1/repos/x\0\n\n`, stdout: '' },
  { what: 'no path at all', input: request({ protocol: 'https', host: HOST }), stdout: 'quit=1\n', says: /useHttpPath/ },
];

for (const c of hostileRequests) {
  test(`hostile request: ${c.what}`, async (t) => {
    const h = home(t);
    const r = await runHelper(['--profile', PROFILE, 'get'], c.input, { ...h.env });
    assertContained(t, c.what, r, c.stdout, [SECRET]);
    if (c.says) t.regex(r.stderr, c.says);
    t.is(r.code, 0, 'a refusal, not an internal error');
    t.is(readFileSync(h.credentialsFile, 'utf8'), CREDENTIALS);
  });
}

test('the same request with and without url= reset: only what follows url= counts', async (t) => {
  const h = home(t);
  const plain = await runHelper(['--profile', PROFILE, 'get'], `url=https://${HOST}/v1/repos/demo\n\n`, h.env);
  const stale = await runHelper(['--profile', PROFILE, 'get'], `path=v1/repos/other\nurl=https://${HOST}/v1/repos/demo\n\n`, h.env);
  const after = await runHelper(['--profile', PROFILE, 'get'], `url=https://${HOST}/v1/repos/other\npath=v1/repos/demo\n\n`, h.env);
  const direct = await runHelper(['--profile', PROFILE, 'get'], request({ protocol: 'https', host: HOST, path: 'v1/repos/demo' }), h.env);
  const signature = (out: string) => /password=\d{8}T\d{6}Z([0-9a-f]{64})/.exec(out)?.[1];
  // Same second or not, the signatures compare on the repository: recompute all within one second.
  t.truthy(signature(direct.stdout), direct.stderr);
  for (const r of [plain, stale, after]) t.truthy(signature(r.stdout), r.stderr);
  const sameSecond = [plain, stale, after, direct].every((r) => /password=(\d{8}T\d{6})/.exec(r.stdout)?.[1] === /password=(\d{8}T\d{6})/.exec(direct.stdout)?.[1]);
  if (sameSecond) {
    t.is(signature(stale.stdout), signature(direct.stdout), 'the stale path= before url= is not signed');
    t.is(signature(after.stdout), signature(direct.stdout), 'a path= after url= wins');
  }
});

// ---------------------------------------------------------------------------------------------
// Hostile credentials files: git's request is fine; the file is not.

const ANSWER_LINE = /^(username|password|password_expiry_utc)=[^\n]*$/;

const hostileFiles: Array<{ what: string; file: string; stdout?: '' | 'quit=1\n' }> = [
  // `ini` JSON-unquotes a quoted value: the `\n` escapes would become real line breaks.
  { what: 'a quoted token with \\n escapes', file: CREDENTIALS + `aws_session_token = "${TOKEN}\\nhost=evil.example\\npassword=stolen"\n` },
  // botocore joins an indented line to the value before it: a real line break in the token.
  { what: 'a token continued on an indented line', file: CREDENTIALS + `aws_session_token = ${TOKEN}\n  host=evil.example\n` },
  { what: 'a key id with a quoted line break', file: CREDENTIALS.replace('AKIDEXAMPLE', '"AKID\\nhost=evil.example"') },
  { what: 'a broken header', file: CREDENTIALS + '[broken\n', stdout: 'quit=1\n' },
  { what: 'an unreadable expiry', file: CREDENTIALS + 'x_security_token_expires = next tuesday\n', stdout: 'quit=1\n' },
  { what: 'an expiry far in the past', file: CREDENTIALS + 'x_security_token_expires = 1970-01-01T00:00:00Z\n', stdout: 'quit=1\n' },
];

for (const c of hostileFiles) {
  test(`hostile credentials file: ${c.what}`, async (t) => {
    const h = home(t, c.file);
    const r = await runHelper(['--profile', PROFILE, 'get'], request({ protocol: 'https', host: HOST, path: 'v1/repos/demo' }), h.env);
    t.is(r.code, 0, `a refusal or an answer, never an internal error: ${r.stderr}`);
    if (c.stdout !== undefined || r.stdout === 'quit=1\n') {
      assertContained(t, c.what, r, c.stdout ?? 'quit=1\n', [SECRET]);
    } else {
      // Read as the AWS CLI reads it, the value may be usable; what reaches git never gains a line.
      const lines = r.stdout.trimEnd().split('\n');
      t.true(lines.every((l) => ANSWER_LINE.test(l)) && lines.length <= 3, `no injected attribute: ${JSON.stringify(r.stdout.replace(/password=.*/, 'password=…'))}`);
      t.false(/^(host|protocol|path)=/m.test(r.stdout));
    }
    t.is(readFileSync(h.credentialsFile, 'utf8'), c.file, 'nothing changed on disk');
  });
}

/** A vault-backed profile's definition, written as `cc-helper vault add` would. */
function defineVaultProfile(h: AwsHome, profile: string) {
  const dir = join(h.home, '.config', 'cc-helper');
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  writeFileSync(
    join(dir, 'sessions.json'),
    JSON.stringify({ version: 1, sessions: { [profile]: { profile, source: { vault: 'file', item: profile }, durationSeconds: 3600, region: 'us-east-1' } } }),
  );
}

const EXPIRED_SESSION = (profile: string) =>
  `[${profile}]\naws_access_key_id = ASIAEXPIRED000000001\naws_secret_access_key = ${SECRET}\naws_session_token = ${TOKEN}\n` +
  `x_security_token_expires = 2001-01-01T00:00:00Z\nx_cc_helper_session = ${profile}\n`;

// What stop leaves: the section and the one blank line before it (as if appending had put it there).
for (const [label, leading, left] of [['one blank line', '\n', ''], ['blank lines and blanks', '\n \n\t\n', '\n \n'], ['a CRLF blank line', '\r\n', '']] as const) {
  test(`a credentials file that opens with ${label}: session stop and prune finish and keep every other byte`, async (t) => {
    const h = home(t, leading + EXPIRED_SESSION('Vaulted'));
    defineVaultProfile(h, 'Vaulted');
    // runHelper's own timeout is the hang guard: a loop that never ends shows as a signal.
    const stop = await runHelper(['session', 'stop', 'Vaulted'], '', h.env);
    t.is(stop.signal, null, 'session stop ended by itself');
    t.is(stop.code, 0, stop.stderr);
    t.is(readFileSync(h.credentialsFile, 'utf8'), left);
    writeFileSync(h.credentialsFile, leading + EXPIRED_SESSION('Vaulted'));
    const prune = await runHelper(['session', 'prune'], '', h.env);
    t.is(prune.signal, null, 'session prune ended by itself');
    t.regex(prune.stdout, /removed expired sessions: Vaulted/);
    t.false(existsSync(`${h.credentialsFile}.cc-helper.lock`), 'the edit lock is released');
    t.false(readFileSync(h.credentialsFile, 'utf8').includes('Vaulted'));
    t.false(stop.stderr.includes(SECRET) || prune.stderr.includes(SECRET) || prune.stdout.includes(SECRET));
  });
}

test('a read-only credentials file is refused, not replaced by a writable one', async (t) => {
  const text = CREDENTIALS + '\n' + EXPIRED_SESSION('Vaulted');
  const h = home(t, text);
  chmodSync(h.credentialsFile, 0o444);
  const prune = await runHelper(['session', 'prune'], '', h.env);
  t.is(prune.code, 1, prune.stdout + prune.stderr);
  t.regex(prune.stderr, /^cc-helper: .*read-only.*chmod u\+w/);
  t.is(prune.stderr.trimEnd().split('\n').length, 1);
  t.is(statSync(h.credentialsFile).mode & 0o777, 0o444);
  t.is(readFileSync(h.credentialsFile, 'utf8'), text);
});

test('a dangling symlink is refused, not replaced by a plain file', async (t) => {
  const h = home(t, null);
  const target = join(h.home, 'dotfiles', 'aws-credentials'); // the dotfiles checkout is not there
  symlinkSync(target, h.credentialsFile);
  const error = await t.throwsAsync(replaceProfileSection(h.credentialsFile, 'Vaulted', { aws_access_key_id: 'ASIA0000000000000001' }), { instanceOf: UserError });
  t.regex(error!.message, /symlink.*does not exist/);
  t.true(lstatSync(h.credentialsFile).isSymbolicLink(), 'the link stays a link');
  t.false(existsSync(target));
});

// ---------------------------------------------------------------------------------------------
// Names that are also Object.prototype's: a map keyed by a name from a person or a file must not
// confuse them with what every plain object inherits (issue 11, item 10).

const VAULT_KEY = { accessKeyId: 'AKIAVAULTUSER0000001', secretAccessKey: 'VaUlT/LoNg+TeRm=SeCrEt000000000000000000' };

test('prototype names: vault add keeps the definition, and an undefined one is "not vault-backed", not a crash', async (t) => {
  const h = home(t, null);
  const env = { ...h.env, CC_HELPER_VAULT_PASSPHRASE: 'correct horse battery staple' };
  const outputs: string[] = [];
  for (const name of ['__proto__', 'constructor']) {
    const added = await runHelper(['vault', 'add', name], `${VAULT_KEY.accessKeyId}\n${VAULT_KEY.secretAccessKey}\n`, env);
    outputs.push(added.stdout, added.stderr);
    t.is(added.code, 0, added.stderr);
    const stop = await runHelper(['session', 'stop', name], '', env);
    outputs.push(stop.stdout, stop.stderr);
    t.is(stop.code, 0, `${name}: the definition was kept: ${stop.stderr}`);
    t.regex(stop.stdout, new RegExp(`no session for ${name}`));
  }
  const list = await runHelper(['vault', 'list'], '', env);
  t.regex(list.stdout, /__proto__/);
  t.regex(list.stdout, /constructor/);
  const definitions = JSON.parse(readFileSync(join(h.home, '.config', 'cc-helper', 'sessions.json'), 'utf8')) as { sessions: object };
  t.deepEqual(Object.keys(definitions.sessions).sort(), ['__proto__', 'constructor']);
  for (const name of ['toString', 'hasOwnProperty', 'valueOf']) {
    for (const args of [['session', 'start', name], ['session', 'stop', name], ['vault', 'remove', name]]) {
      const r = await runHelper(args, '', env);
      outputs.push(r.stdout, r.stderr);
      t.is(r.code, 1, `${args.join(' ')}: ${r.stderr}`);
      t.regex(r.stderr, /^cc-helper: .*(not vault-backed|no profile|not in the vault|nothing)/i, args.join(' '));
    }
  }
  for (const text of outputs) t.false(text.includes(VAULT_KEY.secretAccessKey));
});

test('prototype names: the account cache knows no account for a key id named like a prototype property', async (t) => {
  const h = home(t, null);
  const { cachedAccount, rememberAccount } = await import('../src/account/account-cache.js');
  for (const id of ['constructor', '__proto__', 'toString']) t.is(cachedAccount(id, h.env), undefined, id);
  rememberAccount('__proto__', '111122223333', h.env);
  t.is(cachedAccount('__proto__', h.env), '111122223333');
  t.is(cachedAccount('constructor', h.env), undefined);
});

// Why `?` and `#` are refused rather than signed "as the AWS CLI does": the CLI (urlsplit) signs
// only the part before them, so it gives two different paths one password. Checked against the
// real CLI under a frozen clock.
needs(POSIX, AWS_CLI_V2, FAKETIME)('the AWS CLI signs v1/repos/demo?x=1 and v1/repos/demo#y exactly as v1/repos/demo (so cc-helper refuses them)', async (t) => {
  const h = home(t);
  const env = { ...h.env, AWS_PROFILE: PROFILE, AWS_PAGER: '', NO_PROXY: '*' };
  const cli = (path: string) =>
    run('/usr/bin/faketime', ['-f', '2026-01-01 00:00:00', '/usr/bin/aws', 'codecommit', 'credential-helper', 'get'], {
      env,
      input: request({ protocol: 'https', host: HOST, path }),
    });
  const [plain, query, fragment] = await Promise.all(['v1/repos/demo', 'v1/repos/demo?x=1', 'v1/repos/demo#y'].map(cli));
  t.regex(plain!.stdout, /^username=AKIDEXAMPLE\npassword=20260101T000000Z[0-9a-f]{64}\n$/, plain!.stderr);
  t.is(query!.stdout, plain!.stdout);
  t.is(fragment!.stdout, plain!.stdout);
});
