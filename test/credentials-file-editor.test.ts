// Editing one section of ~/.aws/credentials: every other byte kept (comments, blank lines, order,
// CRLF, odd bytes, a missing final newline), atomic replacement with mode 0600, real concurrent
// writer processes, a writer SIGKILLed before its rename, and the AWS CLI reading the result.
import { execFile } from 'node:child_process';
import { existsSync, lstatSync, readdirSync, statSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Worker } from 'node:worker_threads';
import {
  activationLockPath,
  credentialsLockPath,
  formatRfc3339,
  listSessionSections,
  pruneExpiredSessionSections,
  readProfileSection,
  replaceProfileSection,
  replaceSectionInText,
  sessionSectionValues,
  withProfileActivationLock,
} from '../src/aws-files/credentials-file-editor.js';
import { listIniSections, readIniSection } from '../src/aws-files/ini-sections.js';
import { UserError } from '../src/support/errors.js';
import { killHard, runLockChild, startHolder } from './support/child-runner.js';
import { startStsStandIn } from '../standins/sts-standin.js';
import { AWS_CLI_V2, needs, POSIX } from './support/prerequisites.js';

// Not yet ported to Windows (sh, file modes, signals): skipped there, with the reason.
const test = needs(POSIX);

const execFileAsync = promisify(execFile);
const AWS_CLI = '/usr/bin/aws'; // not `which aws`: a pyenv shim may come first

const SESSION = {
  aws_access_key_id: 'ASIANEWSESSION000001',
  aws_secret_access_key: 'new/secret+key0000000000000000000000000',
  aws_session_token: 'IQoJb3JpZ2luX2Vj/token+with=',
  x_security_token_expires: '2030-01-02T03:04:05Z',
  x_cc_helper_session: 'acme-user',
};
const RENDERED = (eol: string, name = 'client.acme') =>
  `[${name}]${eol}aws_access_key_id = ASIANEWSESSION000001${eol}aws_secret_access_key = new/secret+key0000000000000000000000000${eol}` +
  `aws_session_token = IQoJb3JpZ2luX2Vj/token+with=${eol}x_security_token_expires = 2030-01-02T03:04:05Z${eol}x_cc_helper_session = acme-user${eol}`;

/** A file with everything an editor could trip on, in three parts around [client.acme]. */
function fixture(eol: string): { before: string; section: string; after: string; text: string } {
  const before = [
    '# AWS credentials, hand-edited',
    '; another comment style',
    '',
    '[default]',
    'aws_access_key_id = AKIADEFAULT000000001',
    'aws_secret_access_key = default/secret',
    '',
    '',
    '[ spaced ]   # header comment',
    'aws_access_key_id=AKIASPACED0000000001',
    '  continued = value',
    '',
    '',
  ].join(eol);
  const section = ['[client.acme]', 'aws_access_key_id = AKIAOLD0000000000001', '# a comment inside the old section', 'aws_secret_access_key = old', ''].join(eol);
  const after = ['', '# this comment introduces [other]', '[other]', 'aws_access_key_id = AKIAOTHER00000000001', 'aws_secret_access_key = other', ''].join(eol);
  return { before, section, after, text: before + section + after };
}

async function tempHome(): Promise<{ dir: string; file: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'cc-credfile-'));
  return { dir, file: join(dir, '.aws', 'credentials') };
}

function awsEnv(dir: string, file: string): NodeJS.ProcessEnv {
  return {
    PATH: '/usr/bin:/bin',
    HOME: dir,
    AWS_SHARED_CREDENTIALS_FILE: file,
    AWS_CONFIG_FILE: join(dir, 'no-config'),
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_PAGER: '',
    NO_PROXY: '*',
  };
}

// ---------------------------------------------------------------------------------------------
// The text edit

