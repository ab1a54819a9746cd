// Account pinning and key rotation (issue 5), with real parts: real git through the CodeCommit
// stand-in, the STS stand-in and the IAM stand-in (both verifying SigV4 with node:crypto), the
// real credentials file, the file vault, and cc-helper's own bins.
import type { ExecutionContext } from 'ava';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createIamClient } from '../src/aws-clients/iam-client.js';
import { createStsClient } from '../src/aws-clients/sts-client.js';
import { MemoryVault } from './support/memory-vault.js';
import { rotateKey, type RotateDeps } from '../src/vault/rotate-key.js';
import type { Vault, VaultItem } from '../src/vault/vault.js';
import { startStsStandIn, type StsStandIn } from '../standins/sts-standin.js';
import { startIamStandIn, type IamStandIn } from '../standins/iam-standin.js';
import { CANARY_KEY, PROFILE_KEY, startCodeCommitWorld, type CodeCommitWorld } from '../standins/codecommit-world.js';
import { runHelper, type HelperResult } from '../standins/helper-process.js';
import { needs, NOT_ROOT, POSIX } from './support/prerequisites.js';

// Not yet ported to Windows (sh, file modes, signals): skipped there, with the reason.
const test = needs(POSIX);

const PROFILE = 'CodeCommitProfile';
const ACCOUNT = '111122223333';
const OTHER_ACCOUNT = '999988887777';
const ROLE_ACCOUNT = '444455556666';
const ROLE_ARN = `arn:aws:iam::${ROLE_ACCOUNT}:role/CodeCommitPush`;
const USER_KEY = { accessKeyId: 'AKIAVAULTUSER0000001', secretAccessKey: 'VaUlT/LoNg+TeRm=SeCrEt000000000000000000' };
const PASSPHRASE = 'correct horse battery staple';

interface World {
  world: CodeCommitWorld;
  sts: StsStandIn;
  iam: IamStandIn;
  env: NodeJS.ProcessEnv;
  cc(args: string[], input?: string): Promise<HelperResult>;
  /** Clones and pushes one commit; returns the failing step's result, or the push. */
  cloneAndPush(name: string): Promise<HelperResult>;
}

async function start(t: ExecutionContext, helperLine?: string): Promise<World> {
  const world = await startCodeCommitWorld({ keys: [PROFILE_KEY, CANARY_KEY], ...(helperLine ? { helperLine } : {}) });
  const sts = await startStsStandIn({
    keys: {
      [PROFILE_KEY.accessKeyId]: { secretAccessKey: PROFILE_KEY.secretAccessKey, account: ACCOUNT, userName: 'static' },
      [USER_KEY.accessKeyId]: { secretAccessKey: USER_KEY.secretAccessKey, account: ACCOUNT, userName: 'dev' },
    },
    roles: { [ROLE_ARN]: { account: ROLE_ACCOUNT } },
    onIssue: (issued) => world.codecommit.keys.push(issued),
  });
  const iam = await startIamStandIn({ sts, onCreate: (key) => world.codecommit.keys.push(key) });
  t.teardown(async () => {
    await iam.close();
    await sts.close();
    await world.close();
  });
  Object.assign(world.env, { AWS_ENDPOINT_URL_STS: sts.url, AWS_ENDPOINT_URL_IAM: iam.url, CC_HELPER_VAULT_PASSPHRASE: PASSPHRASE });
  const env: NodeJS.ProcessEnv = { ...world.env };
  await world.codecommit.addRepo('demo', { initialCommit: { files: { a: 'a\n' } } });
  return {
    world,
    sts,
    iam,
    env,
    cc: (args, input = '') => runHelper(args, input, env),
    async cloneAndPush(name) {
      const clone = await world.git(['clone', world.codecommit.repoUrl('demo'), name]);
      if (clone.code !== 0) return clone;
      const work = join(world.home.home, name);
      writeFileSync(join(work, `${name}.txt`), `${name}\n`);
      await world.git(['add', '.'], work);
      await world.git(['commit', '-m', name], work);
      return world.git(['push', 'origin', 'HEAD:main'], work);
    },
  };
}

const accountsFile = (w: World) => join(w.world.home.home, '.config', 'cc-helper', 'accounts.json');

