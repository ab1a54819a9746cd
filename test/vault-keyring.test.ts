// The OS keyring vault against a real Secret Service: a private D-Bus session bus with its own
// gnome-keyring-daemon, unlocked with a piped password, in a temporary HOME (the user's own
// keyring is never touched). Runs where `dbus-run-session` and `gnome-keyring-daemon` exist
// (Debian: dbus-daemon, gnome-keyring; .ci/run installs them); elsewhere each test shows as
// skipped. On macOS or Windows, CC_HELPER_TEST_OS_KEYRING=1 runs the same tests against the
// real Keychain / Credential Manager under a throwaway service name, and removes what it wrote.
import test, { type ExecutionContext } from 'ava';
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { KeyringVault, loadNativeKeyring } from '../src/vault/keyring-vault.js';
import { openVault } from '../src/vault/open-vault.js';
import type { VaultItem } from '../src/vault/vault.js';
import { needs, OS_KEYRING_WANTED, SECRET_SERVICE } from './support/prerequisites.js';

const ITEM: VaultItem = { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY', createdAt: '2024-05-01T10:00:00.000Z' };
const ITEM2: VaultItem = { accessKeyId: 'AKIAI44QH8DHBEXAMPLE', secretAccessKey: 'je7MtGbClwBF/2Zp9Utk/h3yCo8nvbEXAMPLEKEY', createdAt: '2025-01-02T03:04:05.000Z' };
const SECRETS = [ITEM.secretAccessKey, ITEM2.secretAccessKey];

// Linux: a private Secret Service (the before hook starts it); macOS and Windows: the OS's own
// keyring, on request only (it writes to the real Keychain or Credential Manager).
const keyring = needs(process.platform === 'linux' ? SECRET_SERVICE : OS_KEYRING_WANTED);
const headlessSecretService = process.platform === 'linux' && SECRET_SERVICE.present();
const keyringTest = (title: string, fn: (t: ExecutionContext) => Promise<void>) => keyring.serial(title, fn);

let home = '';
let bus: ChildProcessWithoutNullStreams | undefined;
let busAddress = '';

test.before(async () => {
  home = mkdtempSync(join(tmpdir(), 'cc-keyring-'));
  if (!headlessSecretService) return;
  const runtime = join(home, 'run');
  mkdirSync(runtime, { mode: 0o700 });
  // The shell unlocks (creating) a login keyring, prints the bus address, then waits for its
  // stdin to close; dbus-run-session then ends the bus, and gnome-keyring-daemon with it.
  bus = spawn('dbus-run-session', ['--', 'sh', '-c',
    'printf "%s" "$0" | gnome-keyring-daemon --unlock --components=secrets >/dev/null && echo "$DBUS_SESSION_BUS_ADDRESS" && read _', 'keyring-password'], {
    env: { PATH: process.env.PATH, HOME: home, XDG_DATA_HOME: join(home, 'share'), XDG_RUNTIME_DIR: runtime },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  bus.stderr.resume();
  const line = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the private Secret Service did not start within 15 s')), 15_000);
    createInterface({ input: bus!.stdout }).once('line', (text) => {
      clearTimeout(timer);
      resolve(text);
    });
    bus!.once('exit', (code) => reject(new Error(`dbus-run-session exited early (${code})`)));
  });
  busAddress = line.trim();
  process.env.DBUS_SESSION_BUS_ADDRESS = busAddress;
  // Wait until the daemon answers on the bus.
  const entry = await loadNativeKeyring();
  for (let attempt = 0; ; attempt++) {
    try {
      await entry('cc-helper-probe', 'probe').setPassword('x');
      await entry('cc-helper-probe', 'probe').deleteCredential();
      break;
    } catch (error) {
      if (attempt > 50) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
});

test.after.always(async () => {
  if (bus) {
    bus.stdin.end();
    await new Promise((resolve) => {
      const timer = setTimeout(() => {
        bus!.kill();
        resolve(undefined);
      }, 5_000);
      bus!.once('exit', () => {
        clearTimeout(timer);
        resolve(undefined);
      });
    });
  }
  if (home) rmSync(home, { recursive: true, force: true });
});

let counter = 0;
/** A fresh service name per test, cleaned up afterwards. */
function service(t: ExecutionContext): string {
  const name = `cc-helper-test-${process.pid}-${++counter}`;
  t.teardown(async () => {
    const entry = await loadNativeKeyring();
    for (const account of ['index', 'item:prod', 'item:client.acme']) await entry(name, account).deleteCredential().catch(() => false);
  });
  return name;
}

const env = () => ({ HOME: home });

keyringTest('keyring: round trip put, get, list, remove', async (t) => {
  const v = await openVault('keyring', { service: service(t), env: env() });
  t.deepEqual(await v.list(), []);
  t.is(await v.get('prod'), undefined);
  await v.put('prod', ITEM);
  await v.put('client.acme', ITEM2);
  t.deepEqual(await v.get('prod'), ITEM);
  t.deepEqual(await v.list(), [
    { name: 'client.acme', accessKeyIdMasked: '****************MPLE', createdAt: ITEM2.createdAt },
    { name: 'prod', accessKeyIdMasked: '****************MPLE', createdAt: ITEM.createdAt },
  ]);
  await v.put('prod', ITEM2);
  t.deepEqual(await v.get('prod'), ITEM2);
  t.true(await v.remove('prod'));
  t.false(await v.remove('prod'));
  t.is(await v.get('prod'), undefined);
  t.deepEqual((await v.list()).map((i) => i.name), ['client.acme']);
});

keyringTest('keyring: one JSON entry per item plus an index that holds no secret', async (t) => {
  const name = service(t);
  const v = await openVault('keyring', { service: name, env: env() });
  await v.put('prod', ITEM);
  const entry = await loadNativeKeyring();
  const index = (await entry(name, 'index').getPassword())!;
  t.deepEqual(JSON.parse(index), { version: 1, items: { prod: { accessKeyIdMasked: '****************MPLE', createdAt: ITEM.createdAt } } });
  for (const secret of [...SECRETS, ITEM.accessKeyId]) t.false(index.includes(secret));
  t.deepEqual(JSON.parse((await entry(name, 'item:prod').getPassword())!), ITEM);
  if (headlessSecretService) {
    // Another Secret Service client sees the same entry (keyring-rs's attributes: service, username).
    const lookup = spawnSync('secret-tool', ['lookup', 'service', name, 'username', 'item:prod'], {
      env: { ...process.env, DBUS_SESSION_BUS_ADDRESS: busAddress }, encoding: 'utf8',
    });
    t.deepEqual(JSON.parse(lookup.stdout), ITEM);
  }
  // Removing the last item removes the index too.
  await v.remove('prod');
  t.is(await entry(name, 'index').getPassword(), null);
});

keyringTest('keyring: services are separate', async (t) => {
  const a = await openVault('keyring', { service: service(t), env: env() });
  const b = await openVault('keyring', { service: service(t), env: env() });
  await a.put('prod', ITEM);
  t.is(await b.get('prod'), undefined);
  t.deepEqual(await b.list(), []);
});

keyringTest('keyring: a damaged entry is one clear line without its contents', async (t) => {
  const name = service(t);
  const entry = await loadNativeKeyring();
  await entry(name, 'item:prod').setPassword(`{"accessKeyId":"AKIAIOSFODNN7EXAMPLE","secretAccessKey":"${ITEM.secretAccessKey}"`);
  await entry(name, 'index').setPassword('not json');
  const v = new KeyringVault(entry, { service: name, env: env() });
  const get = await t.throwsAsync(v.get('prod'));
  t.is(get?.message, `the keyring entry for "prod" (service "${name}") is damaged: remove it and add the key again`);
  const list = await t.throwsAsync(v.list());
  t.regex(list?.message ?? '', /index entry .* is damaged/);
  for (const message of [get?.message, list?.message]) for (const secret of SECRETS) t.false(String(message).includes(secret));
});

// libdbus reads the session bus address once per process, so this runs in a process of its own.
const unreachable = needs(SECRET_SERVICE);
unreachable('keyring on Linux without a reachable Secret Service: one clear line, no fallback to the kernel keyring', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'cc-keyring-nobus-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const script = join(dir, 'put.mjs');
  writeFileSync(script, `import { openVault } from ${JSON.stringify(new URL('../src/vault/open-vault.js', import.meta.url).href)};
const v = await openVault('keyring', { service: 'cc-helper-test-nobus', env: { HOME: ${JSON.stringify(dir)} } });
try {
  await v.put('prod', ${JSON.stringify(ITEM)});
  console.log(JSON.stringify({ stored: true }));
} catch (error) {
  console.log(JSON.stringify({ name: error.name, message: error.message }));
}
`);
  const run = spawnSync(process.execPath, [script], {
    env: { PATH: process.env.PATH, HOME: dir, DBUS_SESSION_BUS_ADDRESS: `unix:path=${join(dir, 'no-such-bus')}` },
    encoding: 'utf8',
    timeout: 30_000,
  });
  t.is(run.status, 0, run.stderr);
  const result = JSON.parse(run.stdout) as { name?: string; message?: string };
  t.log(result.message);
  t.is(result.name, 'UserError');
  t.regex(result.message ?? '', /^cannot store "prod" in the OS keyring \(service "cc-helper-test-nobus"\): .*: is a Secret Service \(gnome-keyring, KeePassXC\) running and unlocked in this session\? Else use the file vault$/);
  t.false(run.stdout.includes(ITEM.secretAccessKey));
  t.false(run.stderr.includes(ITEM.secretAccessKey));
});