for (const [label, eol] of [
  ['LF', '\n'],
  ['CRLF', '\r\n'],
] as const) {
  test(`${label}: replacing [client.acme] keeps every byte before it and its trailing lines`, (t) => {
    const { before, section, after, text } = fixture(eol);
    const { text: next } = replaceSectionInText(text, 'client.acme', SESSION);
    t.is(next, before + RENDERED(eol) + after);
    t.true(next.startsWith(before) && next.endsWith(after));
    t.not(section, RENDERED(eol));
    if (eol === '\r\n') t.false(/[^\r]\n/.test(next), 'no bare LF in a CRLF file');
    t.deepEqual(readIniSection(next, 'client.acme'), SESSION);
    t.deepEqual(readIniSection(next, 'other'), readIniSection(text, 'other'));
    t.deepEqual(
      listIniSections(next).map((s) => s.name),
      // botocore's name: from `[` to the line's last `]`, untrimmed (the text after it is ignored).
      ['', 'default', ' spaced ', 'client.acme', 'other'],
    );
  });

  test(`${label}: removing [client.acme] keeps the comment that introduces the next section`, (t) => {
    const { before, after, text } = fixture(eol);
    const { text: next } = replaceSectionInText(text, 'client.acme', undefined);
    // The blank line after the section is its separator and goes with it.
    t.is(next, before + after.slice(eol.length));
    t.is(readIniSection(next, 'client.acme'), undefined);
  });

  test(`${label}: appending a new section and removing it again gives back the original bytes`, (t) => {
    const { text } = fixture(eol);
    const added = replaceSectionInText(text, 'new-profile', SESSION).text;
    t.is(added, text + eol + RENDERED(eol, 'new-profile'));
    t.is(replaceSectionInText(added, 'new-profile', undefined).text, text);
  });
}

test('a file without a final newline keeps it missing when a middle section changes', (t) => {
  const text = '[a]\nk = 1\n\n[client.acme]\nk = old\n\n[z]\nk = last';
  const { text: next } = replaceSectionInText(text, 'client.acme', SESSION);
  t.is(next, '[a]\nk = 1\n\n' + RENDERED('\n') + '\n[z]\nk = last');
  // Appending adds only the missing newline (no blank line), which tells removal to take it again.
  t.is(replaceSectionInText(text, 'b', { k: 'v' }).text, text + '\n[b]\nk = v\n');
  // Replacing the last section (no newline after it) ends the file with one.
  t.is(replaceSectionInText(text, 'z', { k: 'new' }).text, '[a]\nk = 1\n\n[client.acme]\nk = old\n\n[z]\nk = new\n');
});

/** Runs the pure edit in a worker thread, so a loop that never ends fails the test instead of hanging it. */
async function editWithHangGuard(text: string, name: string, values: Record<string, string> | undefined): Promise<string> {
  const moduleUrl = new URL('../src/aws-files/credentials-file-editor.js', import.meta.url).href;
  const worker = new Worker(
    `const { parentPort, workerData } = require('node:worker_threads');
     import(workerData.moduleUrl).then((m) => parentPort.postMessage(m.replaceSectionInText(workerData.text, workerData.name, workerData.values).text));`,
    { eval: true, workerData: { moduleUrl, text, name, values } },
  );
  try {
    return await new Promise<string>((resolve, reject) => {
      const guard = setTimeout(() => reject(new Error(`the edit of ${JSON.stringify(text)} did not finish in 20 s`)), 20_000);
      worker.once('message', (next: string) => (clearTimeout(guard), resolve(next)));
      worker.once('error', (error) => (clearTimeout(guard), reject(error)));
    });
  } finally {
    await worker.terminate();
  }
}

