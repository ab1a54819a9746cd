// Asking without a terminal and without an askpass program, as when a GUI client or an IDE runs
// git: the desktop's dialog. Each run is in a new session (setsid), so /dev/tty cannot be opened,
// with a stand-in `zenity` / `kdialog` on PATH (named so: a shell script that records its argv
// and answers like the real program, or exits 1 as Cancel does) and DISPLAY set.
import type { ExecutionContext } from 'ava';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run } from '../standins/git-env.js';
import { HELPER_BIN } from '../standins/helper-process.js';
import { needs, SETSID } from './support/prerequisites.js';

// Each run is in a new session (setsid, util-linux): Linux; skipped elsewhere, with the reason.
const test = needs(SETSID);

interface Desktop {
  dir: string;
  env: Record<string, string>;
  /** Each recorded call of a stand-in: its argv. */
  calls(): string[][];
}

function desktop(t: ExecutionContext, programs: Record<string, { answer?: string; exit?: number }>, extra: Record<string, string> = { DISPLAY: ':99' }): Desktop {
  const dir = mkdtempSync(join(tmpdir(), 'cc-dialog-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const bin = join(dir, 'bin');
  mkdirSync(bin);
  const log = join(dir, 'calls');
  for (const [name, { answer = '', exit = 0 }] of Object.entries(programs)) {
    const file = join(bin, name);
    // argv NUL-separated, one call a line.
    writeFileSync(file, `#!/bin/sh\nprintf '%s\\0' "$(basename "$0")" "$@" >> '${log}'\necho >> '${log}'\nprintf '%s\\n' '${answer}'\nexit ${exit}\n`);
    chmodSync(file, 0o755);
  }
  return {
    dir,
    env: { PATH: `${bin}:/usr/bin:/bin`, HOME: dir, GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: join(dir, 'gitconfig'), LC_ALL: 'C', ...extra },
    calls: () => {
      try {
        return readFileSync(log, 'utf8').split('\n').filter(Boolean).map((line) => line.split('\0').slice(0, -1));
      } catch {
        return [];
      }
    },
  };
}

/** `cc-helper askpass PROMPT` in a new session: no controlling terminal. */
const askpass = (d: Desktop, prompt: string) => run('setsid', ['-w', process.execPath, HELPER_BIN, 'askpass', prompt], { env: d.env });

test('no terminal, no askpass: a secret is asked with zenity\'s hidden field, a code with a visible one', async (t) => {
  const d = desktop(t, { zenity: { answer: 'correct horse' } });
  const secret = await askpass(d, 'Vault passphrase: ');
  t.is(secret.code, 0, secret.stderr);
  t.is(secret.stdout, 'correct horse\n');
  const code = await askpass(d, 'MFA code for arn:aws:iam::111122223333:mfa/me: ');
  t.is(code.code, 0, code.stderr);
  t.deepEqual(d.calls(), [
    ['zenity', '--entry', '--title=cc-helper', '--text=Vault passphrase:', '--hide-text'],
    ['zenity', '--entry', '--title=cc-helper', '--text=MFA code for arn:aws:iam::111122223333:mfa/me:'],
  ]);
});

test('kdialog when there is no zenity; Cancel is one clear line and no answer', async (t) => {
  const d = desktop(t, { kdialog: { answer: 'ignored', exit: 1 } });
  const r = await askpass(d, 'Password for \'https://example.com\': ');
  t.is(r.code, 1);
  t.is(r.stdout, '');
  t.is(r.stderr, 'cc-helper: cannot ask for "Password for \'https://example.com\':": the kdialog dialog was cancelled; run git from a terminal\n');
  t.deepEqual(d.calls(), [['kdialog', '--title', 'cc-helper', '--password', 'Password for \'https://example.com\':']]);
});

test('no display: no dialog is tried, and the error names what would have worked', async (t) => {
  const d = desktop(t, { zenity: { answer: 'x' } }, {});
  const r = await askpass(d, 'MFA code: ');
  t.is(r.code, 1);
  t.regex(r.stderr, /^cc-helper: cannot ask for "MFA code:": there is no terminal, no askpass program and no desktop dialog \(zenity, kdialog, osascript\); run git from a terminal\n$/);
  t.deepEqual(d.calls(), []);
});

test('git itself, pointed at the script `cc-helper askpass` writes, asks through the desktop dialog', async (t) => {
  const d = desktop(t, { zenity: { answer: 'from-the-dialog' } });
  const written = await run(process.execPath, [HELPER_BIN, 'askpass'], { env: d.env });
  t.is(written.code, 0, written.stderr);
  const script = join(d.dir, '.config', 'cc-helper', 'askpass');
  t.true(written.stdout.includes(`git config --global core.askPass ${script}`), written.stdout);
  // The script names Node and cc-helper by absolute path: PATH holds only the stand-in and the system.
  const fill = await run('setsid', ['-w', 'git', 'credential', 'fill'], { env: { ...d.env, GIT_ASKPASS: script }, input: 'protocol=https\nhost=example.com\n\n' });
  t.is(fill.code, 0, fill.stderr);
  t.is(fill.stdout, 'protocol=https\nhost=example.com\nusername=from-the-dialog\npassword=from-the-dialog\n');
  t.deepEqual(d.calls().map((c) => c.slice(0, 4)), [
    ['zenity', '--entry', '--title=cc-helper', "--text=Username for 'https://example.com':"],
    ['zenity', '--entry', '--title=cc-helper', "--text=Password for 'https://from-the-dialog@example.com':"],
  ]);
  t.is(d.calls()[1]![4], '--hide-text');
});
