// Runs git (never through a shell) with exactly the environment the caller hands in, so setup,
// its tests and the user's shell all see the same configuration.
import { execFile } from 'node:child_process';

/** git config files, including ones people grow by hand: far below this. */
export const MAX_GIT_CONFIG_BYTES = 16 * 1024 * 1024;

export interface GitContext {
  env: NodeJS.ProcessEnv;
  cwd: string;
}

export interface GitResult {
  code: number;
  /** Decoded as latin1, so every byte of a config file survives a round trip. */
  stdout: string;
  stderr: string;
}

export function runGit(args: readonly string[], ctx: GitContext): Promise<GitResult> {
  return new Promise((resolve, reject) => {
    execFile(
      'git',
      args,
      { cwd: ctx.cwd, env: ctx.env, encoding: 'latin1', maxBuffer: 16 * 1024 * 1024, windowsHide: true },
      (error, stdout, stderr) => {
        if (error && typeof error.code !== 'number') {
          reject(new Error(`could not run git: ${error.message}`));
          return;
        }
        resolve({ code: error ? Number(error.code) : 0, stdout, stderr });
      },
    );
  });
}

/** Like runGit, but a non-zero exit becomes an Error carrying git's own message. */
export async function git(args: readonly string[], ctx: GitContext): Promise<string> {
  const result = await runGit(args, ctx);
  if (result.code !== 0) throw new Error(`git ${args.slice(0, 3).join(' ')} failed: ${gitMessage(result)}`);
  return result.stdout;
}

/** git's stderr in one short line (its "fatal:"/"error:" lines carry the useful part). */
export function gitMessage(result: GitResult): string {
  const text = Buffer.from(result.stderr, 'latin1').toString('utf8').trim();
  return text.split('\n').filter((line) => !/^(hint|usage):/.test(line)).slice(0, 2).join('; ') || `exit status ${result.code}`;
}

export interface ConfigEntry {
  key: string;
  /** `undefined` for a bare `key` line (boolean true without `=`). */
  value: string | undefined;
}

/** Parses `git config --list -z` output: `key\nvalue\0` records. */
export function parseListZ(stdout: string): ConfigEntry[] {
  const entries: ConfigEntry[] = [];
  for (const record of stdout.split('\0')) {
    if (record === '') continue;
    const nl = record.indexOf('\n');
    entries.push(nl < 0 ? { key: record, value: undefined } : { key: record.slice(0, nl), value: record.slice(nl + 1) });
  }
  return entries;
}

/** git's version as [major, minor]. */
export async function gitVersion(ctx: GitContext): Promise<[number, number]> {
  const out = await git(['--version'], ctx);
  const m = /(\d+)\.(\d+)/.exec(out);
  return m ? [Number(m[1]), Number(m[2])] : [0, 0];
}