// Issue 11, item 3: a file beginning with blank lines made removal walk back forever.
for (const start of ['\n', '\n\n', ' \n', '\r\n', '\n\r\n\n']) {
  test(`start then stop on a file of ${JSON.stringify(start)}: finishes and gives back the original bytes`, async (t) => {
    const added = await editWithHangGuard(start, 'p', { k: 'v' });
    t.deepEqual(readIniSection(added, 'p'), { k: 'v' });
    t.is(await editWithHangGuard(added, 'p', undefined), start);
    // Written by hand right after the blank lines: removal takes the section and one blank line.
    const removed = await editWithHangGuard(start + '[p]\nk = v\n', 'p', undefined);
    t.is(readIniSection(removed, 'p'), undefined);
    t.true(start.startsWith(removed));
  });
}

// Issue 11, item 8: "every other byte kept" holds for a file without a final newline too.
for (const text of ['[a]\nk = 1', '# only a comment', '[a]\r\nk = 1\r\n\r\n[b]\r\nk = 2', '\n[a]\nk = 1']) {
  test(`start then stop on ${JSON.stringify(text)} (no final newline) gives back the exact bytes`, (t) => {
    const added = replaceSectionInText(text, 'session', { k: 'v' }).text;
    t.deepEqual(readIniSection(added, 'session'), { k: 'v' });
    t.deepEqual(readIniSection(added, 'a') ?? null, readIniSection(text, 'a') ?? null);
    t.is(replaceSectionInText(added, 'session', undefined).text, text);
  });
}

test('duplicated sections: the first is replaced in place, the later ones removed', (t) => {
  const text = '[p]\nk = first\n\n[q]\nk = q\n\n[p]\nk = second\n\n[r]\nk = r\n\n[p]\nk = third\n';
  const result = replaceSectionInText(text, 'p', { k: 'new' });
  t.is(result.text, '[p]\nk = new\n\n[q]\nk = q\n\n[r]\nk = r\n');
  t.is(result.duplicatesRemoved, 2);
  t.is(replaceSectionInText(text, 'p', undefined).text, '[q]\nk = q\n\n[r]\nk = r\n');
});

test('names match whole headers only: [client] and [client.acme.dev] are other profiles', (t) => {
  const text = '[client]\nk = 1\n\n[client.acme.dev]\nk = 2\n';
  t.is(replaceSectionInText(text, 'client.acme', { k: '3' }).text, text + '\n[client.acme]\nk = 3\n');
  t.is(replaceSectionInText(text, 'client.acme', undefined).text, text);
  t.is(replaceSectionInText('', 'x', { k: 'v' }).text, '[x]\nk = v\n');
});

test('first and only sections', (t) => {
  t.is(replaceSectionInText('[x]\nk = 1\n\n[y]\nk = 2\n', 'x', undefined).text, '[y]\nk = 2\n');
  t.is(replaceSectionInText('[x]\nk = 1\n', 'x', undefined).text, '');
  t.is(replaceSectionInText('# top\n\n[x]\nk = 1\n', 'x', undefined).text, '# top\n');
});

// ---------------------------------------------------------------------------------------------
// The file

