// Asking a person for a short answer (an MFA code, a vault passphrase) while git owns stdin and
// stdout. Order follows git's own prompt.c: the askpass program first (GIT_ASKPASS,
// core.askPass, SSH_ASKPASS; the prompt is argv[1], the answer its stdout), then the terminal
// (/dev/tty), and never the terminal when GIT_TERMINAL_PROMPT=0. Where git has no terminal
// either (started by a GUI client or an IDE), the desktop's own dialog (desktop-dialog.ts).
// https://git-scm.com/docs/gitcredentials#_requesting_credentials
import { execFileSync } from 'node:child_process';
import { closeSync, openSync, readSync, writeSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { howChildFailed } from '../support/child-failure.js';
import { UserError } from '../support/errors.js';

export interface AskOptions {
  env?: NodeJS.ProcessEnv;
  /** What to tell the user to run instead when nobody can be asked. */
  fallbackHint: string;
  /**
   * A secret answer (a passphrase): the terminal does not echo it (`stty -echo`, restored even
   * on error or a signal), and the answer is kept as typed, only its line ending removed.
   */
  hidden?: boolean;
  /** `cc-helper askpass` is itself the askpass program: it must not call itself. */
  skipAskpass?: boolean;
}

export type Ask = (prompt: string) => Promise<string>;

export function askpassProgram(env: NodeJS.ProcessEnv): string | undefined {
  if (env.GIT_ASKPASS) return env.GIT_ASKPASS;
  try {
    const configured = execFileSync('git', ['config', '--get', 'core.askPass'], { env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    if (configured) return configured;
  } catch {
    // not set, or git not found: fall through
  }
  return env.SSH_ASKPASS || undefined;
}

export function createAsk({ env = process.env, fallbackHint, hidden = false, skipAskpass = false }: AskOptions): Ask {
  const pick = hidden ? exactLine : firstLine;
  return async (prompt) => {
    const askpass = skipAskpass ? undefined : askpassProgram(env);
    if (askpass) return pick(runAskpass(askpass, prompt, env));
    if (env.GIT_TERMINAL_PROMPT === '0') {
      throw new UserError(`cannot ask for "${prompt.trim()}": terminal prompts are disabled (GIT_TERMINAL_PROMPT=0) and no askpass program is set; ${fallbackHint}`);
    }
    if (!hasTerminal()) {
      const { desktopDialog, runDialog } = await import('./desktop-dialog.js');
      const dialog = desktopDialog(prompt.trim(), hidden, env);
      if (!dialog) throw noTerminal(prompt, fallbackHint);
      const result = runDialog(dialog, env);
      if ('failed' in result) throw new UserError(`cannot ask for "${prompt.trim()}": ${result.failed}; ${fallbackHint}`);
      return pick(result.answer);
    }
    if (hidden) return pick(await askHiddenOnTerminal(prompt, fallbackHint));
    return pick(askOnTerminal(prompt, fallbackHint));
  };
}

function runAskpass(askpass: string, prompt: string, env: NodeJS.ProcessEnv): string {
  try {
    // git runs askpass through the shell too, so a configured "program --flag" works.
    return execFileSync('/bin/sh', ['-c', `${askpass} "$@"`, askpass, prompt], {
      env,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
    });
  } catch (error) {
    // Never pass the child's output on: it may hold half an answer.
    throw new UserError(`cannot ask for "${prompt.trim()}": the askpass program (${askpass}) ${howChildFailed(error)}`);
  }
}

/** Whether this process has a controlling terminal to ask on. */
function hasTerminal(): boolean {
  try {
    closeSync(openSync('/dev/tty', 'r+'));
    return true;
  } catch {
    return false;
  }
}

function askOnTerminal(prompt: string, fallbackHint: string): string {
  let fd: number;
  try {
    fd = openSync('/dev/tty', 'r+');
  } catch {
    throw noTerminal(prompt, fallbackHint);
  }
  try {
    writeSync(fd, prompt);
    const chunks: Buffer[] = [];
    const buffer = Buffer.alloc(256);
    for (;;) {
      const n = readSync(fd, buffer, 0, buffer.length, null);
      if (n <= 0) break;
      chunks.push(Buffer.from(buffer.subarray(0, n)));
      if (buffer.subarray(0, n).includes(0x0a)) break;
    }
    return Buffer.concat(chunks).toString('utf8');
  } finally {
    closeSync(fd);
  }
}

const RESTORE_ON = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGQUIT'] as const;

/**
 * Reads one line from /dev/tty with echo off. The terminal stays in canonical mode, so the
 * kernel still does line editing and Ctrl-C still sends SIGINT. The read is asynchronous so a
 * signal handler can run: it restores the terminal, then re-raises the signal.
 */
async function askHiddenOnTerminal(prompt: string, fallbackHint: string): Promise<string> {
  let tty;
  try {
    tty = await open('/dev/tty', 'r+');
  } catch {
    throw noTerminal(prompt, fallbackHint);
  }
  const fd = tty.fd;
  let saved: string;
  try {
    saved = stty(fd, ['-g']);
  } catch {
    await tty.close();
    throw new UserError(`cannot ask for "${prompt.trim()}" without showing what you type: stty failed on this terminal; ${fallbackHint}`);
  }
  let restored = false;
  const restore = () => {
    if (restored) return;
    restored = true;
    try {
      stty(fd, [saved]);
    } catch {
      // the terminal is gone: nothing left to restore
    }
  };
  const onSignal = (signal: NodeJS.Signals) => {
    restore();
    detach();
    process.kill(process.pid, signal);
  };
  const detach = () => {
    for (const signal of RESTORE_ON) process.off(signal, onSignal);
    process.off('exit', restore);
  };
  for (const signal of RESTORE_ON) process.on(signal, onSignal);
  process.on('exit', restore);
  try {
    stty(fd, ['-echo']);
    await tty.write(prompt);
    const chunks: Buffer[] = [];
    const buffer = Buffer.alloc(256);
    for (;;) {
      const { bytesRead } = await tty.read(buffer, 0, buffer.length, null);
      if (bytesRead <= 0) break;
      chunks.push(Buffer.from(buffer.subarray(0, bytesRead)));
      if (buffer.subarray(0, bytesRead).includes(0x0a)) break;
    }
    buffer.fill(0);
    // The Enter the person typed was not echoed either.
    await tty.write('\n');
    const answer = Buffer.concat(chunks);
    const text = answer.toString('utf8');
    for (const chunk of chunks) chunk.fill(0);
    return text;
  } finally {
    restore();
    detach();
    await tty.close();
  }
}

function stty(fd: number, args: string[]): string {
  return execFileSync('stty', args, { stdio: [fd, 'pipe', 'pipe'], encoding: 'utf8' }).trim();
}

function noTerminal(prompt: string, fallbackHint: string): UserError {
  return new UserError(`cannot ask for "${prompt.trim()}": there is no terminal, no askpass program and no desktop dialog (zenity, kdialog, osascript); ${fallbackHint}`);
}

function firstLine(text: string): string {
  return text.split(/\r?\n/, 1)[0]!.trim();
}

/** The first line exactly as given (spaces count in a passphrase), without its line ending. */
function exactLine(text: string): string {
  return text.split('\n', 1)[0]!.replace(/\r$/, '');
}
