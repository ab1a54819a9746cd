// The drop-in git-remote-codecommit: real git clones and pushes `codecommit::` URLs through the
// CodeCommit stand-in with this package's bin on PATH, signing with the URL's profile, and no
// process shows the secret or the password while the transport runs (GRC put the password on
// `git remote-http`'s command line). GRC's own URL tests parse the same way here.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { computeCodeCommitPassword } from '../src/codecommit/password.js';
import { resolveGrcTarget } from '../src/codecommit-remote/remote-target.js';
import { parseGrcUrl } from '../src/codecommit-remote/codecommit-url.js';
import { startCodeCommitWorld } from '../standins/codecommit-world.js';
import { run } from '../standins/git-env.js';
import { makeAwsHome, PACKAGE_ROOT, runHelper } from '../standins/helper-process.js';
import { readableProcesses } from './support/process-scan.js';
import { needs, POSIX, PROC_FILESYSTEM } from './support/prerequisites.js';

// Not yet ported to Windows (sh, file modes, signals): skipped there, with the reason.
const test = needs(POSIX);

const HOST = 'git-codecommit.eu-west-1.amazonaws.com';
// Keys of this test only, so no other process on the machine can hold them by chance.
const ACME = { accessKeyId: 'AKIAGRCDROPIN0000001', secretAccessKey: `grc/DropIn+${randomBytes(12).toString('hex')}` };
const PASSWORD = /\d{8}T\d{6}Z[0-9a-f]{64}/;
const REMOTE_BIN = join(PACKAGE_ROOT, 'bin', 'git-remote-codecommit.js');

needs(POSIX, PROC_FILESYSTEM)('clone and push codecommit::eu-west-1://AcmeCode@demo: AcmeCode signs, and no argv or environment holds a secret', async (t) => {
  const world = await startCodeCommitWorld({ helperLine: null, keys: [ACME], extraProfiles: { AcmeCode: ACME }, hostnames: [HOST] });
  t.teardown(() => world.close());
  await world.codecommit.addRepo('demo', { initialCommit: { files: { 'README.md': 'demo\n' } } });
  // A storing helper the user has: the bin's `helper =` reset must keep the password from it.
  t.is((await world.git(['config', '--global', 'credential.helper', 'store'])).code, 0);
  // The proxy comes through GIT_CONFIG_COUNT entry 0 instead of the config file: the clone
  // reaches the stand-in only if the bin keeps the caller's entries.
  const gitconfig = join(world.home.home, '.gitconfig');
  writeFileSync(gitconfig, readFileSync(gitconfig, 'utf8').replace(/\[http\]\n\tproxy = .*\n/, ''));
  const marker = `grc-test-${randomBytes(6).toString('hex')}`;
  const env = { ...world.env, CC_TEST_MARKER: marker, GIT_CONFIG_COUNT: '1', GIT_CONFIG_KEY_0: 'http.proxy', GIT_CONFIG_VALUE_0: world.proxy.url };

  // While an authenticated request waits, look at every process: the transport holds a password now.
  const scans: Array<{ ours: string[]; leaks: string[] }> = [];
  world.codecommit.beforeServe = async () => {
    const all = readableProcesses();
    const ours = all.filter((p) => p.environ.includes(marker));
    const leaks = [
      ...all.filter((p) => p.cmdline.includes(ACME.secretAccessKey) || p.environ.includes(ACME.secretAccessKey)).map((p) => `secret in ${p.pid}: ${p.cmdline}`),
      ...ours.filter((p) => PASSWORD.test(p.cmdline) || PASSWORD.test(p.environ)).map((p) => `password in ${p.pid}: ${p.cmdline}`),
    ];
    scans.push({ ours: ours.map((p) => p.cmdline), leaks });
  };

  const clone = await run('git', ['clone', 'codecommit::eu-west-1://AcmeCode@demo', 'demo'], { cwd: world.home.home, env });
  t.is(clone.code, 0, clone.stderr);
  const work = join(world.home.home, 'demo');
  t.is(readFileSync(join(work, 'README.md'), 'utf8'), 'demo\n');
  writeFileSync(join(work, 'big.bin'), randomBytes(256 * 1024));
  await run('git', ['add', '.'], { cwd: work, env });
  await run('git', ['commit', '-q', '-m', 'through the drop-in'], { cwd: work, env });
  const push = await run('git', ['push', 'origin', 'HEAD:main'], { cwd: work, env });
  t.is(push.code, 0, push.stderr);

  const accepted = world.codecommit.log.filter((e) => e.outcome === 'accepted');
  t.true(accepted.some((e) => e.service === 'git-receive-pack' && e.method === 'POST'), 'the push reached the stand-in');
  t.deepEqual([...new Set(world.codecommit.acceptedKeyIds())], [ACME.accessKeyId], 'AcmeCode signed every request');
  t.true(accepted.every((e) => e.host === HOST));
  // The scans saw the transport itself (so they looked at the right processes) and nothing leaked.
  t.true(scans.length >= 2);
  t.true(scans.every((s) => s.ours.some((c) => c === `git remote-https origin https://${HOST}/v1/repos/demo`)), JSON.stringify(scans[0]?.ours));
  t.true(scans.every((s) => s.ours.some((c) => c.includes('git-remote-codecommit') && c.includes('eu-west-1://AcmeCode@demo'))));
  t.deepEqual(scans.flatMap((s) => s.leaks), []);
  for (const out of [clone, push]) t.false(out.stderr.includes(ACME.secretAccessKey) || PASSWORD.test(out.stderr));
  const store = join(world.home.home, '.git-credentials');
  t.false(existsSync(store) && readFileSync(store, 'utf8').includes('codecommit'), 'the store helper kept no CodeCommit password');
  // The remote stays as the user wrote it: GRC users keep their URLs.
  t.is((await run('git', ['remote', 'get-url', 'origin'], { cwd: work, env })).stdout.trim(), 'codecommit::eu-west-1://AcmeCode@demo');
});