test('replaceProfileSection writes 0600 through a temp file, creates ~/.aws 0700, keeps odd bytes', async (t) => {
  const { dir, file } = await tempHome();
  // No ~/.aws yet: it is created 0700, the file 0600.
  const created = await replaceProfileSection(file, 'client.acme', SESSION);
  t.true(created.changed);
  t.is(statSync(join(dir, '.aws')).mode & 0o777, 0o700);
  t.is(statSync(file).mode & 0o777, 0o600);
  t.is(await readFile(file, 'utf8'), RENDERED('\n'));

  // Bytes that are not UTF-8 (0xFF, Latin-1 é) and UTF-8 text both survive; an existing 0644 file becomes 0600.
  const { before, after } = fixture('\r\n');
  const odd = Buffer.concat([
    Buffer.from('# café ✓ (UTF-8)\r\n', 'utf8'),
    Buffer.from([0x23, 0x20, 0xe9, 0xff, 0x0d, 0x0a]),
    Buffer.from(before, 'utf8'),
  ]);
  const original = Buffer.concat([odd, Buffer.from('[client.acme]\r\nk = old\r\n', 'utf8'), Buffer.from(after, 'utf8')]);
  await writeFile(file, original);
  await chmod(file, 0o644);
  await replaceProfileSection(file, 'client.acme', SESSION);
  const written = await readFile(file);
  t.true(written.equals(Buffer.concat([odd, Buffer.from(RENDERED('\r\n'), 'utf8'), Buffer.from(after, 'utf8')])));
  t.is(statSync(file).mode & 0o777, 0o600);
  t.deepEqual(await readProfileSection(file, 'client.acme'), SESSION);

  // Removal; then removing again changes nothing and does not rewrite.
  const removed = await replaceProfileSection(file, 'client.acme', undefined);
  t.true(removed.changed);
  t.deepEqual(removed.previous, SESSION);
  t.true((await readFile(file)).equals(Buffer.concat([odd, Buffer.from(after.slice(2), 'utf8')])));
  const again = await replaceProfileSection(file, 'client.acme', undefined);
  t.false(again.changed);
  // Nothing left behind: no temp file, no lock.
  t.deepEqual(readdirSync(join(dir, '.aws')), ['credentials']);
  await rm(dir, { recursive: true });
});

test('removing from a missing file creates nothing', async (t) => {
  const { dir, file } = await tempHome();
  t.false((await replaceProfileSection(file, 'x', undefined)).changed);
  t.false(existsSync(file));
  await rm(dir, { recursive: true });
});

test('sections are found by botocore\'s header rules: to the last ], untrimmed, and an indented [x] under a key is no section', (t) => {
  const text = '[a]b]\nk = 1\n[ pad ]\nk = 2\n[c] ; note]\nk = 3\n[d]\nkey = value\n  [e]\n';
  t.deepEqual(listIniSections(text).map((s) => s.name), ['', 'a]b', ' pad ', 'c] ; note', 'd']);
  // Replacing [a]b] touches only it; [e] is the continuation of d's key, so "e" is appended as a section of its own.
  t.is(replaceSectionInText(text, 'a]b', { k: 'new' }).text, text.replace('[a]b]\nk = 1\n', '[a]b]\nk = new\n'));
  t.is(replaceSectionInText(text, 'e', { k: '5' }).text, `${text}\n[e]\nk = 5\n`);
  t.is(replaceSectionInText(text, 'pad', undefined).text, text, 'no section is named "pad"');
  t.is(replaceSectionInText(text, ' pad ', undefined).text, text.replace('[ pad ]\nk = 2\n', ''));
});

test('non-ASCII profile names and values are written as UTF-8', async (t) => {
  const { dir, file } = await tempHome();
  await mkdir(join(dir, '.aws'));
  await writeFile(file, '# ünïcode\n[kundé]\nk = 1\n');
  await replaceProfileSection(file, 'kundé', { x_cc_helper_session: 'schlüssel' });
  t.is(await readFile(file, 'utf8'), '# ünïcode\n[kundé]\nx_cc_helper_session = schlüssel\n');
  t.deepEqual(await readProfileSection(file, 'kundé'), { x_cc_helper_session: 'schlüssel' });
  await rm(dir, { recursive: true });
});

test('a symlinked credentials file is edited where it points; the link stays', async (t) => {
  const { dir, file } = await tempHome();
  await mkdir(join(dir, '.aws'));
  const real = join(dir, 'dotfiles-credentials');
  await writeFile(real, '[a]\nk = 1\n');
  await symlink(real, file);
  await replaceProfileSection(file, 'b', { k: '2' });
  t.true(lstatSync(file).isSymbolicLink());
  t.is(await readFile(real, 'utf8'), '[a]\nk = 1\n\n[b]\nk = 2\n');
  await rm(dir, { recursive: true });
});

