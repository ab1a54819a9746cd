// The URL patterns setup writes, checked against real git's URL matching and against the
// helper's own host recognition; the helper line's quoting; how existing helpers are classified.
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { recogniseCodeCommitHost } from '../src/codecommit/host.js';
import { CODECOMMIT_URL_PATTERNS } from '../src/setup/codecommit-url-patterns.js';
import { renderConfig } from '../src/setup/config-render.js';
import { classifyHelper } from '../src/setup/existing-helpers.js';
import { helperLine, shellPath, shellQuote } from '../src/setup/helper-line.js';
import { helperLineOptions, helperPrograms } from '../src/setup/helper-profile.js';
import { findSection } from '../src/setup/includer-file.js';
import { writeFile } from 'node:fs/promises';
import { run, runGit, scrubbedEnv } from '../standins/git-env.js';
import { AWKWARD_PROFILE_NAMES, UNCARRIABLE_PROFILE_NAMES } from './support/profile-names.js';
import { UserError } from '../src/support/errors.js';
import { needs, POSIX } from './support/prerequisites.js';

// Not yet ported to Windows (sh, file modes, signals): skipped there, with the reason.
const test = needs(POSIX);

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

// The helper line is a pure function of the profile and the two absolute paths: a table of
// awkward install locations (nvm, "Program Files", quotes) and the exact text setup writes.
const LINE = (command: string) => `!f() { test "$1" = get && exec ${command} "$@"; while read -r _; do :; done; }; f`;
const launchers: Array<[node: string, script: string, command: string]> = [
  ['/usr/bin/node', '/usr/lib/node_modules/cc-helper/bin/cc-helper.js', '/usr/bin/node /usr/lib/node_modules/cc-helper/bin/cc-helper.js'],
  ['/home/a/.nvm/versions/node/v20.19.0/bin/node', '/home/a/.nvm/x/cc-helper.js', '/home/a/.nvm/versions/node/v20.19.0/bin/node /home/a/.nvm/x/cc-helper.js'],
  ['/opt/my tools/node', '/Users/a b/cc-helper.js', `'/opt/my tools/node' '/Users/a b/cc-helper.js'`],
  [`/opt/it's/node`, `/x/"quoted"/cc-helper.js`, `'/opt/it'\\''s/node' '/x/"quoted"/cc-helper.js'`],
  ['/opt/$(touch pwned)/`id`/node', '/x/back\\slash/cc.js', `'/opt/$(touch pwned)/\`id\`/node' '/x/back\\slash/cc.js'`],
  // Git for Windows runs helpers with its MSYS bash: forward slashes, single-quoted.
  ['C:\\Program Files\\nodejs\\node.exe', 'C:\\Users\\Jo O\'Neil\\AppData\\Roaming\\npm\\node_modules\\cc-helper\\bin\\cc-helper.js',
    `'C:/Program Files/nodejs/node.exe' 'C:/Users/Jo O'\\''Neil/AppData/Roaming/npm/node_modules/cc-helper/bin/cc-helper.js'`],
  ['D:\\nvm\\v20.19.0\\node.exe', '\\\\server\\share\\cc-helper.js', 'D:/nvm/v20.19.0/node.exe //server/share/cc-helper.js'],
];

test('helper lines: absolute Node and entry, quoted for sh (Windows paths with forward slashes)', (t) => {
  for (const [node, script, command] of launchers) {
    t.is(helperLine('AcmeCode', { node, script }), LINE(`${command} --profile AcmeCode`), node);
  }
  t.is(helperLine('client.acme', { node: '/n', script: '/s' }, { account: '123456789012' }), LINE('/n /s --profile client.acme --account 123456789012'));
  t.is(helperLine('default', { node: '/n', script: '/s' }, { allowDefault: true }), LINE('/n /s --profile default --allow-default'));
  t.is(shellQuote(''), `''`);
});

