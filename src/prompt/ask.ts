// Asking a person for a short answer (an MFA code) while git owns stdin and stdout.
// Order follows git's own prompt.c: the askpass program first (GIT_ASKPASS, core.askPass,
// SSH_ASKPASS; the prompt is argv[1], the answer its stdout), then the terminal (/dev/tty),
// and never the terminal when GIT_TERMINAL_PROMPT=0.
import { execFileSync } from 'node:child_process';
import { closeSync, openSync, readSync, writeSync } from 'node:fs';
import { UserError } from '../support/errors.js';

export interface AskOptions {
  env?: NodeJS.ProcessEnv;
  /** What to tell the user to run instead when nobody can be asked. */
  fallbackHint: string;
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

export function createAsk({ env = process.env, fallbackHint }: AskOptions): Ask {
  return async (prompt) => {
    const askpass = askpassProgram(env);
    if (askpass) {
      // git runs askpass through the shell too, so a configured "program --flag" works.
      const answer = execFileSync('/bin/sh', ['-c', `${askpass} "$@"`, askpass, prompt], {
        env,
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      return firstLine(answer);
    }
    if (env.GIT_TERMINAL_PROMPT === '0') {
      throw new UserError(`cannot ask for "${prompt.trim()}": terminal prompts are disabled (GIT_TERMINAL_PROMPT=0) and no askpass program is set; ${fallbackHint}`);
    }
    return firstLine(askOnTerminal(prompt, fallbackHint));
  };
}

function askOnTerminal(prompt: string, fallbackHint: string): string {
  let fd: number;
  try {
    fd = openSync('/dev/tty', 'r+');
  } catch {
    throw new UserError(`cannot ask for "${prompt.trim()}": there is no terminal and no askpass program; ${fallbackHint}`);
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

function firstLine(text: string): string {
  return text.split(/\r?\n/, 1)[0]!.trim();
}