test('bad names and values are refused before anything is written', async (t) => {
  const { dir, file } = await tempHome();
  for (const name of ['a\nb', 'a\r', 'a\0b', 'esc\x1b', '', 'DEFAULT']) {
    const error = await t.throwsAsync(replaceProfileSection(file, name, { k: 'v' }), { instanceOf: UserError }, JSON.stringify(name));
    t.notRegex(error!.message, /\n/, 'one line');
  }
  await t.throwsAsync(withProfileActivationLock(file, 'x\ny', async () => t.fail('ran')), { instanceOf: UserError });
  const error = await t.throwsAsync(replaceProfileSection(file, 'a', { k: 'line\nbreak-secret' }));
  t.false(error!.message.includes('break-secret'), 'the value (maybe a secret) is not in the message');
  t.false(existsSync(file));
  await rm(dir, { recursive: true });
});

test('a file with a broken header is left alone with a clear error', async (t) => {
  const { dir, file } = await tempHome();
  await mkdir(join(dir, '.aws'));
  await writeFile(file, '[a]\nk = 1\n[broken\nk = 2\n');
  const error = await t.throwsAsync(replaceProfileSection(file, 'b', { k: 'v' }), { instanceOf: UserError });
  t.regex(error!.message, /line 3/);
  t.is(await readFile(file, 'utf8'), '[a]\nk = 1\n[broken\nk = 2\n');
  await rm(dir, { recursive: true });
});

// Issue 11, item 2: what cc-helper writes must read back identically through cc-helper and the
// AWS CLI, or not be written at all. These are values a hostile STS (or a vault item name) could
// hand it: comment characters, quotes the `ini` package would JSON-unquote, escapes, edge blanks.
const HOSTILE_VALUES = [
  'IQoJ#fragment', 'IQoJ;semicolon', 'IQoJ #spaced', '"quoted"', "'single'", '"IQoJ\\nhost=evil.example"',
  ' leading', 'trailing ', 'back\\slash\\;', 'tok\nhost=evil.example', 'tok\rx', 'tok\0x', 'bell\u0007', 'esc\u001b[31m',
  'a=b==', 'true', '%(home)s', 'ünïcödé', '[section]', 'plain/Token+base64==',
];

test('hostile session values are either refused (nothing written) or read back identically by cc-helper and the AWS CLI', async (t) => {
  const { dir, file } = await tempHome();
  await mkdir(join(dir, '.aws'));
  const original = '# mine\n[default]\nregion = eu-west-1\n';
  await writeFile(file, original);
  const written: Array<{ profile: string; value: string }> = [];
  for (const [i, value] of HOSTILE_VALUES.entries()) {
    const profile = `hostile${i}`;
    const before = await readFile(file, 'utf8');
    try {
      await replaceProfileSection(file, profile, { aws_access_key_id: 'ASIAHOSTILE000000001', aws_secret_access_key: 's', aws_session_token: value });
    } catch (error) {
      t.true(error instanceof UserError, `a clear refusal, not a crash, for ${JSON.stringify(value)}`);
      t.false((error as Error).message.includes(value), 'the refusal does not echo the value (it may be a secret)');
      t.is(await readFile(file, 'utf8'), before, 'a refused value changes nothing on disk');
      continue;
    }
    written.push({ profile, value });
    t.is((await readProfileSection(file, profile))?.aws_session_token, value, `cc-helper reads back ${JSON.stringify(value)}`);
  }
  t.true(written.some((w) => w.value === 'plain/Token+base64=='), 'an ordinary token is written');
  t.true(written.length < HOSTILE_VALUES.length, 'hostile values are refused');
  const readByCli = await Promise.all(
    written.map(({ profile }) =>
      execFileAsync(AWS_CLI, ['configure', 'get', 'aws_session_token', '--profile', profile], { env: awsEnv(dir, file) }).then((r) => r.stdout),
    ),
  );
  written.forEach(({ value }, i) => t.is(readByCli[i], value + '\n', `the AWS CLI reads back ${JSON.stringify(value)}`));
  t.true((await readFile(file, 'utf8')).startsWith(original));
  await rm(dir, { recursive: true });
});

