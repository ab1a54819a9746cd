// The URL patterns setup writes, checked against real git's URL matching and against the
// helper's own host recognition; the helper line's quoting; how existing helpers are classified.
import test from 'ava';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { recogniseCodeCommitHost } from '../src/codecommit/host.js';
import { CODECOMMIT_URL_PATTERNS } from '../src/setup/codecommit-url-patterns.js';
import { renderConfig } from '../src/setup/config-render.js';
import { classifyHelper } from '../src/setup/existing-helpers.js';
import { helperLine, shellQuote } from '../src/setup/helper-line.js';
import { findSection } from '../src/setup/includer-file.js';
import { writeFile } from 'node:fs/promises';
import { run, runGit, scrubbedEnv } from './support/git-env.js';

const env = { ...scrubbedEnv(), GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null', LC_ALL: 'C' };

/** Which patterns git applies to `url`, using a scratch file with one probe key per pattern. */
async function matchingPatterns(file: string, url: string): Promise<string[]> {
  const r = await runGit(['config', '--file', file, '--get-urlmatch', 'credential', url], { env });
  return [...r.stdout.matchAll(/^credential\.probe(\d+) /gm)].map((m) => CODECOMMIT_URL_PATTERNS[Number(m[1])]!.pattern);
}

const realHosts = [
  ...CODECOMMIT_URL_PATTERNS.map((p) => p.sampleHost),
  'git-codecommit.us-gov-west-1.amazonaws.com',
  'git-codecommit-fips.us-gov-east-1.amazonaws.com',
  'git-codecommit.cn-northwest-1.amazonaws.com.cn',
  'GIT-CODECOMMIT.EU-WEST-3.AMAZONAWS.COM',
  'git-codecommit.ap-southeast-7.amazonaws.com:443',
];
const lookAlikes = [
  'http://git-codecommit.us-east-1.amazonaws.com/v1/repos/r',
  'https://git-codecommit.us-east-1.amazonaws.com:8443/v1/repos/r',
  'https://git-codecommit.us-east-1.amazonaws.com.evil.example/v1/repos/r',
  'https://evil.git-codecommit.us-east-1.amazonaws.com/v1/repos/r',
  'https://git-codecommit.a.b.amazonaws.com/v1/repos/r',
  'https://git-codecommit.amazonaws.com/v1/repos/r',
  'https://x.vpce-1.git-codecommit.eu-west-1.vpce.amazonaws.com/v1/repos/r',
  'https://git-codecommit.us-east-1.vpce.amazonaws.com/v1/repos/r',
  'https://github.com/v1/repos/r',
];

test('each CodeCommit host form matches exactly one pattern in git, and look-alikes match none', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'cc-helper-patterns-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const file = join(dir, 'config');
  await writeFile(file, await renderConfig(CODECOMMIT_URL_PATTERNS.map((p, i) => [`credential.${p.pattern}.probe${i}`, 'x'] as const), { env, cwd: dir }), 'latin1');
  for (const host of realHosts) {
    t.truthy(recogniseCodeCommitHost(host), `host.ts signs for ${host}`);
    t.is((await matchingPatterns(file, `https://${host}/v1/repos/r`)).length, 1, host);
    t.is((await matchingPatterns(file, `https://user@${host}/v1/repos/r`)).length, 1, `user@${host}`);
  }
  for (const url of lookAlikes) t.deepEqual(await matchingPatterns(file, url), [], url);
});

test('every form the helper signs for has a pattern (FIPS does not exist in China)', (t) => {
  const forms = new Set(CODECOMMIT_URL_PATTERNS.map((p) => {
    const h = recogniseCodeCommitHost(p.sampleHost)!;
    return `${h.kind}/${h.china}/${/-fips\./.test(p.sampleHost)}`;
  }));
  t.is(forms.size, CODECOMMIT_URL_PATTERNS.length);
});