test('codecommit://AcmeCode@demo takes the region from the profile; setup\'s account pin holds; a [default] URL is refused before any request', async (t) => {
  const world = await startCodeCommitWorld({ helperLine: null, keys: [ACME], extraProfiles: { AcmeCode: ACME }, hostnames: [HOST] });
  t.teardown(() => world.close());
  await world.codecommit.addRepo('demo', { initialCommit: { files: { 'a.txt': 'a\n' } } });
  writeFileSync(join(world.home.home, '.aws', 'config'), '[profile AcmeCode]\nregion = eu-west-1\n');
  const clone = await world.git(['clone', 'codecommit://AcmeCode@demo', 'demo']);
  t.is(clone.code, 0, clone.stderr);
  // Without a named remote git hands the URL over as the remote's name too.
  const listed = await world.git(['ls-remote', 'codecommit://AcmeCode@demo']);
  t.is(listed.code, 0, listed.stderr);
  t.regex(listed.stdout, /\trefs\/heads\/main\n/);
  t.deepEqual([...new Set(world.codecommit.acceptedKeyIds())], [ACME.accessKeyId]);

  // A profile pinned by setup (--account) is pinned for codecommit:: URLs too. The account of
  // AcmeCode's key comes from cc-helper's cache, so no STS is needed.
  const configDir = join(world.home.home, '.config', 'cc-helper');
  mkdirSync(configDir, { recursive: true });
  writeFileSync(join(configDir, 'accounts.json'), JSON.stringify({ version: 1, accounts: { [ACME.accessKeyId]: '222222222222' } }));
  const pin = async (account: string) => {
    const r = await runHelper(['setup', '--profile', 'AcmeCode', '--account', account, '--remote-url', `https://${HOST}/v1/repos/elsewhere`], '', world.env);
    t.is(r.code, 0, r.stderr);
  };
  await pin('111111111111');
  const accepted = world.codecommit.acceptedKeyIds().length;
  const wrong = await world.git(['clone', 'codecommit::eu-west-1://AcmeCode@demo', 'pinned']);
  t.not(wrong.code, 0);
  t.regex(wrong.stderr, /refusing to sign: profile "AcmeCode" belongs to account 222222222222, but this helper line is pinned to account 111111111111/);
  t.is(world.codecommit.acceptedKeyIds().length, accepted, 'nothing was signed for the wrong account');
  await pin('222222222222');
  const right = await world.git(['clone', 'codecommit::eu-west-1://AcmeCode@demo', 'pinned']);
  t.is(right.code, 0, right.stderr);

  const before = world.codecommit.log.length;
  const canary = await world.git(['clone', 'codecommit::eu-west-1://default@demo', 'canary']);
  t.not(canary.code, 0);
  t.regex(canary.stderr, /git-remote-codecommit \(cc-helper\): refusing to sign with the "default" profile/);
  t.is(world.codecommit.log.length, before, 'not one request was made');
});