test('pinned to the right account: the first push asks STS once, later pushes use the cache', async (t) => {
  const w = await start(t, `codecommit --profile ${PROFILE} --account ${ACCOUNT}`);
  const first = await w.cloneAndPush('one');
  t.is(first.code, 0, first.stderr);
  t.is(w.sts.callCount('GetCallerIdentity'), 1, 'clone asked STS; the push used the cache');
  const second = await w.cloneAndPush('two');
  t.is(second.code, 0, second.stderr);
  t.is(w.sts.callCount('GetCallerIdentity'), 1, 'no STS call for later pushes');
  t.deepEqual(JSON.parse(readFileSync(accountsFile(w), 'utf8')), { version: 1, accounts: { [PROFILE_KEY.accessKeyId]: ACCOUNT } }, 'only the key id and the account');
  t.true(w.world.codecommit.acceptedKeyIds().every((id) => id === PROFILE_KEY.accessKeyId));
});

test('pinned to another account: git gets quit=1 and one clear line, CodeCommit never sees a signature', async (t) => {
  const w = await start(t, `codecommit --profile ${PROFILE} --account ${OTHER_ACCOUNT}`);
  const clone = await w.world.git(['clone', w.world.codecommit.repoUrl('demo'), 'x']);
  t.not(clone.code, 0);
  const lines = clone.stderr.split('\n').filter((l) => l.startsWith('cc-helper:'));
  t.is(lines.length, 1, clone.stderr);
  t.regex(lines[0]!, new RegExp(`refusing to sign: profile "${PROFILE}" belongs to account ${ACCOUNT}, but this helper line is pinned to account ${OTHER_ACCOUNT}`));
  t.deepEqual(w.world.codecommit.acceptedKeyIds(), []);
  // The helper itself: quit=1 on stdout, so git neither prompts nor asks other helpers.
  const get = await w.cc(['--profile', PROFILE, '--account', OTHER_ACCOUNT, 'get'], 'protocol=https\nhost=git-codecommit.us-east-1.amazonaws.com\npath=v1/repos/demo\n\n');
  t.is(get.stdout, 'quit=1\n');
  t.is(w.sts.callCount('GetCallerIdentity'), 1, 'the refusal came from the cache the first refusal filled');
});

test('a malformed --account is refused before anything is signed', async (t) => {
  const w = await start(t);
  const get = await w.cc(['--profile', PROFILE, '--account', '12345', 'get'], 'protocol=https\nhost=git-codecommit.us-east-1.amazonaws.com\npath=v1/repos/demo\n\n');
  t.is(get.stdout, 'quit=1\n');
  t.regex(get.stderr, /is not an AWS account id/);
  t.is(w.sts.callCount(), 0);
});

test('a role session pinned to the role account needs no STS call to check it', async (t) => {
  const w = await start(t, `codecommit --profile ${PROFILE} --account ${ROLE_ACCOUNT}`);
  const added = await w.cc(['vault', 'add', PROFILE, '--role-arn', ROLE_ARN], `${USER_KEY.accessKeyId}\n${USER_KEY.secretAccessKey}\n`);
  t.is(added.code, 0, added.stderr);
  // The profile's static section would say otherwise: drop it, the vault session replaces it.
  writeFileSync(w.world.credentialsFile, `[default]\naws_access_key_id = ${CANARY_KEY.accessKeyId}\naws_secret_access_key = ${CANARY_KEY.secretAccessKey}\n`);
  const push = await w.cloneAndPush('role');
  t.is(push.code, 0, push.stderr);
  t.is(w.sts.callCount('AssumeRole'), 1);
  t.is(w.sts.callCount('GetCallerIdentity'), 0);
  // What AssumeRole's answer proved about the session key, and nothing else.
  const session = w.sts.issuedCredentials().find((c) => c.action === 'AssumeRole')!;
  t.deepEqual(JSON.parse(readFileSync(accountsFile(w), 'utf8')), { version: 1, accounts: { [session.accessKeyId]: ROLE_ACCOUNT } });
});