test('the helper line takes every profile name that can be carried, and refuses the rest with one line', (t) => {
  for (const name of AWKWARD_PROFILE_NAMES) t.notThrows(() => helperLine(name, { node: '/n', script: '/s' }), JSON.stringify(name));
  for (const name of [...UNCARRIABLE_PROFILE_NAMES, 'x'.repeat(1025)]) {
    const error = t.throws(() => helperLine(name, { node: '/n', script: '/s' }), { instanceOf: UserError }, JSON.stringify(name));
    t.regex(error!.message, /^the profile name (is empty|"[^\n]*" holds a line break|"x{40}"\.\.\. is longer than 1024 characters)/);
  }
  // A name that starts with "-" goes as one --profile=NAME word: after a bare --profile it would read as an option.
  t.is(helperLine('-x', { node: '/n', script: '/s' }), LINE(`/n /s --profile=-x`));
  t.is(helperLine('--allow-default', { node: '/n', script: '/s' }), LINE(`/n /s --profile=--allow-default`));
  t.is(helperLine('my profile', { node: '/n', script: '/s' }), LINE(`/n /s --profile 'my profile'`));
});

test('through git config and sh, the line starts exactly Node and the entry for get, and nothing for store or erase', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'cc-helper-quote-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  for (const [i, name] of [`my tools`, `it's "here"`, '$(touch pwned) `id` \\ #;'].entries()) {
    // A stand-in "node" that records its argv and stdin, in a directory with that name.
    const bin = join(dir, `${i} ${name}`);
    await mkdir(bin);
    const node = join(bin, 'node');
    await writeFile(node, `#!/bin/sh\nprintf '%s\\n' "$0" "$@" > "${dir}/argv"\ncat > "${dir}/stdin"\n`, { mode: 0o755 });
    const script = join(bin, 'cc-helper.js');
    // The value as git reads it back from the file setup would write (git's own config quoting).
    const file = join(dir, 'config');
    await writeFile(file, await renderConfig([['credential.helper', helperLine('AcmeCode', { node, script })]], { env, cwd: dir }), 'latin1');
    const value = (await runGit(['config', '--file', file, '--get', 'credential.helper'], { env })).stdout.replace(/\n$/, '');
    t.is(value, helperLine('AcmeCode', { node, script }));
    // What git does with a `!` value: append " <action>" and run it with sh -c.
    for (const action of ['store', 'erase']) {
      const r = await run('sh', ['-c', `${value.slice(1)} ${action}`], { input: 'protocol=https\nhost=h\n\n', env });
      t.is(r.code, 0, r.stderr);
      t.is(r.stdout + r.stderr, '');
      t.false(existsSync(join(dir, 'argv')), `${action} must not start Node`);
    }
    const r = await run('sh', ['-c', `${value.slice(1)} get`], { input: 'protocol=https\nhost=h\n\n', env });
    t.is(r.code, 0, r.stderr);
    t.deepEqual(readFileSync(join(dir, 'argv'), 'utf8').trimEnd().split('\n'), [node, script, '--profile', 'AcmeCode', 'get']);
    t.is(readFileSync(join(dir, 'stdin'), 'utf8'), 'protocol=https\nhost=h\n\n');
    await rm(join(dir, 'argv'));
  }
  t.false(existsSync(join(process.cwd(), 'pwned')));
});

test('doctor reads the programs and the profile back from every helper line form', (t) => {
  for (const [node, script] of launchers) {
    const line = helperLine('AcmeCode', { node, script });
    t.deepEqual(helperPrograms(line), [shellPath(node), shellPath(script)]);
    t.is(helperLineOptions(line).profile, 'AcmeCode');
  }
  t.deepEqual(helperPrograms(`!'/opt/n 1/node' /x/cc-helper.js --profile A`), ['/opt/n 1/node', '/x/cc-helper.js']);
  t.deepEqual(helperPrograms('codecommit --profile A'), []);
  t.deepEqual(helperPrograms('/usr/local/bin/git-credential-codecommit --profile A'), ['/usr/local/bin/git-credential-codecommit']);
  t.is(helperLineOptions('codecommit --profile Legacy').profile, 'Legacy');
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
  // The profile as git's shell gives it to the AWS CLI, however it is quoted.
  ['!aws --profile "my \\"quoted\\" profile" codecommit credential-helper $@', 'aws-cli', 'my "quoted" profile'],
  ["!aws --profile it\\'s\\ mine codecommit credential-helper $@", 'aws-cli', "it's mine"],
  ["!aws --profile 'it'\\''s' codecommit credential-helper $@", 'aws-cli', "it's"],
  ['!aws --profile dév codecommit credential-helper $@ # the dev account', 'aws-cli', 'dév'],
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