// GRC's test/context_test.py and test/git_url_test.py, case by case. Where cc-helper differs
// on purpose it says so: no fallback to [default], and no region outside CodeCommit's partitions.
test("GRC's URL table parses the same way", (t) => {
  const aws = makeAwsHome({
    credentials: '[profile]\naws_access_key_id = AKIAEXAMPLE\naws_secret_access_key = s\n',
    config: '[profile west]\nregion = us-west-2\n[profile gov]\nregion = us-gov-east-1\n[profile zz]\nregion = zz-west-2\n[profile none]\n',
  });
  t.teardown(aws.cleanup);
  const resolve = (url: string, extra: NodeJS.ProcessEnv = {}) => resolveGrcTarget(parseGrcUrl(url), { ...aws.env, ...extra });
  const target = (repository: string, region: string, profile: string) => ({
    profile,
    region,
    host: `git-codecommit.${region}.amazonaws.com`,
    httpsUrl: `https://git-codecommit.${region}.amazonaws.com/v1/repos/${repository}`,
  });

  // test_without_profile / test_with_gov_region: the session's profile and its region.
  t.deepEqual(resolve('codecommit://test_repo', { AWS_PROFILE: 'west' }), target('test_repo', 'us-west-2', 'west'));
  t.deepEqual(resolve('codecommit://test_repo', { AWS_PROFILE: 'gov' }), target('test_repo', 'us-gov-east-1', 'gov'));
  // ... where GRC would take [default] with no AWS_PROFILE, cc-helper refuses.
  t.throws(() => resolve('codecommit://test_repo'), { message: /names no profile and AWS_PROFILE is not set/ });
  // test_with_invalid_region: RegionNotAvailable.
  t.throws(() => resolve('codecommit://test_repo', { AWS_PROFILE: 'zz' }), { message: /"zz-west-2" is not an AWS Region with CodeCommit/ });
  // test_with_profile: the region from the environment (botocore: AWS_DEFAULT_REGION before the profile's).
  t.deepEqual(resolve('codecommit://profile@test_repo', { AWS_DEFAULT_REGION: 'us-west-2' }), target('test_repo', 'us-west-2', 'profile'));
  t.deepEqual(resolve('codecommit://west@test_repo', { AWS_DEFAULT_REGION: 'ca-central-1' }), target('test_repo', 'ca-central-1', 'west'));
  // test_with_region / test_with_profile_and_region / test_with_different_partition.
  t.deepEqual(resolve('ca-central-1://test_repo', { AWS_PROFILE: 'profile' }), target('test_repo', 'ca-central-1', 'profile'));
  t.deepEqual(resolve('ca-central-1://profile@test_repo'), target('test_repo', 'ca-central-1', 'profile'));
  t.deepEqual(resolve('us-gov-west-1://profile@repo'), target('repo', 'us-gov-west-1', 'profile'));
  // GRC's website_domain_mapping: China is under amazonaws.com.cn. urlparse lower-cases the scheme.
  t.is(resolve('cn-north-1://profile@repo').httpsUrl, 'https://git-codecommit.cn-north-1.amazonaws.com.cn/v1/repos/repo');
  t.is(resolve('EU-WEST-1://profile@repo').region, 'eu-west-1');
  // test_with_bad_region / test_with_github.
  t.throws(() => resolve('yy-central-1://profile@test_repo'), { message: /"yy-central-1" is not an AWS Region with CodeCommit/ });
  t.throws(() => resolve('github://profile@test_repo'), { message: /is malformed/ });
  // test_with_malformed_url.
  for (const url of ['', 'boom', 'codecommit:/test_repo', 'codecommit//test_repo', '://test_repo', 'codecommit://', 'codecommit:://test_repo', 'codecommit:///test_repo']) {
    t.throws(() => parseGrcUrl(url), { message: /is malformed: a codecommit URL is codecommit:\/\/<profile>@<repository> or codecommit::<region>:\/\/<profile>@<repository>/ }, url);
  }
  // test_with_nonexistant_profile / test_with_unset_region.
  t.throws(() => resolve('ca-central-1://missing_profile@test_repo'), { message: /the profile "missing_profile" is in neither/ });
  t.throws(() => resolve('codecommit://none@test_repo'), { message: /the profile "none" has no region and AWS_DEFAULT_REGION is not set/ });
  // git_url_test's CODE_COMMIT_ENDPOINT override: a real endpoint (FIPS, VPC) is used as the host...
  const fips = resolve('us-west-2://profile@test_repo', { CODE_COMMIT_ENDPOINT: 'git-codecommit-fips.us-west-2.amazonaws.com' });
  t.is(fips.httpsUrl, 'https://git-codecommit-fips.us-west-2.amazonaws.com/v1/repos/test_repo');
  const vpce = 'vpce-0123456789abcdef0-abcdefgh.git-codecommit.us-west-2.vpce.amazonaws.com';
  t.is(resolve('us-west-2://profile@test_repo', { CODE_COMMIT_ENDPOINT: vpce }).httpsUrl, `https://${vpce}/v1/repos/test_repo`);
  // ... but cc-helper signs only for CodeCommit hosts of the URL's region, so these are refused.
  t.throws(() => resolve('us-west-2://profile@test_repo', { CODE_COMMIT_ENDPOINT: 'land.called.honahlee' }), { message: /is not a CodeCommit git endpoint/ });
  t.throws(() => resolve('us-west-2://profile@test_repo', { CODE_COMMIT_ENDPOINT: 'git-codecommit.eu-west-1.amazonaws.com' }), { message: /make them agree/ });
});