// ---------------------------------------------------------------------------------------------
// Sessions: marker, list, prune

test('session sections: values, listing with expiry, and prune removes only expired cc-helper sections', async (t) => {
  const { dir, file } = await tempHome();
  const now = new Date('2030-01-01T12:00:00Z');
  const values = (item: string, expires: Date) =>
    sessionSectionValues({ accessKeyId: 'ASIA' + item.toUpperCase().padEnd(16, '0'), secretAccessKey: 's/+', sessionToken: 't/+=', expiration: expires }, item);
  t.is(formatRfc3339(new Date('2030-01-01T12:00:00.999Z')), '2030-01-01T12:00:00Z');
  await mkdir(join(dir, '.aws'));
  // A saml2aws-style section with an expired x_security_token_expires but no marker: not ours.
  await writeFile(file, '[manual]\naws_access_key_id = AKIAMANUAL\n\n[saml]\naws_access_key_id = ASIASAML\nx_security_token_expires = 2020-01-01T00:00:00Z\n');
  await replaceProfileSection(file, 'expired', values('old', new Date('2030-01-01T11:00:00Z')));
  await replaceProfileSection(file, 'fresh', values('new', new Date('2030-01-01T13:00:00Z')));
  await replaceProfileSection(file, 'soon', values('soon', new Date('2030-01-01T12:04:00Z')));
  t.deepEqual(await listSessionSections(file, now), [
    { profile: 'expired', item: 'old', expiresAt: new Date('2030-01-01T11:00:00Z'), expired: true },
    { profile: 'fresh', item: 'new', expiresAt: new Date('2030-01-01T13:00:00Z'), expired: false },
    { profile: 'soon', item: 'soon', expiresAt: new Date('2030-01-01T12:04:00Z'), expired: false },
  ]);
  t.deepEqual(await pruneExpiredSessionSections(file, { now }), ['expired']);
  // With a 5-minute margin, the one expiring in 4 minutes goes too.
  t.deepEqual(await pruneExpiredSessionSections(file, { now, marginMs: 5 * 60_000 }), ['soon']);
  t.deepEqual(await pruneExpiredSessionSections(file, { now }), []);
  const text = await readFile(file, 'utf8');
  t.true(text.startsWith('[manual]\naws_access_key_id = AKIAMANUAL\n\n[saml]\naws_access_key_id = ASIASAML\nx_security_token_expires = 2020-01-01T00:00:00Z\n\n[fresh]\n'));
  t.deepEqual(await listSessionSections(join(dir, 'missing')), []);
  await rm(dir, { recursive: true });
});

needs(POSIX, AWS_CLI_V2)('the AWS CLI reads a section with the expiry and marker keys, and signs with it (STS stand-in)', async (t) => {
  const { dir, file } = await tempHome();
  const sts = await startStsStandIn({ keys: { AKIAUSER000000000001: { secretAccessKey: 'user/secret+0000000000000000000000000000', account: '111111111111', userName: 'alice' } } });
  try {
    // A real session from the stand-in, written the way the activator will.
    const { createStsClient } = await import('../src/aws-clients/sts-client.js');
    const session = await createStsClient({
      region: 'us-east-1',
      endpoint: sts.url,
      credentials: { accessKeyId: 'AKIAUSER000000000001', secretAccessKey: 'user/secret+0000000000000000000000000000' },
    }).getSessionToken({ durationSeconds: 900 });
    await mkdir(join(dir, '.aws'));
    await writeFile(file, '[default]\naws_access_key_id = AKIADEFAULT\naws_secret_access_key = d\n');
    await replaceProfileSection(file, 'client.acme', sessionSectionValues(session, 'acme-user'));
    const env = awsEnv(dir, file);
    const get = async (key: string) => (await execFileAsync(AWS_CLI, ['configure', 'get', key, '--profile', 'client.acme'], { env })).stdout.trim();
    t.is(await get('aws_access_key_id'), session.accessKeyId);
    t.is(await get('aws_session_token'), session.sessionToken);
    t.is(await get('x_cc_helper_session'), 'acme-user');
    const list = (await execFileAsync(AWS_CLI, ['configure', 'list', '--profile', 'client.acme'], { env })).stdout;
    t.regex(list, /access_key\s+\*+\w{4}\s+shared-credentials-file/);
    // The CLI signs GetCallerIdentity with the written key, secret and token; the stand-in checks all three.
    const identity = JSON.parse(
      (await execFileAsync(AWS_CLI, ['sts', 'get-caller-identity', '--profile', 'client.acme', '--region', 'us-east-1', '--endpoint-url', sts.url], { env })).stdout,
    ) as { Arn: string };
    t.is(identity.Arn, 'arn:aws:iam::111111111111:user/alice');
    t.deepEqual(sts.log.at(-1), { action: 'GetCallerIdentity', accessKeyId: session.accessKeyId, status: 200 });
  } finally {
    await sts.close();
    await rm(dir, { recursive: true });
  }
});