// Issue 11, item 1(b): the pin is decided by the credentials that will sign. A session that
// another tool (saml2aws, say) wrote into the vault-backed profile's section belongs to whatever
// account it belongs to, not to the vault definition's role.
test('a vault-backed role profile whose section holds a session cc-helper did not write is judged by that session, not the role ARN', async (t) => {
  const w = await start(t);
  const added = await w.cc(['vault', 'add', PROFILE, '--role-arn', ROLE_ARN], `${USER_KEY.accessKeyId}\n${USER_KEY.secretAccessKey}\n`);
  t.is(added.code, 0, added.stderr);
  // A session of account 111122223333, written by someone else: no x_cc_helper_session marker.
  const foreign = await createStsClient({ region: 'us-east-1', credentials: USER_KEY, env: w.env }).getSessionToken({ durationSeconds: 3600 });
  const section =
    `[${PROFILE}]\naws_access_key_id = ${foreign.accessKeyId}\naws_secret_access_key = ${foreign.secretAccessKey}\n` +
    `aws_session_token = ${foreign.sessionToken}\nx_security_token_expires = ${foreign.expiration.toISOString()}\n`;
  writeFileSync(w.world.credentialsFile, section);
  const get = await w.cc(['--profile', PROFILE, '--account', ROLE_ACCOUNT, 'get'], 'protocol=https\nhost=git-codecommit.us-east-1.amazonaws.com\npath=v1/repos/demo\n\n');
  t.is(get.stdout, 'quit=1\n', 'never signed with the foreign session');
  t.regex(get.stderr, new RegExp(`belongs to account ${ACCOUNT}, but this helper line is pinned to account ${ROLE_ACCOUNT}`));
  t.is(get.stderr.trimEnd().split('\n').length, 1, get.stderr);
  t.false(get.stderr.includes(foreign.secretAccessKey) || get.stderr.includes(foreign.sessionToken));
  t.is(readFileSync(w.world.credentialsFile, 'utf8'), section, 'the foreign section is left alone');
  t.is(w.sts.callCount('AssumeRole'), 0);
});

test('setup --account writes the pin into the helper line', async (t) => {
  const w = await start(t);
  const r = await w.cc(['setup', '--profile', PROFILE, '--account', ACCOUNT]);
  t.is(r.code, 0, r.stderr);
  const helpers = await w.world.git(['config', '--global', '--includes', '--get-all', 'credential.https://git-codecommit.*.amazonaws.com.helper']);
  t.regex(helpers.stdout, new RegExp(`--profile ${PROFILE} --account ${ACCOUNT} "\\$@";`, 'm'));
  const bad = await w.cc(['setup', '--profile', PROFILE, '--account', 'acme']);
  t.not(bad.code, 0);
  t.regex(bad.stderr, /not an AWS account id/);
});

test('vault rotate: new key stored and proven, old key deleted, vault list shows age 0, git keeps working', async (t) => {
  const w = await start(t);
  const added = await w.cc(['vault', 'add', PROFILE], `${USER_KEY.accessKeyId}\n${USER_KEY.secretAccessKey}\n`);
  t.is(added.code, 0, added.stderr);
  writeFileSync(w.world.credentialsFile, `[default]\naws_access_key_id = ${CANARY_KEY.accessKeyId}\naws_secret_access_key = ${CANARY_KEY.secretAccessKey}\n`);
  const rotate = await w.cc(['vault', 'rotate', PROFILE]);
  t.is(rotate.code, 0, rotate.stderr);
  const newId = /the vault holds (AKIA[A-Z0-9]+)/.exec(rotate.stdout)?.[1];
  t.truthy(newId, rotate.stdout);
  t.false(USER_KEY.accessKeyId in w.sts.keys, 'the old key is deleted in IAM');
  t.deepEqual(Object.keys(w.sts.keys).filter((k) => w.sts.keys[k]!.userName === 'dev'), [newId!]);
  t.is(w.iam.callCount('CreateAccessKey'), 1);
  t.is(w.iam.callCount('DeleteAccessKey'), 1);
  t.false(rotate.stdout.includes(w.sts.keys[newId!]!.secretAccessKey), 'the new secret is never printed');
  const list = await w.cc(['vault', 'list']);
  t.regex(list.stdout, new RegExp(`key \\*+${newId!.slice(-4)} \\(file\\), 0 days old\\n`));
  const push = await w.cloneAndPush('after');
  t.is(push.code, 0, push.stderr);
  t.is(w.sts.log.find((e) => e.action === 'GetSessionToken')?.accessKeyId, newId, 'sessions now come from the new key');
});

