// Runs the helper the way git will when a GUI client or an IDE starts it: real `git credential
// fill` for the URL, from the repository, with the environment such an app has rather than the
// shell's — PATH=/usr/bin:/bin, no terminal (a new session, so /dev/tty cannot be opened), no
// askpass, none of the shell's AWS_* variables — and reports what git got. What the shell would
// do is what the rest of doctor reads from the files; this is what happens outside it.
import { spawn } from 'node:child_process';
import { findOnPath } from '../support/find-on-path.js';
import { mask } from '../support/trace.js';

/** What a desktop session gives an app on Linux and macOS (launchd's default PATH is the same). */
export const GUI_PATH = '/usr/bin:/bin';
const PROBE_TIMEOUT_MS = 30_000;
// Kept from the caller: where the configuration is (a GUI app reads the same files) and the
// session's identity. The shell's PATH, AWS_*, askpass and terminal are not.
const KEPT = ['HOME', 'USER', 'LOGNAME', 'TMPDIR', 'XDG_CONFIG_HOME', 'GIT_CONFIG_GLOBAL', 'GIT_CONFIG_SYSTEM', 'GIT_CONFIG_NOSYSTEM', 'LANG', 'LC_ALL'];
/** Shell settings a desktop app does not see; named when the probe fails and one of them is set. */
const SHELL_ONLY = ['AWS_SHARED_CREDENTIALS_FILE', 'AWS_CONFIG_FILE', 'AWS_PROFILE', 'GIT_ASKPASS', 'SSH_ASKPASS'];

export interface GuiProbe {
  /** git got a username and password. */
  ok: boolean;
  /** The git that ran (the one first on the caller's PATH, as an IDE configured with it would run). */
  git: string;
  /** The masked username (access key id) git got, or git's and the helper's own words. */
  detail: string;
  /** Shell variables set here that a GUI app would not have. */
  shellOnly: string[];
}

export function guiEnvironment(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const out: NodeJS.ProcessEnv = { PATH: GUI_PATH };
  for (const name of KEPT) if (env[name] !== undefined) out[name] = env[name];
  return out;
}

export async function probeLikeGui(url: string, ctx: { env: NodeJS.ProcessEnv; cwd: string }): Promise<GuiProbe | null> {
  if (process.platform === 'win32') return null; // no POSIX session to leave; Windows apps get the system PATH
  const git = findOnPath('git', ctx.env.PATH ?? GUI_PATH);
  if (!git) return null;
  const u = new URL(url);
  const request = `protocol=https\nhost=${u.host}\npath=${u.pathname.replace(/^\//, '')}\n\n`;
  // core.askPass emptied: when the helper gives no answer git would ask for a user name next, and
  // doctor must not pop up someone's askpass dialog to find that out.
  const result = await runDetached(git, ['-c', 'core.askPass=', 'credential', 'fill'], request, guiEnvironment(ctx.env), ctx.cwd);
  const username = /^username=(.*)$/m.exec(result.stdout)?.[1];
  const hasPassword = /^password=./m.test(result.stdout);
  const shellOnly = SHELL_ONLY.filter((name) => ctx.env[name]);
  if (username !== undefined && hasPassword) {
    return { ok: true, git, detail: `git got a password for ${mask(username.split('%')[0]!)}`, shellOnly };
  }
  const words = result.stderr.split('\n').map((l) => l.trim()).filter(Boolean).slice(0, 3).join(' / ');
  const how = result.timedOut ? `no answer within ${PROBE_TIMEOUT_MS / 1000} s` : words || `git ${result.code === null ? 'was stopped by a signal' : `exited with status ${result.code}`} and said nothing`;
  return { ok: false, git, detail: how, shellOnly };
}

function runDetached(command: string, args: string[], input: string, env: NodeJS.ProcessEnv, cwd: string): Promise<{ code: number | null; stdout: string; stderr: string; timedOut: boolean }> {
  return new Promise((resolve) => {
    // detached: setsid(), so neither git nor the helper has a controlling terminal.
    const child = spawn(command, args, { env, cwd, detached: true, stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        // already gone
      }
    }, PROBE_TIMEOUT_MS);
    child.stdout.on('data', (c: Buffer) => out.push(c));
    child.stderr.on('data', (c: Buffer) => err.push(c));
    child.stdin.on('error', () => {});
    child.once('error', (error) => {
      clearTimeout(timer);
      resolve({ code: null, stdout: '', stderr: `could not run git: ${error.message}`, timedOut: false });
    });
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8'), timedOut });
    });
    child.stdin.end(input);
  });
}