// ---------------------------------------------------------------------------------------------
// Processes

test.serial('32 concurrent writer processes, each replacing its own profile: all 32 present, others kept', async (t) => {
  const { dir, file } = await tempHome();
  await mkdir(join(dir, '.aws'));
  const { text } = fixture('\n');
  await writeFile(file, text);
  const started = performance.now();
  const results = await Promise.all(
    Array.from({ length: 32 }, (_, i) =>
      runLockChild(['replace', file, `writer.${i}`, JSON.stringify({ aws_access_key_id: `AKIAWRITER${String(i).padStart(10, '0')}`, x_cc_helper_session: `item-${i}` })]),
    ),
  );
  const wall = performance.now() - started;
  for (const r of results) t.is(r.code, 0, r.stderr);
  const inside = results.map((r) => (JSON.parse(r.stdout) as { ms: number }).ms).sort((a, b) => a - b);
  t.log(
    `32 writer processes: ${wall.toFixed(0)} ms wall clock (node start-up included); per process, waiting + writing: ` +
      `median ${inside[16]!.toFixed(0)} ms, max ${inside[31]!.toFixed(0)} ms`,
  );
  const final = await readFile(file, 'utf8');
  t.true(final.startsWith(text), 'every byte of the original file is still at the start');
  const names = listIniSections(final).map((s) => s.name);
  t.is(names.length, 5 + 32);
  for (let i = 0; i < 32; i++) t.is(readIniSection(final, `writer.${i}`)?.x_cc_helper_session, `item-${i}`);
  t.is(statSync(file).mode & 0o777, 0o600);
  t.deepEqual(readdirSync(join(dir, '.aws')), ['credentials']);
  await rm(dir, { recursive: true });
});