test('vault rotate with two keys already: nothing changes, and it says which key to delete', async (t) => {
  const w = await start(t);
  await w.cc(['vault', 'add', PROFILE], `${USER_KEY.accessKeyId}\n${USER_KEY.secretAccessKey}\n`);
  w.sts.keys.AKIASECONDKEY0000001 = { secretAccessKey: 'second', account: ACCOUNT, userName: 'dev' };
  const rotate = await w.cc(['vault', 'rotate', PROFILE]);
  t.is(rotate.code, 1);
  t.regex(rotate.stderr, /already has two access keys .*nothing was changed.*aws iam delete-access-key --user-name dev --access-key-id AKIASECONDKEY0000001/);
  t.is(w.iam.callCount('CreateAccessKey'), 0);
  t.true(USER_KEY.accessKeyId in w.sts.keys);
});

// Each step failing, through the rotation itself with real IAM and STS clients over HTTP.
async function rotation(t: ExecutionContext, vault: Vault) {
  const w = await start(t);
  const deps: RotateDeps = {
    vault,
    item: PROFILE,
    profile: PROFILE,
    iam: (credentials) => createIamClient({ credentials, env: w.env, maxAttempts: 1 }),
    whoAmI: (credentials) => createStsClient({ region: 'us-east-1', credentials, env: w.env, maxAttempts: 1 }).getCallerIdentity(),
    now: () => new Date(),
    proofDelaysMs: [10, 10],
    progress: () => {},
  };
  /** The vault's key works with STS right now. */
  const works = async () => {
    const item = (await vault.get(PROFILE))!;
    const identity = await createStsClient({ region: 'us-east-1', credentials: item, env: w.env, maxAttempts: 1 }).getCallerIdentity();
    return { item, identity };
  };
  const devKeys = () => Object.keys(w.sts.keys).filter((k) => w.sts.keys[k]!.userName === 'dev');
  return { w, deps, works, devKeys };
}

const ITEM: VaultItem = { ...USER_KEY, createdAt: '2020-01-01T00:00:00.000Z' };