test('shellQuote leaves plain words alone and single-quotes the rest', (t) => {
  t.is(shellQuote('/usr/bin/node'), '/usr/bin/node');
  t.is(shellQuote('/opt/my tools/node'), `'/opt/my tools/node'`);
  t.is(shellQuote(`it's`), `'it'\\''s'`);
  t.is(shellQuote('$(touch x)'), `'$(touch x)'`);
  t.is(shellQuote(''), `''`);
});

test('helper lines: codecommit form, absolute form, default only with --allow-default', (t) => {
  t.is(helperLine('AcmeCode', { kind: 'git-credential', found: '/x' }), 'codecommit --profile AcmeCode');
  t.is(
    helperLine('client.acme', { kind: 'node', node: '/opt/node 20/bin/node', script: '/home/a b/cc-helper.js' }),
    `!'/opt/node 20/bin/node' '/home/a b/cc-helper.js' --profile client.acme`,
  );
  t.is(helperLine('default', { kind: 'git-credential', found: '/x' }, { allowDefault: true }), 'codecommit --profile default --allow-default');
});

test('the helper line rejects profile names that could inject shell or config syntax', (t) => {
  for (const hostile of ['a b', 'x;touch /tmp/pwned', '$(id)', '`id`', 'a"b', "a'b", 'a\nb', 'a]\n[core', '', 'x'.repeat(129), 'a#b', 'a\\b']) {
    t.throws(() => helperLine(hostile, { kind: 'git-credential', found: '/x' }), { message: /invalid profile name/ }, JSON.stringify(hostile));
  }
});

test('the quoted helper line survives the shell git runs it through', async (t) => {
  const node = '/opt/my tools/it\'s/node';
  const line = helperLine('AcmeCode', { kind: 'node', node, script: '/a b/c.js' }).slice(1);
  // git runs `!cmd` as: sh -c 'cmd "$@"' 'cmd' get
  const r = await run('sh', ['-c', `printf '%s\\n' ${line} "$@"`, line, 'get']);
  t.deepEqual(r.stdout.trimEnd().split('\n'), [node, '/a b/c.js', '--profile', 'AcmeCode', 'get']);
});

const classified: Array<[string, string, string?]> = [
  ['', 'reset'],
  ['store', 'storage'],
  ['store --file ~/.creds', 'storage'],
  ['cache --timeout 3600', 'storage'],
  ['osxkeychain', 'storage'],
  ['manager', 'storage'],
  ['manager-core', 'storage'],
  ['wincred', 'storage'],
  ['libsecret', 'storage'],
  ['/usr/lib/git-core/git-credential-libsecret', 'storage'],
  ['"C:/Program Files/Git/mingw64/bin/git-credential-manager.exe"', 'storage'],
  ['!aws codecommit credential-helper $@', 'aws-cli'],
  ['!aws --profile Legacy codecommit credential-helper $@', 'aws-cli', 'Legacy'],
  ['!aws codecommit credential-helper --profile=client.acme $@', 'aws-cli', 'client.acme'],
  ["!'/usr/local/bin/aws' codecommit credential-helper --profile 'Legacy' $@", 'aws-cli', 'Legacy'],
  ['codecommit --profile AcmeCode', 'cc-helper'],
  ["!'/usr/bin/node' '/x/cc-helper/bin/cc-helper.js' --profile A", 'cc-helper'],
  ['oauth', 'other'],
  ['!gcloud.sh', 'other'],
];
for (const [value, kind, profile] of classified) {
  test(`classifies helper ${JSON.stringify(value)} as ${kind}`, (t) => {
    const c = classifyHelper(value);
    t.is(c.kind as string, kind);
    t.is(c.awsProfile, profile);
  });
}

test('findSection finds whole lines only, and a last section without its final newline', (t) => {
  const s = '[include]\n\tpath = /p\n';
  t.deepEqual(findSection(`a = 1\n${s}b`, s), { start: 6, end: 6 + s.length });
  t.is(findSection(`x${s}`, s), undefined);
  t.deepEqual(findSection(`[a]\n${s.slice(0, -1)}`, s), { start: 4, end: 4 + s.length - 1 });
});