test.serial('a writer SIGKILLed after writing its temp file, before the rename: original intact, next writer recovers', async (t) => {
  const { dir, file } = await tempHome();
  await mkdir(join(dir, '.aws'));
  const { text } = fixture('\r\n');
  await writeFile(file, text);
  const { child, readyLine, exited } = await startHolder(['hold-edit', file, 'client.acme', JSON.stringify(SESSION)]);
  const temp = readyLine.slice('ready '.length);
  t.true(existsSync(temp), 'the temp file is written');
  t.is(statSync(temp).mode & 0o777, 0o600);
  t.true(existsSync(credentialsLockPath(file)), 'the lock is held');
  t.is(await readFile(file, 'utf8'), text, 'nothing visible before the rename');

  const killed = await killHard(child, exited);
  t.is(killed.signal, 'SIGKILL');
  t.is(await readFile(file, 'utf8'), text, 'the original file is intact after the kill');
  t.true(existsSync(credentialsLockPath(file)), 'the dead holder left its lock');

  const started = performance.now();
  const next = await runLockChild(['replace', file, 'other', JSON.stringify({ aws_access_key_id: 'AKIANEXT' })]);
  const wall = performance.now() - started;
  t.is(next.code, 0, next.stderr);
  const inside = (JSON.parse(next.stdout) as { ms: number }).ms;
  t.log(`next writer after the SIGKILL: ${inside.toFixed(0)} ms inside the process (${wall.toFixed(0)} ms with node start-up)`);
  t.true(inside < 3_000, 'recovered through the dead-pid check, not a timeout');
  const final = await readFile(file, 'utf8');
  t.is(readIniSection(final, 'other')?.aws_access_key_id, 'AKIANEXT');
  t.is(readIniSection(final, 'client.acme')?.aws_secret_access_key, 'old', 'the killed write never happened');
  t.true(final.startsWith(fixture('\r\n').before), 'every other byte kept');
  t.deepEqual(readdirSync(join(dir, '.aws')), ['credentials'], 'temp file and stale lock cleaned up');
  await rm(dir, { recursive: true });
});

test('activation lock: N activators, one "STS call"; the others see the fresh section under the lock', async (t) => {
  const { dir, file } = await tempHome();
  let stsCalls = 0;
  const activate = () =>
    withProfileActivationLock(file, 'client.acme', async (current) => {
      if (current?.x_cc_helper_session) return 'reused';
      stsCalls++;
      await new Promise((r) => setTimeout(r, 20)); // the STS round trip
      await replaceProfileSection(file, 'client.acme', SESSION);
      return 'activated';
    });
  const outcomes = await Promise.all(Array.from({ length: 8 }, activate));
  t.is(stsCalls, 1);
  t.deepEqual(outcomes.sort(), ['activated', ...Array(7).fill('reused')]);
  t.not(activationLockPath(file, 'client.acme'), activationLockPath(file, 'client.acme.dev'));
  t.deepEqual(readdirSync(join(dir, '.aws')), ['credentials']);
  await rm(dir, { recursive: true });
});

test.serial('32 activator processes for an inactive profile: one STS call, all 32 get the same session', async (t) => {
  const sts = await startStsStandIn({ keys: { AKIAUSER000000000001: { secretAccessKey: 'user/secret+0000000000000000000000000000', account: '111111111111', userName: 'alice' } } });
  const { dir, file } = await tempHome();
  try {
    await mkdir(join(dir, '.aws'));
    const { text } = fixture('\n');
    await writeFile(file, text);
    const started = performance.now();
    const results = await Promise.all(
      Array.from({ length: 32 }, () => runLockChild(['activate', file, 'code.acme', sts.url, 'AKIAUSER000000000001', 'user/secret+0000000000000000000000000000'])),
    );
    const wall = performance.now() - started;
    for (const r of results) t.is(r.code, 0, r.stderr);
    const outcomes = results.map((r) => JSON.parse(r.stdout) as { how: string; accessKeyId: string; ms: number });
    t.is(sts.callCount('GetSessionToken'), 1, 'exactly one STS call');
    t.is(outcomes.filter((o) => o.how === 'activated').length, 1);
    const issued = sts.issuedCredentials()[0]!;
    t.true(outcomes.every((o) => o.accessKeyId === issued.accessKeyId));
    const final = await readFile(file, 'utf8');
    t.true(final.startsWith(text));
    t.is(readIniSection(final, 'code.acme')?.aws_session_token, issued.sessionToken);
    t.deepEqual(readdirSync(join(dir, '.aws')), ['credentials']);
    const ms = outcomes.map((o) => o.ms).sort((a, b) => a - b);
    t.log(`32 activators: ${wall.toFixed(0)} ms wall clock; inside each process median ${ms[16]!.toFixed(0)} ms, max ${ms[31]!.toFixed(0)} ms`);
  } finally {
    await sts.close();
    await rm(dir, { recursive: true });
  }
});