test('rotation: CreateAccessKey fails -> nothing changed', async (t) => {
  const vault = new MemoryVault({ [PROFILE]: ITEM });
  const { w, deps, works, devKeys } = await rotation(t, vault);
  w.iam.failNext('CreateAccessKey', { code: 'AccessDenied', message: 'User is not authorized to perform: iam:CreateAccessKey', status: 403 });
  const error = await t.throwsAsync(rotateKey(deps));
  t.regex(error!.message, /could not create a new access key; nothing was changed, the vault still holds \*+0001 \(IAM denied CreateAccessKey/);
  t.is((await works()).item.accessKeyId, USER_KEY.accessKeyId);
  t.deepEqual(devKeys(), [USER_KEY.accessKeyId]);
  t.deepEqual((await vault.list()).map((l) => l.name), [PROFILE], 'no backup item left behind');
});

test('rotation: storing the new key fails -> the new key is deleted, the old one stays', async (t) => {
  const inner = new MemoryVault({ [PROFILE]: ITEM });
  // The backup item can be written, the profile's item cannot (a full disk, a locked keyring).
  const vault: Vault = Object.assign(Object.create(inner) as Vault, {
    location: 'memory',
    list: () => inner.list(),
    get: (name: string) => inner.get(name),
    remove: (name: string) => inner.remove(name),
    put: async (name: string, item: VaultItem) => {
      if (name === PROFILE) throw new Error('EACCES: permission denied, open vault.json.tmp');
      return inner.put(name, item);
    },
  });
  const { w, deps, works, devKeys } = await rotation(t, vault);
  const error = await t.throwsAsync(rotateKey(deps));
  t.regex(error!.message, /could not store the new key .*the vault still holds the old key AKIAVAULTUSER0000001, which still works; the new key AKIA[A-Z0-9]+ was deleted again \(EACCES/);
  t.is((await works()).item.accessKeyId, USER_KEY.accessKeyId);
  t.deepEqual(devKeys(), [USER_KEY.accessKeyId]);
  t.is(w.iam.callCount('DeleteAccessKey'), 1);
});

test('rotation: the new key fails its proof -> the old key is put back and the new one deleted', async (t) => {
  const vault = new MemoryVault({ [PROFILE]: ITEM });
  const { w, deps, works, devKeys } = await rotation(t, vault);
  // STS does not know the new key, every time (propagation that never finishes).
  w.sts.failNext('GetCallerIdentity', { code: 'InvalidClientTokenId', message: 'The security token included in the request is invalid.', status: 403 }, 3);
  const error = await t.throwsAsync(rotateKey(deps));
  t.regex(error!.message, /the new key does not work with STS \(STS does not recognise .*\); the vault holds the old key AKIAVAULTUSER0000001 again, which still works; the new key AKIA[A-Z0-9]+ was deleted again/);
  t.is(w.sts.callCount('GetCallerIdentity'), 3, 'tried, then retried twice');
  t.is((await works()).item.accessKeyId, USER_KEY.accessKeyId);
  t.deepEqual(devKeys(), [USER_KEY.accessKeyId]);
  t.deepEqual((await vault.list()).map((l) => l.name), [PROFILE]);
});

test('rotation: the proof succeeds after a propagation delay', async (t) => {
  const vault = new MemoryVault({ [PROFILE]: ITEM });
  const { w, deps, works, devKeys } = await rotation(t, vault);
  w.sts.failNext('GetCallerIdentity', { code: 'InvalidClientTokenId', message: 'The security token included in the request is invalid.', status: 403 }, 2);
  const result = await rotateKey(deps);
  const { item, identity } = await works();
  t.is(item.accessKeyId, result.newAccessKeyId);
  t.is(identity.arn, `arn:aws:iam::${ACCOUNT}:user/dev`);
  t.deepEqual(devKeys(), [result.newAccessKeyId]);
});

test('rotation: deleting the old key fails -> the vault holds the new, working key, and it says how to finish', async (t) => {
  const vault = new MemoryVault({ [PROFILE]: ITEM });
  const { w, deps, works, devKeys } = await rotation(t, vault);
  w.iam.failNext('DeleteAccessKey', { code: 'ServiceFailure', message: 'internal', status: 500 });
  const error = await t.throwsAsync(rotateKey(deps));
  const { item } = await works();
  t.not(item.accessKeyId, USER_KEY.accessKeyId);
  t.regex(error!.message, new RegExp(`the vault now holds the new key ${item.accessKeyId}, which works, but the old key AKIAVAULTUSER0000001 is still active in IAM: delete it with \`aws iam delete-access-key --user-name dev --access-key-id AKIAVAULTUSER0000001\``));
  t.deepEqual(devKeys().sort(), [USER_KEY.accessKeyId, item.accessKeyId].sort());
  t.deepEqual((await vault.list()).map((l) => l.name), [PROFILE]);
});

// Root ignores file modes, so this one runs only as an ordinary user (the injected store failure
// above covers the logic everywhere).
needs(POSIX, NOT_ROOT)('rotation: the vault folder is read-only -> nothing changed (file vault, through the CLI)', async (t) => {
  const w = await start(t);
  await w.cc(['vault', 'add', PROFILE], `${USER_KEY.accessKeyId}\n${USER_KEY.secretAccessKey}\n`);
  const dir = join(w.world.home.home, '.config', 'cc-helper');
  const { chmodSync } = await import('node:fs');
  chmodSync(dir, 0o500);
  t.teardown(() => chmodSync(dir, 0o700));
  const rotate = await w.cc(['vault', 'rotate', PROFILE]);
  t.is(rotate.code, 1, rotate.stdout);
  t.regex(rotate.stderr, /nothing was changed/);
  t.is(w.iam.callCount('CreateAccessKey'), 0);
  chmodSync(dir, 0o700);
  const list = await w.cc(['vault', 'list']);
  t.regex(list.stdout, /key \*+0001 \(file\)/);
});
