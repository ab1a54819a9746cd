// Leapp as a session source, against a STAND-IN for the `leapp` CLI (test/support/
// leapp-standin.mjs): Leapp's desktop app cannot be installed here. The stand-in follows the
// documented CLI surface and writes/removes the credentials section the way Leapp does.
import type { ExecutionContext } from 'ava';
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Leapp, LEAPP_NOT_RUNNING, leappCredentialsFile, parseSessionList } from '../src/vault/leapp.js';
import { needs, POSIX } from './support/prerequisites.js';

// Not yet ported to Windows (sh, file modes, signals): skipped there, with the reason.
const test = needs(POSIX);

const STANDIN = fileURLToPath(new URL('../../test/support/leapp-standin.mjs', import.meta.url));
const TOKEN = 'IQoJb3JpZ2luX2VjEXAMPLETOKEN/with+slash=';
const SECRET = 'LeappSecretKeyEXAMPLE0000000000000000000';

const OTHER = `# my own profile, untouched
[personal]
aws_access_key_id = AKIAPERSONAL00000000
aws_secret_access_key = personal-secret
`;

interface World {
  dir: string;
  env: NodeJS.ProcessEnv;
  credentials: string;
  calls: () => string[][];
  leapp: Leapp;
}

function world(t: ExecutionContext, desktopApp: 'running' | 'stopped' = 'running'): World {
  const dir = mkdtempSync(join(tmpdir(), 'cc-leapp-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  // `leapp` on PATH is the stand-in, as it would be after `npm install -g @noovolari/leapp-cli`.
  const bin = join(dir, 'bin');
  mkdirSync(bin);
  copyFileSync(STANDIN, join(bin, 'leapp'));
  chmodSync(join(bin, 'leapp'), 0o755);
  const state = join(dir, 'leapp-state.json');
  writeFileSync(state, JSON.stringify({
    sessions: [
      // Leapp matches names as substrings: "codecommit" is inside "codecommit-old".
      { id: 'a1b2c3', sessionName: 'codecommit', type: 'AWS IAM User', profileName: 'codecommit', region: 'eu-west-1', status: 'inactive',
        credentials: { accessKeyId: 'ASIALEAPPEXAMPLE0001', secretAccessKey: SECRET, sessionToken: TOKEN } },
      { id: 'd4e5f6', sessionName: 'codecommit-old', type: 'AWS IAM User', profileName: 'codecommit-old', region: 'us-east-1', status: 'inactive',
        credentials: { accessKeyId: 'ASIALEAPPEXAMPLE0002', secretAccessKey: SECRET, sessionToken: TOKEN } },
      { id: 'g7h8i9', sessionName: 'shared-1', profileName: 'shared', status: 'inactive', credentials: {} },
      { id: 'j0k1l2', sessionName: 'shared-2', profileName: 'shared', status: 'inactive', credentials: {} },
    ],
  }));
  const credentials = join(dir, '.aws', 'credentials');
  mkdirSync(join(dir, '.aws'));
  writeFileSync(credentials, OTHER);
  const env: NodeJS.ProcessEnv = {
    PATH: `${bin}${delimiter}${process.env.PATH ?? ''}`,
    HOME: dir,
    LEAPP_STANDIN_STATE: state,
    ...(desktopApp === 'stopped' ? { LEAPP_STANDIN_DESKTOP_APP: 'stopped' } : {}),
  };
  const calls = () => (JSON.parse(readFileSync(state, 'utf8')) as { calls?: string[][] }).calls ?? [];
  return { dir, env, credentials, calls, leapp: new Leapp({ env }) };
}

test('leapp (stand-in CLI): finds the session whose named profile is exactly the profile, by id', async (t) => {
  const w = world(t);
  const session = await w.leapp.findSession('codecommit');
  t.deepEqual(session, { id: 'a1b2c3', sessionName: 'codecommit', profileName: 'codecommit', status: 'inactive', type: 'AWS IAM User', region: 'eu-west-1' });
  t.is((await w.leapp.findSession('codecommit-old'))?.id, 'd4e5f6');
  t.is(await w.leapp.findSession('codecomm'), undefined);
  t.deepEqual(w.calls()[0], ['session', 'list', '--output', 'json', '-x']);
  t.is(leappCredentialsFile(w.env), w.credentials);
});

test('leapp (stand-in CLI): start writes the profile section, stop removes it, other profiles stay', async (t) => {
  const w = world(t);
  const started = await w.leapp.start('codecommit');
  t.is(started.status, 'active');
  t.deepEqual(w.calls().at(-1), ['session', 'start', '--sessionId', 'a1b2c3', '--noInteractive']);
  const text = readFileSync(w.credentials, 'utf8');
  t.true(text.startsWith(OTHER));
  t.regex(text, /\[codecommit\]\naws_access_key_id=ASIALEAPPEXAMPLE0001\naws_secret_access_key=\S+\naws_session_token=\S+\nregion=eu-west-1\n$/);
  t.false(text.includes('x_security_token_expires'), 'Leapp writes no expiry');
  t.is((await w.leapp.findSession('codecommit'))?.status, 'active');

  t.true(await w.leapp.stop('codecommit'));
  t.deepEqual(w.calls().at(-1), ['session', 'stop', '--sessionId', 'a1b2c3']);
  t.is(readFileSync(w.credentials, 'utf8'), OTHER);
  t.false(await w.leapp.stop('codecommit'), 'stopping an inactive session does nothing');
  t.deepEqual(w.calls().at(-1), ['session', 'list', '--output', 'json', '-x']);
});

test('leapp (stand-in CLI): the desktop app not running is one clear line', async (t) => {
  const w = world(t, 'stopped');
  // One at a time: the stand-in keeps its state in one file, as a single desktop app would.
  for (const attempt of [() => w.leapp.start('codecommit'), () => w.leapp.stop('codecommit'), () => w.leapp.listSessions()]) {
    const error = await t.throwsAsync(attempt);
    t.is(error?.name, 'UserError');
    t.is(error?.message, LEAPP_NOT_RUNNING);
  }
  t.is(LEAPP_NOT_RUNNING, "Leapp's desktop app is not running: start it and try again");
  t.is(readFileSync(w.credentials, 'utf8'), OTHER);
});

test('leapp (stand-in CLI): an unknown profile starts nothing', async (t) => {
  const w = world(t);
  const error = await t.throwsAsync(w.leapp.start('nobody'));
  t.is(error?.message, 'no Leapp session uses the named profile "nobody": in Leapp, set a session\'s named profile to "nobody"');
  t.false(w.calls().some((call) => call[1] === 'start'));
  t.is(readFileSync(w.credentials, 'utf8'), OTHER);
});

test('leapp (stand-in CLI): two inactive sessions on one profile are ambiguous; an active one wins', async (t) => {
  const w = world(t);
  const error = await t.throwsAsync(w.leapp.start('shared'));
  t.is(error?.message, '2 Leapp sessions use the named profile "shared" ("shared-1", "shared-2"): start the one you want in Leapp, or give each its own profile');
  // Started in Leapp by hand.
  const state = JSON.parse(readFileSync(w.env.LEAPP_STANDIN_STATE!, 'utf8'));
  state.sessions[3].status = 'active';
  writeFileSync(w.env.LEAPP_STANDIN_STATE!, JSON.stringify(state));
  t.is((await w.leapp.findSession('shared'))?.id, 'j0k1l2');
});

test('leapp (stand-in CLI): a failing start is one line with Leapp\'s message; a missing CLI says how to install it', async (t) => {
  const w = world(t);
  const state = JSON.parse(readFileSync(w.env.LEAPP_STANDIN_STATE!, 'utf8'));
  state.sessions[0].startError = 'missing value for MFA token';
  writeFileSync(w.env.LEAPP_STANDIN_STATE!, JSON.stringify(state));
  const failed = await t.throwsAsync(w.leapp.start('codecommit'));
  t.is(failed?.message, 'Leapp could not start session "codecommit" (profile codecommit): missing value for MFA token');
  t.is(readFileSync(w.credentials, 'utf8'), OTHER);

  const missing = new Leapp({ env: { ...w.env, PATH: join(w.dir, 'empty') } });
  const error = await t.throwsAsync(missing.listSessions());
  t.is(error?.message, 'the leapp CLI (leapp) was not found: install it (npm install -g @noovolari/leapp-cli) or set CC_HELPER_LEAPP to its path');
  const viaEnv = new Leapp({ env: { ...w.env, PATH: process.env.PATH, CC_HELPER_LEAPP: join(w.dir, 'bin', 'leapp') } });
  t.is((await viaEnv.findSession('codecommit'))?.id, 'a1b2c3');
});

test('leapp: the session list parser takes the documented JSON, after any other output', (t) => {
  t.deepEqual(parseSessionList('warning: update available\n[{"id":"x","sessionName":"n","profileId":"p","status":"active"}]'), [
    { id: 'x', sessionName: 'n', profileName: 'p', status: 'active' },
  ]);
  t.throws(() => parseSessionList('[{"sessionName":"n"}]'), { message: /no session ids/ });
  t.throws(() => parseSessionList('not json'), { message: /not the JSON/ });
});