test("the signer behind the helper gives GRC's test signature (git_url_test.py's EXPECTED_SIG)", async (t) => {
  const signed = await computeCodeCommitPassword({
    credentials: { accessKeyId: 'access', secretAccessKey: 'secret', sessionToken: 'token' },
    hostname: 'git-codecommit.us-west-2.amazonaws.com',
    region: 'us-west-2',
    path: 'v1/repos/test_repo',
    signingDate: new Date('2017-12-24T11:53:20Z'),
  });
  t.is(signed.password, '20171224T115320Zb6df2d758a8023b2f000a546417007b65494f3ce8ad0300fd45fcfa173f1959a');
  // GRC URL-encodes it into its URL as access%25token; over the credential protocol it is raw.
  t.is(signed.username, 'access%token');
});

test('hostile URLs and arguments: one line on stderr, exit 1, and no git started', async (t) => {
  const aws = makeAwsHome({ credentials: '[AcmeCode]\naws_access_key_id = AKIAEXAMPLE\naws_secret_access_key = s\n' });
  t.teardown(aws.cleanup);
  // A PATH without git: had the bin got as far as starting `git remote-https`, it would say so (exit 128).
  const env = { ...aws.env, PATH: aws.home };
  const cases: Array<[string[], RegExp, NodeJS.ProcessEnv?]> = [
    [['origin', 'eu-west-1://AcmeCode@demo\nprotocol=https'], /holds control characters/],
    [['origin', 'eu-west-1://AcmeCode@demo\r'], /holds control characters/],
    [['origin', 'eu-west-1://Acme\tCode@demo'], /holds control characters/],
    [['origin', 'eu-west-1://AcmeCode@demo x'], /names the repository "demo x", which is not a CodeCommit repository name/],
    [['origin', 'eu-west-1://AcmeCode@evil.example@demo'], /not a CodeCommit repository name/],
    [['origin', 'eu-west-1://AKIAX:wJalrSECRET@demo'], /names a profile with ":" in it, which reads as user:password@/],
    // Brackets make Python's urlparse (and so git-remote-codecommit) fail: refused, not guessed at.
    [['origin', 'eu-west-1://a]b@demo'], /names a profile with "\[" or "\]"/],
    [['origin', 'eu-west-1://@demo'], /has nothing before "@"/],
    // The password where the repository name or the path would be echoed (issue 21).
    [['origin', 'codecommit://a@user:wJalrSECRET@demo'], /"codecommit:\/\/\*\*\*@demo" holds a user:password@ part/],
    [['origin', 'eu-west-1://a@user:wJalrSECRET@demo'], /"eu-west-1:\/\/\*\*\*@demo" holds a user:password@ part/],
    [['origin', 'eu-west-1://a:wJalrSECRET/x@demo'], /"eu-west-1:\/\/\*\*\*@demo" holds a user:password@ part/],
    [['origin', 'eu-west-1://a:wJalr@SECRET@demo'], /"eu-west-1:\/\/\*\*\*@demo" holds a user:password@ part/],
    [['origin', 'eu-west-1://AcmeCode@..'], /not a CodeCommit repository name/],
    [['origin', 'eu-west-1://AcmeCode@demo/../../other'], /something after the repository name/],
    [['origin', 'eu-west-1://AcmeCode@demo?x=1'], /something after the repository name/],
    // A profile name is never an argument of git's: one starting with "-" is just a name (here: none such).
    [['origin', 'eu-west-1://--upload-pack=touch@demo'], /the profile "--upload-pack=touch" is in neither/],
    [['origin', '--upload-pack=x://AcmeCode@demo'], /is malformed/],
    [['-c', 'eu-west-1://AcmeCode@demo'], /remote name "-c"/],
    [['origin', 'https://AcmeCode@demo'], /is malformed/],
    [['origin'], /^git-remote-codecommit \(cc-helper\): Too few arguments/],
    [['origin', 'a', 'b'], /Too many arguments/],
    // Hostile environment: a look-alike endpoint, a count git would choke on.
    [['origin', 'eu-west-1://AcmeCode@demo'], /is not a CodeCommit git endpoint/, { CODE_COMMIT_ENDPOINT: 'git-codecommit.eu-west-1.amazonaws.com.evil.example' }],
    [['origin', 'eu-west-1://AcmeCode@demo'], /GIT_CONFIG_COUNT="1; rm" is not a number/, { GIT_CONFIG_COUNT: '1; rm' }],
  ];
  for (const [args, message, extra] of cases) {
    const r = await run(process.execPath, [REMOTE_BIN, ...args], { env: { ...env, ...extra } });
    t.is(r.code, 1, args.join(' '));
    t.is(r.stdout, '');
    t.regex(r.stderr, message, args.join(' '));
    t.regex(r.stderr, /^git-remote-codecommit \(cc-helper\): [^\n]+\n$/, 'exactly one line');
    t.false(/wJalr|SECRET/.test(r.stderr), 'a password put into the URL is not echoed, not even in part');
  }
});
